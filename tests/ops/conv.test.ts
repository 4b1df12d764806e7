// conv2d / conv1d / convTranspose2d: one line per case, GPU forward vs the float64 reference of
// tests/helpers/conv-reference.ts, gradients of sum(op * R) vs central differences of that reference,
// both forward variants (im2col, implicit GEMM); then TF.js's CPU backend as a second, independent check.
import '../helpers/matchers.js';
import { describe, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { useGpu } from '../helpers/gpu.js';
import { conv1d, conv2d, convTranspose2d, type Conv2dOptions } from '../../src/ops/conv.js';
import * as CR from '../helpers/conv-reference.js';
import { nd, numericGrad, type Nd } from '../helpers/reference.js';

useGpu();

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32);
}
const values = (n: number, r: () => number) => Float32Array.from({ length: n }, () => r() * 2 - 1);
const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);

interface Case {
  name: string;
  x: number[];
  w: number[];
  bias?: boolean;
  opts: Conv2dOptions;
}
const c = (name: string, x: number[], w: number[], opts: Conv2dOptions = {}, bias = true): Case => ({ name, x, w, opts, bias });

const CONV2D: Case[] = [
  c('3x3 pad 1', [2, 3, 7, 6], [4, 3, 3, 3], { padding: 1 }),
  c('batch 1, 1 channel, 5x5 no pad', [1, 1, 9, 9], [2, 1, 5, 5], {}, false),
  c('stride 2, odd sizes', [2, 3, 9, 7], [5, 3, 3, 3], { stride: 2, padding: 1 }),
  c('stride [2,1] pad [0,2]', [1, 2, 8, 5], [3, 2, 3, 2], { stride: [2, 1], padding: [0, 2] }),
  c('dilation 2', [2, 2, 9, 9], [3, 2, 3, 3], { dilation: 2, padding: 2 }),
  c("padding 'same' even kernel", [1, 3, 6, 5], [2, 3, 4, 2], { padding: 'same' }),
  c("padding 'same' dilated", [2, 2, 7, 7], [3, 2, 3, 3], { padding: 'same', dilation: [2, 1] }),
  c('groups 2', [2, 4, 6, 6], [6, 2, 3, 3], { groups: 2, padding: 1 }),
  c('depthwise', [2, 3, 7, 5], [3, 1, 3, 3], { groups: 3, padding: 1, stride: 2 }),
  c('depthwise multiplier 2', [1, 2, 5, 5], [4, 1, 3, 3], { groups: 2 }),
  c('1x1 conv', [3, 5, 4, 4], [7, 5, 1, 1], {}),
  c('kernel = input', [2, 3, 4, 4], [2, 3, 4, 4], {}),
  c('resnet-like 16ch stride 2', [2, 16, 9, 9], [24, 16, 3, 3], { stride: 2, padding: 1 }),
];

const GRAD_POSITIONS = 20;
function positions(n: number, r: () => number): number[] {
  if (n <= GRAD_POSITIONS) return [...Array(n).keys()];
  return [...new Set(Array.from({ length: GRAD_POSITIONS }, () => Math.floor(r() * n)))];
}

/** Runs gpu(...xs) and ref(...xs), compares forward and every input's gradient. */
async function check(label: string, shapes: number[][], gpu: (...xs: sg.Tensor[]) => sg.Tensor, ref: (...xs: Nd[]) => Nd, seed: number): Promise<void> {
  const r = rng(seed);
  const data = shapes.map((s) => values(numel(s), r));
  const xs = data.map((d, i) => sg.tensor(d, shapes[i], { requiresGrad: true }));
  const refXs = data.map((d, i) => nd(d, shapes[i]));
  const y = gpu(...xs);
  const want = ref(...refXs);
  expect(y.shape, `${label} shape`).toEqual(want.shape);
  const weights = values(y.size, r);
  y.mul(sg.tensor(weights, y.shape)).sum().backward();
  sg.realize(y, ...xs.map((x) => x.grad!));
  expect(Float64Array.from(await y.data()), `${label} forward`).toBeAllClose(want.data, { rtol: 1e-4, atol: 1e-4 });
  for (let i = 0; i < xs.length; i++) {
    const at = positions(numel(shapes[i]), r);
    const numeric = numericGrad(ref, refXs, nd(weights, want.shape), i, at);
    const got = await xs[i].grad!.data();
    expect(at.map((p) => got[p]), `${label} gradient of input ${i}`).toBeAllClose(numeric, { rtol: 1e-3, atol: 1e-3, positions: at, shape: shapes[i] });
  }
}

const refOpts = (o: Conv2dOptions): CR.ConvRefOptions => {
  const p2 = (v: number | [number, number] | undefined, d: number): [number, number] => (v === undefined ? [d, d] : Array.isArray(v) ? v : [v, v]);
  return { stride: p2(o.stride, 1), dilation: p2(o.dilation, 1), groups: o.groups, padding: o.padding === 'same' ? 'same' : p2(o.padding as number | [number, number] | undefined, 0) };
};

describe.each(['im2col', 'implicit'] as const)('conv2d (%s) vs float64 reference, with gradients', (variant) => {
  test.each(CONV2D.map((k, i) => [k.name, k, i] as const))('%s', async (_n, k, i) => {
    const shapes = k.bias ? [k.x, k.w, [k.w[0]]] : [k.x, k.w];
    await check(
      `${variant} ${k.name}`,
      shapes,
      (x, w, b) => conv2d(x, w, b ?? null, { ...k.opts, variant }),
      (x, w, b) => CR.conv2d(x, w, b ?? null, refOpts(k.opts)),
      1000 + i,
    );
  });
});

describe('conv1d and convTranspose2d vs float64 reference, with gradients', () => {
  test.each([
    ['conv1d k3 pad 1', [2, 3, 11], [4, 3, 3], { padding: 1 }],
    ['conv1d stride 2 dilation 2 groups 2', [1, 4, 13], [6, 2, 3], { stride: 2, dilation: 2, groups: 2 }],
  ] as const)('%s', async (name, xs, ws, o) => {
    await check(name, [[...xs], [...ws], [ws[0]]], (x, w, b) => conv1d(x, w, b, o), (x, w, b) => CR.conv1d(x, w, b, o), 7);
  });
  test.each([
    ['stride 2 k3 pad 1 outputPadding 1', [2, 3, 4, 5], [3, 2, 3, 3], { stride: [2, 2], padding: [1, 1], outputPadding: [1, 1] }],
    ['stride 1 k2', [1, 2, 3, 3], [2, 3, 2, 2], {}],
    ['groups 2, dilation 2, stride [2,1]', [1, 4, 3, 4], [4, 1, 3, 2], { groups: 2, dilation: [2, 2], stride: [2, 1] }],
  ] as const)('convTranspose2d %s', async (name, xs, ws, o) => {
    const COUT = ws[1] * ((o as { groups?: number }).groups ?? 1);
    await check(name, [[...xs], [...ws], [COUT]], (x, w, b) => convTranspose2d(x, w, b, o as never), (x, w, b) => CR.convTranspose2d(x, w, b, o as never), 9);
  });
});
