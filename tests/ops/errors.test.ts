// Every rejected input: a typed error, thrown synchronously when the op is called (before any GPU work),
// whose message names the op or argument and the shapes involved.
import { expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { useGpu } from '../helpers/gpu.js';

const { crossEntropy, mseLoss } = sg.nn.functional;

useGpu();

type ErrorClass = new (...args: any[]) => Error;
const t = (shape: number[], opts: sg.TensorOptions = {}) => sg.zeros(shape, opts);
const f32 = (shape: number[], requiresGrad = false) => sg.tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.5), shape, { requiresGrad });
const ints = (values: number[], shape = [values.length]) => sg.tensor(Int32Array.from(values), shape, { dtype: 'int32' });

//  what                                              call                                                               error            message must match
const cases: Array<[string, () => unknown, ErrorClass, RegExp]> = [
  ['matmul: inner dims', () => f32([2, 3]).matmul(f32([4, 5])), sg.ShapeError, /matmul.*\[2, 3\].*\[4, 5\]/],
  ['matmul: vector inner dims', () => f32([3]).matmul(f32([4])), sg.ShapeError, /matmul.*3.*4/],
  ['matmul: batch mismatch', () => f32([2, 3, 4]).matmul(f32([3, 4, 5])), sg.ShapeError, /matmul.*\[2\].*\[3\]/],
  ['matmul: scalar operand', () => f32([]).matmul(f32([3])), sg.ShapeError, /matmul.*\[\].*\[3\]/],
  ['matmul: int32 operand', () => ints([1, 2]).matmul(f32([2])), sg.DTypeError, /matmul.*int32.*\[2\]/],
  ['crossEntropy: float labels', () => crossEntropy(f32([2, 3]), f32([2])), sg.DTypeError, /crossEntropy.*labels.*float32.*\[2\]/],
  ['crossEntropy: class id out of range', () => crossEntropy(f32([2, 3]), ints([0, 3])), sg.ValueError, /crossEntropy.*3.*\[0, 3\).*\[2, 3\]/],
  ['crossEntropy: negative class id', () => crossEntropy(f32([2, 3]), ints([-1, 0])), sg.ValueError, /crossEntropy.*-1.*\[2, 3\]/],
  ['crossEntropy: labels length', () => crossEntropy(f32([2, 3]), ints([0, 1, 2])), sg.ShapeError, /crossEntropy.*\[2, 3\].*\[3\]/],
  ['crossEntropy: 1-D logits', () => crossEntropy(f32([3]), ints([0])), sg.ShapeError, /crossEntropy.*logits.*\[3\]/],
  ['mseLoss: shape mismatch', () => mseLoss(f32([2, 3]), f32([3, 2])), sg.ShapeError, /mseLoss.*\[2, 3\].*\[3, 2\]/],
  ['mseLoss: bad reduction', () => mseLoss(f32([2]), f32([2]), { reduction: 'avg' as 'mean' }), sg.ValueError, /reduction.*avg/],
  ['tensor: non-integer int32 data', () => sg.tensor([1.5], [1], { dtype: 'int32' }), sg.DTypeError, /tensor.*int32.*1\.5/],
  ['tensor: NaN in data', () => sg.tensor([1, NaN, 3]), sg.ValueError, /tensor.*NaN.*index 1/],
  ['tensor: Infinity in data', () => sg.tensor(Float32Array.of(0, 0, Infinity), [3]), sg.ValueError, /tensor.*Infinity.*index 2/],
  ['tensor: -Infinity nested', () => sg.tensor([[1], [-Infinity]]), sg.ValueError, /tensor.*-Infinity/],
  ['tensor: data does not fill shape', () => sg.tensor([1, 2, 3], [2, 2]), sg.ShapeError, /tensor.*3 values.*\[2, 2\]/],
  ['tensor: ragged nesting', () => sg.tensor([[1, 2], [3]]), sg.ShapeError, /tensor.*ragged/],
  ['tensor: negative dimension', () => sg.tensor([], [2, -1]), sg.ShapeError, /tensor.*\[2, -1\]/],
  ['backward: non-scalar without gradient', () => f32([2, 3], true).mul(2).backward(), sg.ShapeError, /backward.*non-scalar.*\[2, 3\]/],
  ['backward: gradient of another shape', () => f32([2, 3], true).mul(2).backward(f32([3, 2])), sg.ShapeError, /backward.*\[3, 2\].*\[2, 3\]/],
  ['backward: nothing requires grad', () => f32([]).mul(2).backward(), sg.ValueError, /backward.*requires? grad/],
  ['sum: axis out of range', () => f32([2, 3]).sum(2), sg.ShapeError, /sum.*axis 2.*\[2, 3\]/],
  ['mean: negative axis out of range', () => f32([2, 3]).mean(-3), sg.ShapeError, /mean.*axis -3.*\[2, 3\]/],
  ['max: repeated axis', () => f32([2, 3]).max([1, -1]), sg.ShapeError, /max.*repeated axis/],
  ['max: empty axis', () => f32([0, 3]).max(0), sg.ShapeError, /max.*empty.*\[0, 3\]/],
  ['argmax: axis out of range', () => f32([2, 3]).argmax(5), sg.ShapeError, /argmax.*axis 5.*\[2, 3\]/],
  ['argmax: empty tensor', () => f32([0]).argmax(), sg.ShapeError, /argmax.*empty.*\[0\]/],
  ['softmax: axis out of range', () => f32([2, 3]).softmax(2), sg.ShapeError, /softmax.*axis 2.*\[2, 3\]/],
  ['logSoftmax: axis out of range', () => f32([4]).logSoftmax(1), sg.ShapeError, /logSoftmax.*axis 1.*\[4\]/],
];

test.each(cases)('%s', (_what, call, ErrorType, message) => {
  const before = sg.stats();
  let thrown: unknown = null;
  let result: unknown;
  try {
    result = call();
  } catch (e) {
    thrown = e;
  }
  // synchronously: not a rejected promise, not an error surfacing at the next readback
  if (thrown === null && result instanceof Promise) result.catch(() => undefined);
  expect(thrown, 'thrown synchronously when the op is called').toBeInstanceOf(ErrorType);
  expect((thrown as Error).name).toBe(ErrorType.name);
  expect((thrown as Error).message).toMatch(message);
  const after = sg.stats();
  expect({ submits: after.submits, dispatches: after.dispatches }, 'no GPU work before the error').toEqual({ submits: before.submits, dispatches: before.dispatches });
});

test('item() on a tensor of several elements rejects with a ShapeError naming the shape (it is async)', async () => {
  await expect(f32([2]).item()).rejects.toThrow(sg.ShapeError);
  await expect(f32([2]).item()).rejects.toThrow(/item.*\[2\]/);
});

test('the engine still works after rejected inputs', async () => {
  expect(() => f32([3]).add(f32([4]))).toThrow(sg.ShapeError);
  expect(Array.from(await f32([3]).add(1).data())).toEqual([1.5, 1.5, 1.5]);
});

test('allowNonFinite lets NaN and Infinity through on purpose', async () => {
  const x = sg.tensor([NaN, Infinity, -Infinity], [3], { allowNonFinite: true });
  expect(Array.from(await x.data())).toEqual([NaN, Infinity, -Infinity]);
});
