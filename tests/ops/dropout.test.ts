// Dropout: every row of tests/ops/rows/dropout.ts against its float64 reference and central differences,
// then every bad input.
import { describe } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { runBadInputs, runRows } from '../helpers/opcheck.js';
import { badInputs, rows } from './rows/dropout.js';

useGpu();
runRows(rows);
describe('bad inputs', () => runBadInputs(badInputs));
