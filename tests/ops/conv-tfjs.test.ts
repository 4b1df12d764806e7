// conv2d against a second, independent implementation: TensorFlow.js's CPU backend (NHWC, so inputs
// and outputs are transposed), forward and the gradients of sum(conv * R) from tf.grads.
import '../helpers/matchers.js';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { Random } from '../../src/core/random.js';
import { conv2d } from '../../src/ops/conv.js';

beforeAll(async () => {
  await sg.init();
  await tf.setBackend('cpu');
});
afterAll(() => sg.destroy());

const values = (n: number, r: Random) => Float32Array.from({ length: n }, () => r.next() * 2 - 1);

interface TfCase {
  name: string;
  x: [number, number, number, number];
  w: [number, number, number, number];
  stride?: number;
  dilation?: number;
  padding: number | 'same';
  depthwise?: boolean;
  /** TF.js has no gradient for dilated convolutions: compare the forward pass only. */
  forwardOnly?: boolean;
}

const CASES: TfCase[] = [
  { name: '3x3 same', x: [2, 3, 8, 7], w: [5, 3, 3, 3], padding: 'same' },
  { name: 'batch 1 5x5 pad 2 stride 2', x: [1, 2, 11, 9], w: [4, 2, 5, 5], padding: 2, stride: 2 },
  { name: 'dilation 2 valid', x: [2, 2, 9, 10], w: [3, 2, 3, 3], padding: 0, dilation: 2, forwardOnly: true },
  { name: 'even kernel same', x: [1, 3, 6, 6], w: [2, 3, 2, 4], padding: 'same' },
  { name: 'depthwise x2 pad 1', x: [2, 3, 7, 5], w: [6, 1, 3, 3], padding: 1, depthwise: true },
];

describe.each(['im2col', 'implicit'] as const)('conv2d (%s) vs @tensorflow/tfjs-backend-cpu', (variant) => {
  test.each(CASES.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
    const r = new Random(c.name.length * 7919);
    const [N, C, H, W] = c.x;
    const [O, CG, KH, KW] = c.w;
    const xd = values(N * C * H * W, r);
    const wd = values(O * CG * KH * KW, r);
    const x = sg.tensor(xd, c.x, { requiresGrad: true });
    const w = sg.tensor(wd, c.w, { requiresGrad: true });
    const y = conv2d(x, w, null, { stride: c.stride, dilation: c.dilation, padding: c.padding, groups: c.depthwise ? C : 1, variant });
    const R = values(y.size, r);
    y.mul(sg.tensor(R, y.shape)).sum().backward();
    sg.realize(y, x.grad!, w.grad!);

    // TF.js: x NHWC, filter [kh, kw, in, out] (depthwise: [kh, kw, in, multiplier])
    const tx = tf.tensor(xd, c.x).transpose([0, 2, 3, 1]);
    const tw = c.depthwise ? tf.tensor(wd, [C, O / C, KH, KW]).transpose([2, 3, 0, 1]) : tf.tensor(wd, c.w).transpose([2, 3, 1, 0]);
    const pad = c.padding === 'same' ? 'same' : c.padding === 0 ? 'valid' : ([[0, 0], [c.padding, c.padding], [c.padding, c.padding], [0, 0]] as [number, number][]);
    const conv = (a: tf.Tensor, b: tf.Tensor) =>
      c.depthwise
        ? tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride ?? 1, pad as 'same', 'NHWC', c.dilation ?? 1)
        : tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride ?? 1, pad as 'same', 'NHWC', c.dilation ?? 1);
    const ty = conv(tx, tw).transpose([0, 3, 1, 2]);
    expect(ty.shape).toEqual(y.shape);
    const tol = { rtol: 1e-4, atol: 1e-4 };
    expect(await y.data(), 'forward').toBeAllClose(await ty.data(), tol);
    if (c.forwardOnly) return void tf.dispose([tx, tw, ty]);
    const tR = tf.tensor(R, y.shape).transpose([0, 2, 3, 1]);
    const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => conv(a, b).mul(tR).sum())([tx, tw]);
    const gxNchw = gx.transpose([0, 3, 1, 2]);
    const gwOurs = c.depthwise ? gw.transpose([2, 3, 0, 1]) : gw.transpose([3, 2, 0, 1]);
    expect(await x.grad!.data(), 'input gradient').toBeAllClose(await gxNchw.data(), tol);
    expect(await w.grad!.data(), 'weight gradient').toBeAllClose(await gwOurs.data(), tol);
    tf.dispose([tx, tw, ty, tR, gx, gw, gxNchw, gwOurs]);
  });
});
