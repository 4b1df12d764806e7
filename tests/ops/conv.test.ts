// Convolutions: every row of tests/ops/rows/conv.ts (both conv2d forward variants) against its float64
// reference and central differences, then every bad input. TF.js's CPU backend, a second independent
// check, is in conv-tfjs.test.ts.
import { describe } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { runBadInputs, runRows } from '../helpers/opcheck.js';
import { badInputs, rows } from './rows/conv.js';

useGpu();
runRows(rows);
describe('bad inputs', () => runBadInputs(badInputs));
