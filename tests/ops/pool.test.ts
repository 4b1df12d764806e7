// Pooling and dropout: GPU vs the float64 reference of tests/helpers/conv-reference.ts,
// gradients vs central differences of that reference; awkward sizes, padding, dilation, batch 1.
import '../helpers/matchers.js';
import { describe, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { useGpu } from '../helpers/gpu.js';
import { adaptiveAvgPool2d, avgPool2d, globalAvgPool2d, maxPool2d, maxPool2dWithIndices } from '../../src/ops/pool.js';
import { dropout } from '../../src/ops/dropout.js';
import * as CR from '../helpers/conv-reference.js';
import * as R from '../helpers/reference.js';
import { nd, numericGrad, type Nd } from '../helpers/reference.js';

useGpu();

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32);
}
const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);
/** Distinct, well-separated values (no ties for max pooling, no kinks within the finite-difference step). */
function spaced(n: number, r: () => number): Float32Array {
  const cells = Array.from({ length: n }, (_, k) => k);
  for (let k = n - 1; k > 0; k--) {
    const j = Math.floor(r() * (k + 1));
    [cells[k], cells[j]] = [cells[j], cells[k]];
  }
  return Float32Array.from(cells, (c) => -3 + (6 * (c + 0.5)) / n);
}

async function check(label: string, shapes: number[][], gpu: (...xs: sg.Tensor[]) => sg.Tensor, ref: (...xs: Nd[]) => Nd, seed: number): Promise<void> {
  const r = rng(seed);
  const data = shapes.map((s) => spaced(numel(s), r));
  const xs = data.map((d, i) => sg.tensor(d, shapes[i], { requiresGrad: true }));
  const refXs = data.map((d, i) => nd(d, shapes[i]));
  const y = gpu(...xs);
  const want = ref(...refXs);
  expect(y.shape, `${label} shape`).toEqual(want.shape);
  const weights = Float32Array.from({ length: y.size }, () => r() * 2 - 1);
  y.mul(sg.tensor(weights, y.shape)).sum().backward();
  sg.realize(y, ...xs.map((x) => x.grad!));
  expect(Float64Array.from(await y.data()), `${label} forward`).toBeAllClose(want.data, { rtol: 1e-4, atol: 1e-5 });
  for (let i = 0; i < xs.length; i++) {
    const n = numel(shapes[i]);
    const at = n <= 40 ? [...Array(n).keys()] : [...new Set(Array.from({ length: 40 }, () => Math.floor(r() * n)))];
    const numeric = numericGrad(ref, refXs, nd(weights, want.shape), i, at, 1e-3);
    const got = await xs[i].grad!.data();
    expect(at.map((p) => got[p]), `${label} gradient of input ${i}`).toBeAllClose(numeric, { rtol: 1e-3, atol: 1e-3, positions: at, shape: shapes[i] });
  }
}

describe('pooling vs float64 reference, with gradients', () => {
  test.each([
    ['max 2x2', [2, 3, 8, 6], 2, {}],
    ['max 3x3 stride 2 pad 1 odd', [1, 2, 9, 7], 3, { stride: 2, padding: 1 }],
    ['max [3,2] stride [1,2] dilation 2', [2, 1, 9, 8], [3, 2], { stride: [1, 2], dilation: 2 }],
    ['max overlapping 3x3 stride 1', [1, 2, 5, 5], 3, { stride: 1 }],
  ] as const)('%s', async (name, xs, k, o) => {
    const kk: [number, number] = Array.isArray(k) ? [k[0], k[1]] : [k as number, k as number];
    const p2 = (v: unknown, d: [number, number]): [number, number] => (v === undefined ? d : Array.isArray(v) ? [v[0], v[1]] : [v as number, v as number]);
    await check(name, [[...xs]], (x) => maxPool2d(x, k as never, o as never), (x) => CR.maxPool2d(x, kk, { stride: p2((o as any).stride, kk), padding: p2((o as any).padding, [0, 0]), dilation: p2((o as any).dilation, [1, 1]) }), 3);
  });
  test.each([
    ['avg 2x2', [2, 3, 8, 6], 2, 2, 0, true],
    ['avg 3x3 stride 2 pad 1 (counts padding)', [1, 2, 9, 7], 3, 2, 1, true],
    ['avg 3x3 stride 2 pad 1 (excludes padding)', [1, 2, 9, 7], 3, 2, 1, false],
    ['avg 3x2 stride 1', [2, 1, 5, 6], [3, 2], 1, 0, true],
  ] as const)('%s', async (name, xs, k, s, p, cip) => {
    const kk: [number, number] = Array.isArray(k) ? [k[0], k[1]] : [k as number, k as number];
    await check(name, [[...xs]], (x) => avgPool2d(x, k as never, { stride: s, padding: p, countIncludePad: cip }), (x) => CR.avgPool2d(x, kk, { stride: [s, s], padding: [p, p], countIncludePad: cip }), 4);
  });
  test.each([
    ['adaptive 7x7 -> 3x3', [2, 2, 7, 7], [3, 3]],
    ['adaptive 9x5 -> 4x2', [1, 3, 9, 5], [4, 2]],
    ['adaptive 3x2 -> 5x4 (upsampling)', [1, 2, 3, 2], [5, 4]],
    ['adaptive -> 1x1', [2, 3, 5, 6], [1, 1]],
  ] as const)('%s', async (name, xs, os) => {
    await check(name, [[...xs]], (x) => adaptiveAvgPool2d(x, [os[0], os[1]]), (x) => CR.adaptiveAvgPool2d(x, [os[0], os[1]]), 5);
  });
  test('global average pool', async () => {
    await check('global', [[2, 3, 5, 4]], (x) => globalAvgPool2d(x), (x) => CR.adaptiveAvgPool2d(x, [1, 1]), 6);
  });
  test('max pool indices are flat positions in each plane (PyTorch), 3-D input', async () => {
    const x = sg.tensor([[[1, 5, 2], [7, 0, 3], [4, 8, 6]]]); // [1, 3, 3]
    const [y, idx] = maxPool2dWithIndices(x, 2, { stride: 1 });
    expect(Array.from(await y.data())).toEqual([7, 5, 8, 8]);
    expect(idx.dtype).toBe('int32');
    expect(Array.from(await idx.data())).toEqual([3, 1, 7, 7]);
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
