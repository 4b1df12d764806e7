// Pooling: every row of tests/ops/rows/pool.ts against its float64 reference and central differences,
// then every bad input and the PyTorch layout of max-pool indices. Batch norm and dropout (other families,
// until they join the table) follow.
import '../helpers/matchers.js';
import { describe, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { useGpu } from '../helpers/gpu.js';
import { maxPool2dWithIndices } from '../../src/ops/pool.js';
import { batchNorm } from '../../src/ops/norm.js';
import { dropout } from '../../src/ops/dropout.js';
import type { OpName } from '../../src/ops/table.js';
import * as CR from '../helpers/conv-reference.js';
import * as R from '../helpers/reference.js';
import { row, runBadInputs, runCase, runRows, spaced, type GpuFn, type RefFn } from '../helpers/opcheck.js';
import { badInputs, rows } from './rows/pool.js';

useGpu();
runRows(rows);
describe('bad inputs', () => runBadInputs(badInputs));

test('max pool indices are flat positions in each plane (PyTorch), 3-D input', async () => {
  const x = sg.tensor([[[1, 5, 2], [7, 0, 3], [4, 8, 6]]]); // [1, 3, 3]
  const [y, idx] = maxPool2dWithIndices(x, 2, { stride: 1 });
  expect(Array.from(await y.data())).toEqual([7, 5, 8, 8]);
  expect(idx.dtype).toBe('int32');
  expect(Array.from(await idx.data())).toEqual([3, 1, 7, 7]);
});

// batchNorm's cases move to the norm family's rows when batchNorm joins the table; until then they run
// through the one harness (same tolerances and gradient positions as before) under its future name.
const check = (label: string, shapes: number[][], gpu: GpuFn, ref: RefFn, _seed: number) =>
  runCase(row('batchNorm' as OpName, label, gpu, ref, [shapes], { gens: shapes.map(() => spaced()), gradAtol: 1e-3, gradPositions: 40 }), shapes);

describe('batchNorm vs float64 reference, with gradients', () => {
  test.each([
    ['2-D input [N, C]', [5, 3]],
    ['3-D input [N, C, L]', [3, 2, 7]],
    ['4-D input, batch 1', [1, 3, 4, 5]],
    ['4-D input', [4, 2, 3, 3]],
  ] as const)('training, affine: %s', async (name, xs) => {
    const C = xs[1];
    await check(name, [[...xs], [C], [C]], (x, w, b) => batchNorm(x, null, null, { weight: w, bias: b }), (x, w, b) => CR.batchNormTrain(x, w, b), 8);
  });
  test('eval mode uses the running statistics', async () => {
    const x = sg.tensor([[1, 2], [3, 5]]);
    const y = batchNorm(x, sg.tensor([1, 2]), sg.tensor([4, 9]), { training: false, eps: 0, weight: sg.tensor([2, 1]), bias: sg.tensor([0, 1]) });
    expect(await y.data()).toBeAllClose([0, 1, 2, 2]);
  });
});

describe('dropout', () => {
  test('keeps about 1-p of the elements, scales them by 1/(1-p), same seed same mask, gradient uses the mask', async () => {
    const n = 4096;
    const x = sg.tensor(new Float32Array(n).fill(2), [n], { requiresGrad: true });
    const y = dropout(x, 0.25, { seed: 1234 });
    const y2 = dropout(x, 0.25, { seed: 1234 });
    const y3 = dropout(x, 0.25, { seed: 99 });
    y.sum().backward();
    const a = await y.data();
    const kept = a.filter((v) => v !== 0);
    expect(kept.length / n).toBeGreaterThan(0.72);
    expect(kept.length / n).toBeLessThan(0.78);
    expect(kept.every((v) => Math.abs(v - 2 / 0.75) < 1e-6)).toBe(true);
    expect(Array.from(await y2.data())).toEqual(Array.from(a));
    expect(Array.from(await y3.data())).not.toEqual(Array.from(a));
    const g = await x.grad!.data();
    for (let i = 0; i < n; i++) expect(g[i]).toBeCloseTo(a[i] === 0 ? 0 : 1 / 0.75, 5);
  });
  test('off in eval mode and for p = 0; p = 1 drops everything', async () => {
    const x = sg.tensor([1, 2, 3]);
    expect(dropout(x, 0.5, { training: false })).toBe(x);
    expect(dropout(x, 0)).toBe(x);
    expect(Array.from(await dropout(x, 1).data())).toEqual([0, 0, 0]);
  });
  test('rejects p outside [0, 1]', () => {
    expect(() => dropout(sg.tensor([1]), 1.5)).toThrow(sg.ValueError);
  });
  void R;
});
