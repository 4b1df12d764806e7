// Every CLI command takes --json: its last stdout line is one JSON object {"command", ..., "metrics"}.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { CHARLM, corpus } from '../../src/cli/charlm.js';
import { CharGPT } from '../../src/models/charlm.js';
import { benchJsonLine } from '../../bench/json-line.js';
import { newEntry } from '../../bench/harness.js';

const bin = resolve(import.meta.dirname, '../../bin/shadergrad.js');
let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'sg-cli-json-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `shadergrad ...args`, expects exit 0 and returns the parsed last stdout line. */
function lastJson(args: string[]): Record<string, any> {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 280_000 });
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

describe('--json on every command', () => {
  test('train: command, model, config and metrics with accuracy as a fraction; export reads its checkpoint', () => {
    const ckpt = join(dir, 'mlp.ckpt');
    const t = lastJson(['train', '--model', 'mlp', '--epochs', '1', '--hidden', '16', '--checkpoint', ckpt, '--json']);
    expect(t.command).toBe('train');
    expect(t.model).toBe('mlp');
    expect(t.config).toMatchObject({ epochs: 1, batch_size: 64, optimizer: 'adam', seed: 0, hidden: 16 });
    // a 784-16-10 MLP after one epoch is well above chance and below perfect: a fraction, not a percentage
    expect(t.metrics.test_accuracy).toBeGreaterThan(0.5);
    expect(t.metrics.test_accuracy).toBeLessThan(1);
    expect(t.metrics.train_loss).toBeGreaterThan(0);
    expect(t.metrics.seconds).toBeGreaterThan(0);
    const e = lastJson(['export', '--onnx', join(dir, 'mlp.onnx'), '--checkpoint', ckpt, '--json']);
    expect(e).toMatchObject({ command: 'export', model: 'mlp', config: { hidden: 16 } });
    expect(e.metrics.bytes).toBeGreaterThan(784 * 16 * 4);
  });

  test('train --model housing and housing-cls: RMSE next to least squares, accuracy next to the majority class', () => {
    const h = lastJson(['train', '--model', 'housing', '--epochs', '2', '--json']);
    expect(h).toMatchObject({ command: 'train', model: 'housing', config: { epochs: 2, batch_size: 32, optimizer: 'adamw', lr: 3e-3, hidden: 64 } });
    expect(h.metrics.linear_rmse).toBeCloseTo(5.8166, 3); // float64 least squares on the fixed split
    expect(h.metrics.test_rmse).toBeGreaterThan(0);
    const c = lastJson(['train', '--model', 'housing-cls', '--epochs', '2', '--batch-size', '64', '--optimizer', 'sgd', '--json']);
    expect(c).toMatchObject({ command: 'train', model: 'housing-cls', config: { batch_size: 64, optimizer: 'sgd', lr: 5e-2 } });
    expect(c.metrics.test_accuracy).toBeGreaterThan(0);
    expect(c.metrics.test_accuracy).toBeLessThanOrEqual(1);
    expect(c.metrics.majority_accuracy).toBeCloseTo(52 / 101, 6);
  });

  test('train --model vit and vit-hybrid: the AdamW and lr of their recipe unless --optimizer is given, then the lr of that optimizer', () => {
    const v = lastJson(['train', '--model', 'vit', '--hidden', '16', '--max-steps', '2', '--json']);
    expect(v).toMatchObject({ command: 'train', model: 'vit', config: { epochs: 6, optimizer: 'adamw', lr: 2e-3, hidden: 16, max_steps: 2 } });
    expect(v.metrics.test_accuracy).toBeGreaterThanOrEqual(0);
    expect(v.metrics.test_accuracy).toBeLessThanOrEqual(1);
    const h = lastJson(['train', '--model', 'vit-hybrid', '--hidden', '8', '--max-steps', '1', '--optimizer', 'sgd', '--json']);
    expect(h).toMatchObject({ command: 'train', model: 'vit-hybrid', config: { epochs: 3, optimizer: 'sgd', lr: 5e-2, hidden: 8 } });
  }, 600_000);

  test('info and sample', async () => {
    const i = lastJson(['info', '--json']);
    expect(i.command).toBe('info');
    expect(typeof i.adapter).toBe('string');
    expect(i.metrics.max_storage_buffer_binding_size).toBeGreaterThan(0);

    const { vocab } = await corpus();
    await sg.init();
    const weights = join(dir, 'charlm.safetensors');
    try {
      const model = new CharGPT(vocab.size, { blockSize: CHARLM.blockSize, dModel: 16, nLayer: CHARLM.nLayer, nHead: CHARLM.nHead, seed: 1 });
      await sg.save(model.stateDict(), weights);
    } finally {
      sg.destroy();
    }
    const s = lastJson(['sample', '--weights', weights, '--hidden', '16', '--length', '12', '--prompt', 'Call me', '--json']);
    expect(s).toMatchObject({ command: 'sample', model: 'charlm' });
    expect(s.text.startsWith('Call me')).toBe(true);
    expect(s.text.length).toBe('Call me'.length + 12);
    expect(s.metrics.characters).toBe(12);
  });

  test('bench: per case the best validated variant, TF.js ms and the speedup; WRONG entries are counted', () => {
    const ok = { ...newEntry('tiled'), wallMs: [2, 2, 2], reps: 1 };
    const slow = { ...newEntry('naive'), wallMs: [8], reps: 1 };
    const wrong = newEntry('broken', 'WRONG', 'out[3] off');
    const peer = { ...newEntry('tfjs'), wallMs: [4], reps: 1 };
    const record = { date: '', device: 'd', features: [], peer: 'tfjs', filters: { quick: true }, options: {}, peaks: null, results: [{ family: 'matmul', case: '8x8x8', flops: 1024, entries: [slow, ok, wrong], peer }] };
    const line = benchJsonLine(record, 'out.json', 3);
    expect(line.results).toEqual([{ family: 'matmul', case: '8x8x8', variant: 'tiled', ms: 2, tfjs_ms: 4, speedup_vs_tfjs: 2 }]);
    expect(line.metrics).toEqual({ cases: 1, wrong_or_error: 1, geomean_speedup_vs_tfjs: 2, seconds: 3 });
    expect(JSON.stringify(line)).not.toContain('\n');
  });
});
