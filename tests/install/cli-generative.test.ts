// `shadergrad train --model denoising-ae`: the --json line's metrics (held-out PSNR of the output and of
// the noisy input), the saved weights, the --out picture, and the options it refuses.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { PNG } from 'pngjs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { lastJson, shadergrad } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sg-generative-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('denoising-ae, one epoch of width 8: PSNR well above the noisy input; --checkpoint writes the weights', () => {
  const weights = join(dir, 'dae.safetensors');
  const picture = join(dir, 'dae.png');
  const r = lastJson(['train', '--model', 'denoising-ae', '--epochs', '1', '--hidden', '8', '--checkpoint', weights, '--out', picture, '--json']);
  expect(r).toMatchObject({ command: 'train', model: 'denoising-ae', config: { epochs: 1, hidden: 8, noise_sigma: 0.5, optimizer: 'adam' }, weights });
  expect(Object.keys(r.metrics).sort()).toEqual(['noisy_psnr_db', 'seconds', 'test_psnr_db', 'train_loss']);
  expect(r.metrics.noisy_psnr_db).toBeGreaterThan(8);
  expect(r.metrics.noisy_psnr_db).toBeLessThan(11);
  expect(r.metrics.test_psnr_db).toBeGreaterThan(r.metrics.noisy_psnr_db + 3);
  expect(existsSync(weights)).toBe(true);
  const png = PNG.sync.read(readFileSync(picture)); // clean, noisy, denoised rows of 10 digits, twice the size
  expect([png.width, png.height]).toEqual([10 * 28 * 2, 3 * 28 * 2]);
}, 240_000);

test('denoising-ae refuses what it cannot honour', () => {
  for (const [args, message] of [
    [['--max-steps', '3'], /--max-steps is not supported for --model denoising-ae/],
    [['--optimizer', 'sgd'], /--optimizer is not supported for --model denoising-ae/],
    [['--digits', '0-4'], /--digits is for the MNIST models, not --model denoising-ae/],
  ] as const) {
    const r = shadergrad(['train', '--model', 'denoising-ae', ...args]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
  }
}, 60_000);
