// Every rejected input: a typed error, thrown synchronously when the op is called (before any GPU work),
// whose message names the op or argument and the shapes involved.
import { expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { useGpu } from '../helpers/gpu.js';

useGpu();

type ErrorClass = new (...args: any[]) => Error;
const t = (shape: number[], opts: sg.TensorOptions = {}) => sg.zeros(shape, opts);
const f32 = (shape: number[], requiresGrad = false) => sg.tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.5), shape, { requiresGrad });
const ints = (values: number[], shape = [values.length]) => sg.tensor(Int32Array.from(values), shape, { dtype: 'int32' });

//  what                                              call                                                               error            message must match
const cases: Array<[string, () => unknown, ErrorClass, RegExp]> = [
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
  ['reshape: wrong size', () => f32([2, 3]).reshape([4, 2]), sg.ShapeError, /reshape.*\[2, 3\].*\[4, 2\]/],
  ['reshape: two -1', () => f32([2, 3]).reshape([-1, -1]), sg.ShapeError, /reshape.*\[-1, -1\]/],
  ['reshape: -1 that does not divide', () => f32([2, 3]).reshape([4, -1]), sg.ShapeError, /reshape.*\[2, 3\].*\[4, -1\]/],
  ['transpose: axis out of range', () => f32([2, 3]).transpose(0, 2), sg.ShapeError, /transpose.*axis 2.*\[2, 3\]/],
  ['permute: not a permutation', () => f32([2, 3, 4]).permute([0, 0, 1]), sg.ShapeError, /permute.*\[0,0,1\].*\[2, 3, 4\]/],
  ['permute: wrong length', () => f32([2, 3, 4]).permute([1, 0]), sg.ShapeError, /permute.*\[1,0\].*\[2, 3, 4\]/],
  ['expand: incompatible', () => f32([3, 2]).expand([3, 4]), sg.ShapeError, /expand.*\[3, 2\].*\[3, 4\]/],
  ['squeeze: axis out of range', () => f32([1, 3]).squeeze(2), sg.ShapeError, /squeeze.*axis 2.*\[1, 3\]/],
  ['unsqueeze: axis out of range', () => f32([3]).unsqueeze(3), sg.ShapeError, /unsqueeze.*axis 3.*\[3\]/],
  ['slice: too many starts', () => f32([3]).slice([0, 0]), sg.ShapeError, /slice.*\[3\]/],
  ['cat: shapes differ', () => sg.cat([f32([2, 3]), f32([2, 4])], 0), sg.ShapeError, /cat.*\[2, 3\].*\[2, 4\]/],
  ['cat: axis out of range', () => sg.cat([f32([2, 3]), f32([2, 3])], 2), sg.ShapeError, /cat.*axis 2.*\[2, 3\]/],
  ['cat: no tensors', () => sg.cat([]), sg.ShapeError, /cat/],
  ['cat: mixed dtypes', () => sg.cat([f32([2]), ints([1, 2])]), sg.DTypeError, /cat.*float32.*int32/],
  ['stack: shapes differ', () => sg.stack([f32([2]), f32([3])]), sg.ShapeError, /(stack|cat).*\[1, 2\].*\[1, 3\]|stack.*\[2\].*\[3\]/],
  ['gather: index out of range', () => f32([4, 2]).gather(ints([0, 4])), sg.ValueError, /gather.*4.*\[4, 2\]/],
  ['gather: negative index', () => f32([4, 2]).gather(ints([-1])), sg.ValueError, /gather.*-1.*\[4, 2\]/],
  ['gather: float indices', () => f32([4, 2]).gather(f32([2])), sg.DTypeError, /gather.*indices.*float32.*\[2\]/],
  ['gather: scalar table', () => f32([]).gather(ints([0])), sg.ShapeError, /gather.*\[\]/],
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
