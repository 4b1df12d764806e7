// `shadergrad export --torch DIR --checkpoint f`: the exported model.py + model.safetensors compute in
// PyTorch what the model computes here (LeNet-5 and the char-GPT), and train_ddp.py continues training the
// char-GPT from our weights with our first loss: in one process, and under DDP with two ranks (gloo). The
// ranks are started by train_ddp.py's --nproc (torchrun of Debian's python3-torch 1.13 fails on Python 3.11).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from '../../src/io/safetensors.js';
import { Module } from '../../src/nn/module.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { CharGPT, LeNet } from '../../src/models/index.js';
import { torchModelSource } from '../../src/torch/twins.js';
import { useGpu } from '../helpers/gpu.js';
import '../helpers/matchers.js';
import { PYTHON, torchMissing } from '../helpers/torch-oracle.js';

const sg = useGpu();
const skip = torchMissing();
const dir = mkdtempSync(join(tmpdir(), 'sg-export-torch-'));

/** Exports `model` (saved as a checkpoint of CLI model `name`) with the CLI; returns the folder and the JSON line. */
async function exportTorch(model: Module, name: string, hidden: number): Promise<{ out: string; json: { metrics: Record<string, number> } }> {
  const ckpt = join(dir, `${name}.ckpt`);
  await sg.saveCheckpoint(ckpt, { model }, { epoch: 1, step: 1, extra: { model: name, hidden } });
  const out = join(dir, name);
  const run = spawnSync(process.execPath, ['bin/shadergrad.js', 'export', '--torch', out, '--checkpoint', ckpt, '--json'], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return { out, json: JSON.parse(run.stdout.trim().split('\n').pop()!) };
}

/** PyTorch's eval-mode output of the exported model on `input` (saved as safetensors). */
async function torchOutput(out: string, input: Tensor): Promise<Float32Array> {
  writeFileSync(join(out, 'x.safetensors'), new Uint8Array(await sg.save({ x: input })));
  const code = `import sys; sys.path.insert(0, ${JSON.stringify(out)})
import torch
from model import build_model, load_safetensors, load_weights, save_safetensors
m = load_weights(build_model(), ${JSON.stringify(join(out, 'model.safetensors'))}).eval()
x = load_safetensors(${JSON.stringify(join(out, 'x.safetensors'))})['x']
with torch.no_grad():
    y = m(x.long() if x.dtype == torch.int32 else x)
save_safetensors(${JSON.stringify(join(out, 'y.safetensors'))}, {'y': y})`;
  const run = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return parse(readFileSync(join(out, 'y.safetensors'))).tensors.y.data as Float32Array;
}

const ids = (n: number, count: number, k: number) => Int32Array.from({ length: count }, (_, i) => (i * k + 5) % n);

describe.skipIf(skip !== null)(`export --torch${skip ? ` (skipped: ${skip})` : ''}`, () => {
  test('LeNet-5: PyTorch computes our outputs from the exported files; JSON metrics bytes, files, parameters', async () => {
    sg.manualSeed(3);
    const model = new LeNet();
    const { out, json } = await exportTorch(model, 'lenet', 0);
    expect(json.metrics.files).toBe(3);
    expect(json.metrics.parameters).toBe(61706);
    expect(json.metrics.bytes).toBeGreaterThan(61706 * 4);
    const x = sg.randn([3, 1, 28, 28], { seed: 4 });
    const ours = await sg.noGrad(() => model.eval().forward(x)).data();
    expect(await torchOutput(out, x)).toBeAllClose(ours, { rtol: 1e-4, atol: 1e-5 });
  });

  test('char-GPT: same outputs in PyTorch, and train_ddp.py continues training with our first loss (1 process, then DDP with 2 ranks)', async () => {
    const model = new CharGPT(128, { blockSize: 64, dModel: 16, nLayer: 4, nHead: 4 }); // the CLI's charlm at --hidden 16
    const { out } = await exportTorch(model, 'charlm', 16);
    const probe = sg.tensor(ids(128, 2 * 64, 7), [2, 64], { dtype: 'int32' });
    const ours = await sg.noGrad(() => model.eval().forward(probe)).data();
    expect(await torchOutput(out, probe)).toBeAllClose(ours, { rtol: 5e-4, atol: 5e-5 });

    // a batch of 4 sequences: the first training step of train_ddp.py takes exactly these
    const N = 4;
    const inputs = sg.tensor(ids(128, N * 64, 11), [N, 64], { dtype: 'int32' });
    const targets = sg.tensor(ids(128, N * 64, 13), [N, 64], { dtype: 'int32' });
    const first = await sg.noGrad(() => model.train().loss(inputs, targets)).item();
    const data = join(out, 'data.safetensors');
    writeFileSync(data, new Uint8Array(await sg.save({ inputs, targets })));
    const losses = (args: string[]) => {
      const run = spawnSync(PYTHON, [join(out, 'train_ddp.py'), '--data', data, '--steps', '3', '--batch', String(N), '--lr', '1e-3', ...args], { encoding: 'utf8', timeout: 240_000 });
      expect(run.status, run.stderr).toBe(0);
      return run.stdout.trim().split('\n').map((l) => JSON.parse(l).loss as number);
    };
    const single = losses([]);
    expect(single).toHaveLength(3);
    expect(Math.abs(single[0] - first) / first).toBeLessThan(1e-5);
    expect(single[2]).toBeLessThan(single[0]); // it trains
    const ddp = losses(['--nproc', '2', '--out', join(out, 'ddp.safetensors')]);
    expect(Math.abs(ddp[0] - first) / first).toBeLessThan(1e-5);
    // the same gradients averaged over two half-batches: the same run
    expect(ddp).toBeAllClose(single, { rtol: 1e-4 });
  });

  test('export takes exactly one of --onnx and --torch', () => {
    for (const args of [['--onnx', join(dir, 'a.onnx'), '--torch', join(dir, 'both')], []]) {
      const run = spawnSync(process.execPath, ['bin/shadergrad.js', 'export', ...args, '--checkpoint', join(dir, 'none.ckpt')], { encoding: 'utf8' });
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(/export: give exactly one of --onnx <file> and --torch <dir>/);
    }
  });

  test('a module without a PyTorch twin is refused, naming it and where it is', () => {
    class Custom extends sg.nn.Module {
      forward(x: Tensor) {
        return x;
      }
    }
    const model = new sg.nn.Sequential(new sg.nn.Linear(2, 2), new Custom());
    expect(() => torchModelSource(model)).toThrow(sg.ValueError);
    expect(() => torchModelSource(model)).toThrow(/torch export: Custom at '1' has no PyTorch twin/);
  });
});
