// Every rejected input: a typed error, thrown synchronously when the op is called (before any GPU work),
// whose message names the op or argument and the shapes involved.
import { expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { useGpu } from '../helpers/gpu.js';
import { bad, runBadInputs } from '../helpers/opcheck.js';
import { f32 } from './rows/inputs.js';

useGpu();

// Bad inputs of the API entries that are not ops of the table (each op's are in tests/ops/rows/).
runBadInputs([
  bad('tensor', 'non-integer int32 data', () => sg.tensor([1.5], [1], { dtype: 'int32' }), sg.DTypeError, /tensor.*int32.*1\.5/),
  bad('tensor', 'NaN in data', () => sg.tensor([1, NaN, 3]), sg.ValueError, /tensor.*NaN.*index 1/),
  bad('tensor', 'Infinity in data', () => sg.tensor(Float32Array.of(0, 0, Infinity), [3]), sg.ValueError, /tensor.*Infinity.*index 2/),
  bad('tensor', '-Infinity nested', () => sg.tensor([[1], [-Infinity]]), sg.ValueError, /tensor.*-Infinity/),
  bad('tensor', 'data does not fill shape', () => sg.tensor([1, 2, 3], [2, 2]), sg.ShapeError, /tensor.*3 values.*\[2, 2\]/),
  bad('tensor', 'ragged nesting', () => sg.tensor([[1, 2], [3]]), sg.ShapeError, /tensor.*ragged/),
  bad('tensor', 'negative dimension', () => sg.tensor([], [2, -1]), sg.ShapeError, /tensor.*\[2, -1\]/),
  bad('backward', 'non-scalar without gradient', () => f32([2, 3], true).mul(2).backward(), sg.ShapeError, /backward.*non-scalar.*\[2, 3\]/),
  bad('backward', 'gradient of another shape', () => f32([2, 3], true).mul(2).backward(f32([3, 2])), sg.ShapeError, /backward.*\[3, 2\].*\[2, 3\]/),
  bad('backward', 'nothing requires grad', () => f32([]).mul(2).backward(), sg.ValueError, /backward.*requires? grad/),
]);

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
