// Seeing inside a CNN (src/vis/feature-maps.ts): the Conv2d layers found with their state-dict paths; the
// captured feature maps equal the convolutions run by hand, and the model is left as it was; tiles are
// laid out and scaled as documented.
import { describe, expect, test } from 'vitest';
import { LeNet, ResNet } from '../../src/models/index.js';
import { Conv2d } from '../../src/nn/conv.js';
import { convLayers, featureMaps, firstLayerFilters, tileImages, toRgba, upscale } from '../../src/vis/feature-maps.js';
import { useGpu } from '../helpers/gpu.js';
import '../helpers/matchers.js';

const sg = useGpu();

describe('feature maps', () => {
  test('convLayers: every Conv2d with its state-dict path, in order', () => {
    const names = convLayers(new ResNet({ widths: [4, 6, 8] })).map((l) => l.name);
    expect(names.slice(0, 3)).toEqual(['stem', 'blocks.0.conv1', 'blocks.0.conv2']);
    expect(names).toContain('blocks.1.shortcut.0');
    const keys = Object.keys(new ResNet({ widths: [4, 6, 8] }).stateDict());
    for (const n of names) expect(keys).toContain(`${n}.weight`);
  });

  test('featureMaps: LeNet\'s two convolutions for one digit, as conv2d computes them; forwards restored', async () => {
    sg.manualSeed(3);
    const model = new LeNet();
    const x = sg.rand([1, 1, 28, 28], { seed: 4 });
    const maps = await featureMaps(model, x);
    expect(maps.map((m) => [m.layer, m.shape])).toEqual([['features.0', [6, 28, 28]], ['features.3', [16, 10, 10]]]);
    const [c1, c2] = convLayers(model).map((l) => l.conv);
    const h1 = c1.forward(x);
    expect(maps[0].data).toBeAllClose(await h1.data(), { rtol: 1e-6, atol: 1e-6 });
    const h2 = c2.forward(sg.nn.functional.maxPool2d(h1.relu(), 2));
    expect(maps[1].data).toBeAllClose(await h2.data(), { rtol: 1e-5, atol: 1e-5 });
    for (const c of [c1, c2]) {
      expect(Object.hasOwn(c, 'forward')).toBe(false);
      expect(c.forward).toBe(Conv2d.prototype.forward);
    }
    await expect(featureMaps(model, sg.rand([2, 1, 28, 28]))).rejects.toThrow(/featureMaps: x must hold one input/);
    await expect(featureMaps(new sg.nn.Sequential(new sg.nn.Linear(4, 2)), sg.rand([1, 4]))).rejects.toThrow(/has no Conv2d layer/);
  });

  test('firstLayerFilters: LeNet\'s 6 filters of 5x5 on one signed scale (0 is mid-gray)', async () => {
    const model = new LeNet();
    (model.features.layers[0] as Conv2d).weight.assign(sg.tensor(Float32Array.from({ length: 150 }, (_, i) => (i === 0 ? 1 : i === 1 ? -1 : 0)), [6, 1, 5, 5]));
    const f = await firstLayerFilters(model);
    expect(f.layer).toBe('features.0');
    expect([f.image.width, f.image.height]).toEqual([3 * 5 + 2, 2 * 5 + 1]);
    expect([f.image.data[0], f.image.data[1], f.image.data[2]]).toEqual([1, 0, 0.5]);
  });

  test('tileImages: a grid with white gaps; each tile scaled from its own min to max', () => {
    const img = tileImages([0, 2, 4, 6, -1, -1, -1, -1, 5, 7, 5, 7], [3, 2, 2], { columns: 2 });
    expect([img.width, img.height]).toEqual([5, 5]);
    const row = (y: number) => Array.from(img.data.slice(y * 5, y * 5 + 5)).map((v) => +v.toFixed(3));
    expect(row(0)).toEqual([0, 0.333, 1, 0.5, 0.5]); // tile 0 scaled 0..6; tile 1 constant → mid-gray
    expect(row(2)).toEqual([1, 1, 1, 1, 1]); // the gap row
    expect(row(3)).toEqual([0, 1, 1, 1, 1]); // tile 2 (5..7), then the empty cell
    expect(() => tileImages([1, 2, 3], [1, 2, 2])).toThrow(/tileImages: 3 values do not make 1 tiles of 2x2/);
    const big = upscale({ width: 2, height: 1, data: Float32Array.from([0, 1]) }, 2);
    expect(Array.from(big.data)).toEqual([0, 0, 1, 1, 0, 0, 1, 1]);
    expect(Array.from(toRgba({ width: 1, height: 1, data: Float32Array.from([0.5]) }))).toEqual([128, 128, 128, 255]);
  });
});
