// The procedural shapes data set (src/data/shapes.ts): the same seed gives the same images and masks,
// image i does not depend on the count, the splits and seeds differ, every class occurs, masks agree
// with the pixels (shapes are brighter than the background), and bad arguments are refused.
import { expect, test } from 'vitest';
import { NUM_SHAPE_CLASSES, SHAPE_CLASSES, shapesDataset } from '../../src/data/shapes.js';
import { ValueError } from '../../src/core/errors.js';

const plane = 32 * 32;

test('deterministic: the same options give bit-identical images and masks', () => {
  const a = shapesDataset({ count: 20, size: 32, seed: 3, split: 'train' });
  const b = shapesDataset({ count: 20, size: 32, seed: 3, split: 'train' });
  expect(Buffer.from(a.images.buffer).equals(Buffer.from(b.images.buffer))).toBe(true);
  expect(Buffer.from(a.masks.buffer).equals(Buffer.from(b.masks.buffer))).toBe(true);
});

test('image i is the same whatever the count; the held-out split and another seed give other images', () => {
  const few = shapesDataset({ count: 5, size: 32, split: 'train' });
  const many = shapesDataset({ count: 50, size: 32, split: 'train' });
  expect(Array.from(many.masks.subarray(0, 5 * plane))).toEqual(Array.from(few.masks));
  const test_ = shapesDataset({ count: 5, size: 32, split: 'test' });
  const other = shapesDataset({ count: 5, size: 32, seed: 1, split: 'train' });
  for (let i = 0; i < 5; i++) {
    const img = (d: typeof few) => Array.from(d.images.subarray(i * plane, (i + 1) * plane));
    expect(img(test_)).not.toEqual(img(few));
    expect(img(other)).not.toEqual(img(few));
  }
});

test('every class occurs, values lie in [0, 1], and shape pixels are brighter than the background on average', () => {
  const d = shapesDataset({ count: 200, size: 32, split: 'test' });
  expect(SHAPE_CLASSES).toEqual(['background', 'circle', 'square', 'triangle']);
  const counts = new Array(NUM_SHAPE_CLASSES).fill(0);
  const sums = new Array(NUM_SHAPE_CLASSES).fill(0);
  for (let i = 0; i < d.masks.length; i++) {
    counts[d.masks[i]]++;
    sums[d.masks[i]] += d.images[i];
  }
  // every class holds at least 3% of the pixels; background the most
  for (const c of counts) expect(c / d.masks.length).toBeGreaterThan(0.03);
  expect(counts[0]).toBe(Math.max(...counts));
  expect(d.images.every((v) => v >= 0 && v <= 1)).toBe(true);
  const mean = sums.map((s, c) => s / counts[c]);
  for (const c of [1, 2, 3]) expect(mean[c]).toBeGreaterThan(mean[0] + 0.3);
});

test('a circle is round and a square fills its bounding box (geometry, not brightness, tells classes apart)', () => {
  const d = shapesDataset({ count: 300, size: 64, split: 'train' });
  // over single-shape images: area / bounding-box area is π/4 for circles, 1 for squares, below 0.6 for triangles
  const fill: Record<number, number[]> = { 1: [], 2: [], 3: [] };
  for (let i = 0; i < d.count; i++) {
    const m = d.masks.subarray(i * 4096, (i + 1) * 4096);
    const present = new Set(m);
    if (present.size !== 2) continue;
    const cls = [...present].find((c) => c !== 0)!;
    let [x0, y0, x1, y1, area] = [64, 64, -1, -1, 0];
    m.forEach((v, k) => {
      if (v !== cls) return;
      const [x, y] = [k % 64, Math.floor(k / 64)];
      [x0, y0, x1, y1, area] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y), area + 1];
    });
    // only shapes away from the borders (a clipped shape has another fill)
    if (x0 > 0 && y0 > 0 && x1 < 63 && y1 < 63) fill[cls].push(area / ((x1 - x0 + 1) * (y1 - y0 + 1)));
  }
  const median = (a: number[]) => [...a].sort((u, v) => u - v)[Math.floor(a.length / 2)];
  for (const c of [1, 2, 3]) expect(fill[c].length, `class ${c}`).toBeGreaterThan(5);
  expect(Math.abs(median(fill[1]) - Math.PI / 4)).toBeLessThan(0.05);
  expect(median(fill[2])).toBe(1);
  expect(median(fill[3])).toBeLessThan(0.65);
});

test('bad arguments are ValueErrors naming them', () => {
  expect(() => shapesDataset({ count: -1, split: 'train' })).toThrow(ValueError);
  expect(() => shapesDataset({ count: 2, size: 4, split: 'train' })).toThrow(/size must be an integer >= 8, got 4/);
  expect(() => shapesDataset({ count: 2, split: 'val' as 'train' })).toThrow(/split must be 'train' or 'test', got "val"/);
});
