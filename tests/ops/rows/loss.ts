// Losses of the table (composites): every reduction, awkward class counts; and the bad inputs.
import * as sg from '../../../src/node/index.js';
import { OPS } from '../../../src/ops/table.js';
import { bad, ids, row, uni, type BadInput, type OpRow } from '../../helpers/opcheck.js';
import { f32, ints } from './inputs.js';

const { crossEntropy, mseLoss } = sg.nn.functional;
const CE = OPS.crossEntropy.reference;
const MSE = OPS.mseLoss.reference;
const classIds = ids((s) => s[0][s[0].length - 1]); // labels for logits [N, C]

export const rows: OpRow[] = [
  row('crossEntropy', 'crossEntropy mean', (x, y) => crossEntropy(x, y), (x, y) => CE(x, y), [[[1, 1], [1]], [[7, 5], [7]], [[64, 10], [64]], [[3, 130], [3]]], { gens: [uni(-3, 3), classIds] }),
  row('crossEntropy', 'crossEntropy sum', (x, y) => crossEntropy(x, y, { reduction: 'sum' }), (x, y) => CE(x, y, 'sum'), [[[7, 5], [7]]], { gens: [uni(-3, 3), classIds] }),
  row('crossEntropy', 'crossEntropy labelSmoothing 0.1', (x, y) => crossEntropy(x, y, { labelSmoothing: 0.1 }), (x, y) => CE(x, y, 'mean', 0.1), [[[1, 1], [1]], [[7, 5], [7]], [[3, 130], [3]]], { gens: [uni(-3, 3), classIds] }),
  row('crossEntropy', 'crossEntropy none', (x, y) => crossEntropy(x, y, { reduction: 'none' }), (x, y) => CE(x, y, 'none'), [[[7, 5], [7]]], { gens: [uni(-3, 3), classIds] }),
  row('mseLoss', 'mseLoss mean', (x, y) => mseLoss(x, y), (x, y) => MSE(x, y), [[[], []], [[7], [7]], [[3, 5], [3, 5]]]),
  row('mseLoss', 'mseLoss sum', (x, y) => mseLoss(x, y, { reduction: 'sum' }), (x, y) => MSE(x, y, 'sum'), [[[2, 3, 5], [2, 3, 5]]]),
  row('mseLoss', 'mseLoss none', (x, y) => mseLoss(x, y, { reduction: 'none' }), (x, y) => MSE(x, y, 'none'), [[[3, 5], [3, 5]]]),
];

export const badInputs: BadInput[] = [
  bad('crossEntropy', 'float labels', () => crossEntropy(f32([2, 3]), f32([2])), sg.DTypeError, /crossEntropy.*labels.*float32.*\[2\]/),
  bad('crossEntropy', 'class id out of range', () => crossEntropy(f32([2, 3]), ints([0, 3])), sg.ValueError, /crossEntropy.*3.*\[0, 3\).*\[2, 3\]/),
  bad('crossEntropy', 'negative class id', () => crossEntropy(f32([2, 3]), ints([-1, 0])), sg.ValueError, /crossEntropy.*-1.*\[2, 3\]/),
  bad('crossEntropy', 'labels length', () => crossEntropy(f32([2, 3]), ints([0, 1, 2])), sg.ShapeError, /crossEntropy.*\[2, 3\].*\[3\]/),
  bad('crossEntropy', 'unknown option', () => crossEntropy(f32([2, 3]), ints([0, 1]), { labelSmothing: 0.1 } as never), sg.ValueError, /crossEntropy: unknown option 'labelSmothing' \(allowed: reduction, labelSmoothing\)/),
  bad('crossEntropy', 'labelSmoothing out of range', () => crossEntropy(f32([2, 3]), ints([0, 1]), { labelSmoothing: 1.5 }), sg.ValueError, /crossEntropy: labelSmoothing must be a finite number >= 0 <= 1, got 1.5/),
  bad('crossEntropy', 'labelSmoothing as a string', () => crossEntropy(f32([2, 3]), ints([0, 1]), { labelSmoothing: '0.1' as never }), sg.ValueError, /labelSmoothing must be a finite number.*got string "0.1"/),
  bad('mseLoss', 'unknown option', () => mseLoss(f32([2]), f32([2]), { reduce: 'sum' } as never), sg.ValueError, /mseLoss: unknown option 'reduce' \(allowed: reduction\)/),
  bad('crossEntropy', '1-D logits', () => crossEntropy(f32([3]), ints([0])), sg.ShapeError, /crossEntropy.*logits.*\[3\]/),
  bad('mseLoss', 'shape mismatch', () => mseLoss(f32([2, 3]), f32([3, 2])), sg.ShapeError, /mseLoss.*\[2, 3\].*\[3, 2\]/),
  bad('mseLoss', 'bad reduction', () => mseLoss(f32([2]), f32([2]), { reduction: 'avg' as 'mean' }), sg.ValueError, /reduction.*avg/),
];
