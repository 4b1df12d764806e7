// matmul of the table: NumPy batch broadcasting, 1-D operands, transposed and sliced operands (strides
// folded into the kernel), empty products; and the bad inputs.
import * as sg from '../../../src/node/index.js';
import { OPS } from '../../../src/ops/table.js';
import { SUMS, bad, row, uni, type BadInput, type OpRow } from '../../helpers/opcheck.js';
import { f32, ints } from './inputs.js';

const mm = OPS.matmul.reference;
const SIGNED = { gens: [uni(-1, 1), uni(-1, 1)], ...SUMS };

export const rows: OpRow[] = [
  row('matmul', null, (a, b) => a.matmul(b), mm, [
    [[1, 1], [1, 1]], [[7, 13], [13, 5]], [[64, 784], [784, 10]], [[33, 65], [65, 17]],
    [[2, 3, 4, 5], [5, 6]], [[4, 5], [3, 5, 2]], [[2, 1, 3, 4], [5, 4, 2]], [[2, 2, 1, 2, 3, 4], [4, 5]],
    [[13], [13, 5]], [[7, 13], [13]], [[13], [13]], [[3, 13], [2, 1, 13, 4]], [[0, 3], [3, 4]], [[3, 0], [0, 4]],
  ], SIGNED),
  row('matmul', 'matmul a.T @ b', (a, b) => a.T.matmul(b), (a, b) => mm(OPS.transpose.reference(a), b), [[[13, 7], [13, 5]], [[2, 9, 4], [9, 6]]], SIGNED),
  row('matmul', 'matmul a @ b.T', (a, b) => a.matmul(b.T), (a, b) => mm(a, OPS.transpose.reference(b)), [[[7, 13], [5, 13]], [[60, 100], [10, 100]]], SIGNED),
  row('matmul', 'matmul a.T @ b.T', (a, b) => a.T.matmul(b.T), (a, b) => mm(OPS.transpose.reference(a), OPS.transpose.reference(b)), [[[13, 7], [5, 13]]], SIGNED),
  row('matmul', 'matmul of slices', (a, b) => a.slice([1, 2], [6, 12]).matmul(b.slice([2], [12])), (a, b) => mm(OPS.slice.reference(a, [1, 2], [6, 12]), OPS.slice.reference(b, [2], [12])), [[[7, 13], [13, 5]]], SIGNED),
];

export const badInputs: BadInput[] = [
  bad('matmul', 'inner dims', () => f32([2, 3]).matmul(f32([4, 5])), sg.ShapeError, /matmul.*\[2, 3\].*\[4, 5\]/),
  bad('matmul', 'vector inner dims', () => f32([3]).matmul(f32([4])), sg.ShapeError, /matmul.*3.*4/),
  bad('matmul', 'batch mismatch', () => f32([2, 3, 4]).matmul(f32([3, 4, 5])), sg.ShapeError, /matmul.*\[2\].*\[3\]/),
  bad('matmul', 'scalar operand', () => f32([]).matmul(f32([3])), sg.ShapeError, /matmul.*\[\].*\[3\]/),
  bad('matmul', 'int32 operand', () => ints([1, 2]).matmul(f32([2])), sg.DTypeError, /matmul.*int32.*\[2\]/),
];
