// Creation ops recorded as kernels: every row of tests/ops/rows/creation.ts against its float64 reference,
// then every bad input.
import { describe } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { runBadInputs, runRows } from '../helpers/opcheck.js';
import { badInputs, rows } from './rows/creation.js';

useGpu();
runRows(rows);
describe('bad inputs', () => runBadInputs(badInputs));
