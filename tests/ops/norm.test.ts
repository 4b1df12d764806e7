// Normalization ops: every row of tests/ops/rows/norm.ts against its float64 reference and central
// differences, the references on hand-computed values, then every bad input.
import '../helpers/matchers.js';
import { describe, expect, test } from 'vitest';
import { nd } from '../../src/core/nd.js';
import { OPS } from '../../src/ops/table.js';
import { useGpu } from '../helpers/gpu.js';
import { runBadInputs, runRows } from '../helpers/opcheck.js';
import { badInputs, rows } from './rows/norm.js';

useGpu();
runRows(rows);

describe('references on hand-computed values', () => {
  test('batchNorm evaluation: (x - running mean) / sqrt(running var) * weight + bias', () => {
    const y = OPS.batchNorm.reference(nd([1, 2, 3, 5], [2, 2]), nd([1, 2], [2]), nd([4, 9], [2]), { training: false, eps: 0, weight: nd([2, 1], [2]), bias: nd([0, 1], [2]) });
    expect(y.data).toBeAllClose([0, 1, 2, 2]);
  });
  test('batchNorm training: batch mean and biased variance per channel', () => {
    // channel 0: 1, 3, 5 (mean 3, biased var 8/3); channel 1: 2, 6, 10 (mean 6, var 32/3)
    const y = OPS.batchNorm.reference(nd([1, 2, 3, 6, 5, 10], [3, 2]), null, null, { eps: 0 });
    const s0 = Math.sqrt(8 / 3);
    const s1 = Math.sqrt(32 / 3);
    expect(y.data).toBeAllClose([-2 / s0, -4 / s1, 0, 0, 2 / s0, 4 / s1]);
  });
  test('layerNorm: each row over the normalized dims', () => {
    const y = OPS.layerNorm.reference(nd([1, 3, 0, 4], [2, 2]), [2], nd([1, 2], [2]), nd([0, 1], [2]), 0);
    expect(y.data).toBeAllClose([-1, 3, -1, 3]);
  });
});

describe('bad inputs', () => runBadInputs(badInputs));
