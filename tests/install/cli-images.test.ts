// Images in and out of the CLI. `shadergrad visualize`: a LeNet checkpoint's first-layer filters and the
// feature maps of a held-out digit as PNGs of the documented sizes; models without convolutions and bad
// arguments refused first. `shadergrad classify --images`: a PNG grid of digits (as `sample` writes) or
// one digit, classified in reading order; sizes that are not 28×28 tiles refused.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { MNIST_PIXELS } from '../../src/data/mnist.js';
import { loadMnist } from '../../src/node/mnist-files.js';
import { lastJson, shadergrad } from '../helpers/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sg-visualize-'));
  lastJson(['train', '--model', 'lenet', '--epochs', '1', '--digits', '0-1', '--checkpoint', join(dir, 'lenet.ckpt'), '--json', '--quiet']);
  lastJson(['train', '--model', 'mlp', '--hidden', '16', '--epochs', '1', '--digits', '0-1', '--checkpoint', join(dir, 'mlp.ckpt'), '--json', '--quiet']);
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('LeNet: filters.png, digit.png and one maps PNG per convolution, sized by --scale', () => {
  const out = join(dir, 'vis');
  const r = lastJson(['visualize', '--checkpoint', join(dir, 'lenet.ckpt'), '--out', out, '--index', '7', '--scale', '2', '--json']);
  expect(r).toMatchObject({ command: 'visualize', model: 'lenet', config: { index: 7, scale: 2 }, metrics: { conv_layers: 2, files: 4 } });
  expect(r.filters).toMatchObject({ layer: 'features.0', shape: [6, 1, 5, 5] });
  expect(r.layers.map((l: { layer: string; channels: number; height: number }) => [l.layer, l.channels, l.height])).toEqual([['features.0', 6, 28], ['features.3', 16, 10]]);
  const size = (f: string) => {
    const png = PNG.sync.read(readFileSync(join(out, f)));
    return [png.width, png.height];
  };
  expect(size('digit.png')).toEqual([56, 56]);
  expect(size('filters.png')).toEqual([(3 * 5 + 2) * 8, (2 * 5 + 1) * 8]); // 6 filters in 3 columns, 4 × --scale
  expect(size('maps-1-features.0.png')).toEqual([(3 * 28 + 2) * 2, (2 * 28 + 1) * 2]);
  expect(size('maps-2-features.3.png')).toEqual([(4 * 10 + 3) * 2, (4 * 10 + 3) * 2]);
  expect(r.metrics.predicted).toBeGreaterThanOrEqual(0);
}, 120_000);

test('refused before any GPU work: a model without convolutions, an index past the test split, a missing checkpoint', () => {
  const mlp = shadergrad(['visualize', '--checkpoint', join(dir, 'mlp.ckpt'), '--out', join(dir, 'x')]);
  expect(mlp.status).not.toBe(0);
  expect(mlp.stderr).toMatch(/mlp has no convolutions to show/);
  const index = shadergrad(['visualize', '--checkpoint', join(dir, 'lenet.ckpt'), '--out', join(dir, 'y'), '--index', '1000']);
  expect(index.status).not.toBe(0);
  expect(index.stderr).toMatch(/--index 1000: the test split has 1000 digits/);
  const missing = shadergrad(['visualize', '--checkpoint', join(dir, 'none.ckpt'), '--out', join(dir, 'z')]);
  expect(missing.stderr).toMatch(/--checkpoint .*none\.ckpt: no such file/);
}, 120_000);

/** A PNG of `digits` (each 784 values in [0, 1]) in rows of `columns`, no borders. */
function gridPng(digits: Float32Array[], columns: number): Buffer {
  const rows = Math.ceil(digits.length / columns);
  const png = new PNG({ width: 28 * columns, height: 28 * rows });
  png.data.fill(0);
  digits.forEach((d, k) => {
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++) {
        const i = 4 * (((Math.floor(k / columns) * 28 + y) * 28 * columns) + (k % columns) * 28 + x);
        png.data.fill(Math.round(255 * d[y * 28 + x]), i, i + 3);
        png.data[i + 3] = 255;
      }
  });
  return PNG.sync.write(png);
}

test('classify --images: a 10x2 grid of held-out 0s and 1s and a single digit, in reading order', async () => {
  const { test: split } = await loadMnist();
  const picked: number[] = [];
  for (let i = 0; i < split.count && picked.length < 20; i++) if (split.labels[i] <= 1) picked.push(i);
  const digits = picked.map((i) => split.images.slice(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS));
  writeFileSync(join(dir, 'grid.png'), gridPng(digits, 10));
  const r = lastJson(['classify', '--checkpoint', join(dir, 'lenet.ckpt'), '--images', join(dir, 'grid.png'), '--json']);
  expect(r.command).toBe('classify');
  expect(r.metrics.count).toBe(20);
  expect(r.predictions).toHaveLength(20);
  const right = r.predictions.filter((p: { class: number }, k: number) => p.class === split.labels[picked[k]]).length;
  expect(right).toBeGreaterThanOrEqual(18); // trained on 0s and 1s for one epoch
  for (const p of r.predictions) expect(p.p).toBeGreaterThan(0);
  expect(r.metrics.confident_fraction).toBe(r.predictions.filter((p: { p: number }) => p.p >= 0.9).length / 20);
  writeFileSync(join(dir, 'one.png'), gridPng([digits[3]], 1));
  const one = lastJson(['classify', '--checkpoint', join(dir, 'lenet.ckpt'), '--images', join(dir, 'one.png'), '--json']);
  expect(one.predictions).toEqual([r.predictions[3]].map((p: { class: number; p: number }) => ({ class: p.class, p: expect.closeTo(p.p, 5) })));
}, 120_000);

test('classify --images refuses a PNG that is not 28x28 tiles, a file that is not a PNG, and --count', () => {
  const odd = new PNG({ width: 30, height: 28 });
  writeFileSync(join(dir, 'odd.png'), PNG.sync.write(odd));
  const r = shadergrad(['classify', '--checkpoint', join(dir, 'lenet.ckpt'), '--images', join(dir, 'odd.png')]);
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/--images .*odd\.png: 30x28 pixels is not one 28x28 digit or a grid of them/);
  writeFileSync(join(dir, 'text.png'), 'not a png');
  expect(shadergrad(['classify', '--checkpoint', join(dir, 'lenet.ckpt'), '--images', join(dir, 'text.png')]).stderr).toMatch(/--images .*text\.png: not a readable PNG/);
  expect(shadergrad(['classify', '--checkpoint', join(dir, 'lenet.ckpt'), '--images', join(dir, 'odd.png'), '--count', '3']).stderr).toMatch(/--count is for the held-out digits/);
}, 60_000);
