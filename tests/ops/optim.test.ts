// Optimizer update rules: every row of tests/ops/rows/optim.ts (one GPU step against PyTorch's update in
// float64), then every bad input.
import { describe } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { runBadInputs, runRows } from '../helpers/opcheck.js';
import { badInputs, rows } from './rows/optim.js';

useGpu();
runRows(rows);
describe('bad inputs', () => runBadInputs(badInputs));
