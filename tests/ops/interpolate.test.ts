// Interpolation: every row of tests/ops/rows/interpolate.ts against its float64 reference and central
// differences, every bad input, and a few values worked out by hand.
import '../helpers/matchers.js';
import { describe, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { useGpu } from '../helpers/gpu.js';
import { runBadInputs, runRows } from '../helpers/opcheck.js';
import { badInputs, rows } from './rows/interpolate.js';

useGpu();
runRows(rows);
describe('bad inputs', () => runBadInputs(badInputs));

test('hand-worked values: nearest copies, bilinear blends (PyTorch: [1, 1.25, 1.75, 2] and [1, 1.333, 1.667, 2])', async () => {
  const x = sg.tensor([1, 2], [1, 1, 1, 2]);
  const F = sg.nn.functional;
  expect(Array.from(await F.interpolate(x, { scaleFactor: [1, 2] }).data())).toEqual([1, 1, 2, 2]);
  expect(await F.interpolate(x, { scaleFactor: [1, 2], mode: 'bilinear' }).data()).toBeAllClose([1, 1.25, 1.75, 2]);
  expect(await F.interpolate(x, { size: [1, 4], mode: 'bilinear', alignCorners: true }).data()).toBeAllClose([1, 4 / 3, 5 / 3, 2]);
});
