// `shadergrad visualize`: a LeNet checkpoint's first-layer filters and the feature maps of a held-out
// digit as PNGs of the documented sizes; models without convolutions and bad arguments refused first.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, expect, test } from 'vitest';
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
