// Pooling: every row of tests/ops/rows/pool.ts against its float64 reference and central differences,
// then every bad input and the PyTorch layout of max-pool indices.
import '../helpers/matchers.js';
import { describe, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { useGpu } from '../helpers/gpu.js';
import { maxPool2dWithIndices } from '../../src/ops/pool.js';
import { runBadInputs, runRows } from '../helpers/opcheck.js';
import { badInputs, rows } from './rows/pool.js';

useGpu();
runRows(rows);
describe('bad inputs', () => runBadInputs(badInputs));

test('max pool indices are flat positions in each plane (PyTorch), 3-D input', async () => {
  const x = sg.tensor([[[1, 5, 2], [7, 0, 3], [4, 8, 6]]]); // [1, 3, 3]
  const [y, idx] = maxPool2dWithIndices(x, 2, { stride: 1 });
  expect(Array.from(await y.data())).toEqual([7, 5, 8, 8]);
  expect(idx.dtype).toBe('int32');
  expect(Array.from(await idx.data())).toEqual([3, 1, 7, 7]);
});
