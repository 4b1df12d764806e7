// The activation modules against PyTorch 1.13's (python3-torch, run here) on one grid: values and gradients.
import '../helpers/matchers.js';
import { execFileSync } from 'node:child_process';
import { PYTHON as PY, torchMissing } from '../helpers/torch-oracle.js';
import { describe, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { useGpu } from '../helpers/gpu.js';

useGpu();

const hasTorch = torchMissing() === null;

// [2, 3, 7]: channel dim 1 of 3 for PReLU; values over [-8, 8) through every kink and the softplus threshold
const SHAPE = [2, 3, 7];
const X = Array.from({ length: 42 }, (_, i) => -8 + (16 * ((i * 17) % 42)) / 42 + 0.013);

const CASES: [string, () => sg.nn.Module, string][] = [
  ['GELU()', () => new sg.nn.GELU(), 'nn.GELU()'],
  ["GELU({ approximate: 'tanh' })", () => new sg.nn.GELU({ approximate: 'tanh' }), "nn.GELU(approximate='tanh')"],
  ['SiLU', () => new sg.nn.SiLU(), 'nn.SiLU()'],
  ['ELU(0.7)', () => new sg.nn.ELU(0.7), 'nn.ELU(0.7)'],
  ['Softplus()', () => new sg.nn.Softplus(), 'nn.Softplus()'],
  ['Softplus(2, 5)', () => new sg.nn.Softplus(2, 5), 'nn.Softplus(2, 5)'],
  ['Mish', () => new sg.nn.Mish(), 'nn.Mish()'],
  ['Hardswish', () => new sg.nn.Hardswish(), 'nn.Hardswish()'],
  ['Hardsigmoid', () => new sg.nn.Hardsigmoid(), 'nn.Hardsigmoid()'],
  ['PReLU(3, 0.1)', () => new sg.nn.PReLU(3, 0.1), 'nn.PReLU(3, 0.1)'],
  ['PReLU()', () => new sg.nn.PReLU(), 'nn.PReLU()'],
  ['LeakyReLU(0.2)', () => new sg.nn.LeakyReLU(0.2), 'nn.LeakyReLU(0.2)'],
];

describe.skipIf(!hasTorch)('activation modules equal PyTorch 1.13 (skipped: python3 cannot import torch)', () => {
  test.each(CASES)('%s', async (_name, make, twin) => {
    const script = `import json, sys, torch
from torch import nn
x = torch.tensor(json.load(sys.stdin), dtype=torch.float64).reshape(${SHAPE.join(', ')}).requires_grad_()
m = ${twin}.double()
y = m(x)
(y * torch.arange(y.numel(), dtype=torch.float64).reshape(y.shape).cos()).sum().backward()
print(json.dumps({'y': y.flatten().tolist(), 'g': x.grad.flatten().tolist()}))`;
    const want = JSON.parse(execFileSync(PY, ['-c', script], { input: JSON.stringify(X), encoding: 'utf8' }).trim().split('\n').pop()!);
    const x = sg.tensor(Float32Array.from(X), SHAPE, { requiresGrad: true });
    const y = make().forward(x);
    const w = sg.tensor(Float32Array.from({ length: 42 }, (_, i) => Math.cos(i)), SHAPE);
    y.mul(w).sum().backward();
    expect(await y.data()).toBeAllClose(Float64Array.from(want.y), { rtol: 1e-5, atol: 1e-6 });
    expect(await x.grad!.data()).toBeAllClose(Float64Array.from(want.g), { rtol: 1e-5, atol: 1e-6 });
  });
});
