// A second, independent oracle: TensorFlow.js on its CPU backend computes the same ops on the same f32
// inputs. (gelu is left out: tfjs has no tanh-approximation gelu; batch broadcasting beyond
// one side having no batch dims is left out too: tfjs matMul does not broadcast [3,1,..] with [2,..].)
import '../helpers/matchers.js';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';

const { crossEntropy } = sg.nn.functional;

beforeAll(async () => {
  await tf.setBackend('cpu');
  await sg.init();
});
afterAll(() => {
  sg.destroy();
  tf.disposeVariables();
});

function values(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((hi - lo) * s) / 2 ** 32;
  }
  return out;
}

const numel = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const pair = (shape: number[], seed: number, lo?: number, hi?: number) => {
  const v = values(numel(shape), seed, lo, hi);
  return { sg: sg.tensor(v, shape), tf: tf.tensor(v, shape, 'float32') };
};
const ours = async (t: sg.Tensor) => ({ shape: t.shape, data: Float64Array.from(await t.data()) });
const theirs = (t: tf.Tensor) => ({ shape: t.shape, data: Float64Array.from(t.dataSync()) });

test.each([
  [[7, 13], [13, 5]],
  [[64, 784], [784, 10]],
  [[2, 3, 4, 5], [5, 6]],
  [[3, 4, 5], [5, 2]],
])('matmul %j @ %j', async (sa, sb) => {
  const a = pair(sa, 1);
  const b = pair(sb, 2);
  expect(await ours(a.sg.matmul(b.sg))).toBeAllClose(theirs(tf.matMul(a.tf, b.tf)), { rtol: 1e-4, atol: 1e-4 });
});

test('matmul with transposed operands', async () => {
  const a = pair([13, 7], 3);
  const b = pair([5, 13], 4);
  expect(await ours(a.sg.T.matmul(b.sg.T))).toBeAllClose(theirs(tf.matMul(a.tf, b.tf, true, true)), { rtol: 1e-4, atol: 1e-4 });
});

test.each([[[3, 5]], [[67, 9]], [[2, 3, 130]]])('softmax and logSoftmax over the last axis of %j', async (shape) => {
  const x = pair(shape, 5, -8, 8);
  expect(await ours(x.sg.softmax(-1))).toBeAllClose(theirs(tf.softmax(x.tf)), { rtol: 1e-4, atol: 1e-6 });
  expect(await ours(x.sg.logSoftmax(-1))).toBeAllClose(theirs(tf.logSoftmax(x.tf)), { rtol: 1e-4, atol: 1e-5 });
});

test('softmax over a middle axis', async () => {
  const x = pair([2, 7, 3], 6, -4, 4);
  const want = tf.transpose(tf.softmax(tf.transpose(x.tf, [0, 2, 1])), [0, 2, 1]);
  expect(await ours(x.sg.softmax(1))).toBeAllClose(theirs(want), { rtol: 1e-4, atol: 1e-6 });
});

test('reductions: sum, mean, max, argmax over axes', async () => {
  const x = pair([4, 33, 5], 7);
  expect(await ours(x.sg.sum(1))).toBeAllClose(theirs(tf.sum(x.tf, 1)), { rtol: 1e-4, atol: 1e-5 });
  expect(await ours(x.sg.mean([0, 2], true))).toBeAllClose(theirs(tf.mean(x.tf, [0, 2], true)), { rtol: 1e-4, atol: 1e-6 });
  expect(await ours(x.sg.max(-1))).toBeAllClose(theirs(tf.max(x.tf, -1)), { rtol: 0, atol: 0 });
  expect(await ours(x.sg.argmax(1))).toBeAllClose(theirs(tf.argMax(x.tf, 1)), { rtol: 0, atol: 0 });
});

test.each([
  [7, 5],
  [64, 10],
])('crossEntropy on [%i, %i] logits vs tf.losses.softmaxCrossEntropy with one-hot labels', async (n, c) => {
  const logits = pair([n, c], 8, -3, 3);
  const labels = Array.from({ length: n }, (_, i) => (i * 7 + 3) % c);
  const ids = sg.tensor(Int32Array.from(labels), [n], { dtype: 'int32' });
  const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), c);
  const want = tf.losses.softmaxCrossEntropy(onehot, logits.tf, undefined, 0, tf.Reduction.MEAN);
  expect(await ours(crossEntropy(logits.sg, ids))).toBeAllClose(theirs(want), { rtol: 1e-5, atol: 1e-6 });
  const perSample = tf.losses.softmaxCrossEntropy(onehot, logits.tf, undefined, 0, tf.Reduction.NONE);
  expect(await ours(crossEntropy(logits.sg, ids, { reduction: 'none' }))).toBeAllClose(theirs(perSample), { rtol: 1e-5, atol: 1e-6 });
});

test('crossEntropy gradient vs tf.grad of softmaxCrossEntropy', async () => {
  const [n, c] = [9, 6];
  const v = values(n * c, 9, -3, 3);
  const labels = Array.from({ length: n }, (_, i) => (i * 5 + 1) % c);
  const logits = sg.tensor(v, [n, c], { requiresGrad: true });
  crossEntropy(logits, sg.tensor(Int32Array.from(labels), [n], { dtype: 'int32' })).backward();
  const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), c);
  const g = tf.grad((x: tf.Tensor) => tf.losses.softmaxCrossEntropy(onehot, x, undefined, 0, tf.Reduction.MEAN))(tf.tensor(v, [n, c]));
  expect(await ours(logits.grad!)).toBeAllClose(theirs(g), { rtol: 1e-4, atol: 1e-6 });
});
