// `shadergrad train --model detector`: a short run (5 steps of batch 2, width 4) ends with the --json line (test_map50 and
// the per-class APs as fractions, the config it ran), saves weights a Detector loads strictly, and writes the
// --out PNG; the options it has no use for are refused, not ignored. The full run's numbers are in the README.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Detector } from '../../src/models/detector.js';
import { lastJson, shadergrad } from '../helpers/cli.js';
import { useGpu } from '../helpers/gpu.js';

const sg = useGpu();
let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'sg-detector-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('--json: test_map50 and per-class AP in [0, 1], the config; --checkpoint loads into a Detector; --out is a PNG', async () => {
  const weights = join(dir, 'det.safetensors');
  const png = join(dir, 'det.png');
  const line = lastJson(['train', '--model', 'detector', '--max-steps', '5', '--batch-size', '2', '--hidden', '4', '--json', '--checkpoint', weights, '--out', png]);
  expect(line).toMatchObject({ command: 'train', model: 'detector', weights, image: png });
  expect(line.config).toMatchObject({ max_steps: 5, epochs: 6, steps_per_epoch: 100, batch_size: 2, hidden: 4, lr: 3e-3, seed: 0, test_canvases: 500 });
  const m = line.metrics;
  expect(m.test_map50).toBeGreaterThanOrEqual(0);
  expect(m.test_map50).toBeLessThanOrEqual(1);
  const perClass = Array.from({ length: 10 }, (_, c) => m[`test_ap50_${c}`] as number);
  for (const ap of perClass) expect(ap >= 0 && ap <= 1).toBe(true);
  expect(m.test_map50).toBeCloseTo(perClass.reduce((a, b) => a + b, 0) / 10, 12);
  expect(m.train_loss).toBeGreaterThan(0);
  const model = new Detector({ width: 4 });
  model.loadStateDict(await sg.load(weights, { model }));
  const bytes = readFileSync(png);
  expect(bytes.subarray(1, 4).toString()).toBe('PNG');
  expect(bytes.readUInt32BE(16)).toBe(8 * 256 + 9 * 8); // 8 canvases magnified 4×, 8-pixel gaps
}, 120_000);

test('options the detector has no use for are refused by name, before any work', () => {
  for (const [args, pattern] of [
    [['--resume', 'x'], /--resume is not supported for --model detector/],
    [['--logdir', 'x'], /--logdir is not supported for --model detector/],
    [['--digits', '0-4'], /--digits is not supported for --model detector/],
    [['--optimizer', 'sgd'], /--optimizer is not supported for --model detector/],
  ] as const) {
    const r = shadergrad(['train', '--model', 'detector', ...args]);
    expect(r.status, r.stdout).toBe(1);
    expect(r.stderr).toMatch(pattern);
  }
  const r = shadergrad(['train', '--model', 'mlp', '--out', join(dir, 'x.png')]);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/--out is for --model unet, detector and denoising-ae, not --model mlp/);
  expect(existsSync(join(dir, 'x.png'))).toBe(false);
});
