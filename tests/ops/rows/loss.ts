// Losses of the table (composites): every reduction, awkward class counts; and the bad inputs.
import * as sg from '../../../src/node/index.js';
import { OPS } from '../../../src/ops/table.js';
import { bad, fixed, ids, row, uni, type BadInput, type Gen, type OpRow } from '../../helpers/opcheck.js';
import { f32, ints } from './inputs.js';

const { binaryCrossEntropyWithLogits, crossEntropy, distillationLoss, klDiv, mseLoss } = sg.nn.functional;
const BCE = OPS.binaryCrossEntropyWithLogits.reference;
const CE = OPS.crossEntropy.reference;
const MSE = OPS.mseLoss.reference;
const KL = OPS.klDiv.reference;
const KD = OPS.distillationLoss.reference;
/** Probabilities with about a third exactly 0 (a zero target adds nothing; fixed: the derivative jumps there). */
const sparseProbs: Gen = fixed({ make: (n, r) => Array.from({ length: n }, () => (r() < 0.33 ? 0 : r())) });
const classIds = ids((s) => s[0][s[0].length - 1]); // labels for logits [N, C]
const pixelIds = ids((s) => s[0][1]); // labels for logits [N, C, d1, ...]

export const rows: OpRow[] = [
  row('crossEntropy', 'crossEntropy mean', (x, y) => crossEntropy(x, y), (x, y) => CE(x, y), [[[1, 1], [1]], [[7, 5], [7]], [[64, 10], [64]], [[3, 130], [3]]], { gens: [uni(-3, 3), classIds] }),
  row('crossEntropy', 'crossEntropy sum', (x, y) => crossEntropy(x, y, { reduction: 'sum' }), (x, y) => CE(x, y, 'sum'), [[[7, 5], [7]]], { gens: [uni(-3, 3), classIds] }),
  row('crossEntropy', 'crossEntropy labelSmoothing 0.1', (x, y) => crossEntropy(x, y, { labelSmoothing: 0.1 }), (x, y) => CE(x, y, 'mean', 0.1), [[[1, 1], [1]], [[7, 5], [7]], [[3, 130], [3]]], { gens: [uni(-3, 3), classIds] }),
  row('crossEntropy', 'crossEntropy none', (x, y) => crossEntropy(x, y, { reduction: 'none' }), (x, y) => CE(x, y, 'none'), [[[7, 5], [7]]], { gens: [uni(-3, 3), classIds] }),
  // per position, as PyTorch: [N, C, H, W] logits with [N, H, W] ids (segmentation), and [N, C, L]
  row('crossEntropy', 'crossEntropy per pixel mean', (x, y) => crossEntropy(x, y), (x, y) => CE(x, y), [[[2, 4, 3, 5], [2, 3, 5]], [[1, 3, 1, 1], [1, 1, 1]], [[3, 2, 7], [3, 7]]], { gens: [uni(-3, 3), pixelIds] }),
  row('crossEntropy', 'crossEntropy per pixel none', (x, y) => crossEntropy(x, y, { reduction: 'none' }), (x, y) => CE(x, y, 'none'), [[[2, 4, 3, 5], [2, 3, 5]]], { gens: [uni(-3, 3), pixelIds] }),
  row('crossEntropy', 'crossEntropy per pixel sum, labelSmoothing 0.2', (x, y) => crossEntropy(x, y, { reduction: 'sum', labelSmoothing: 0.2 }), (x, y) => CE(x, y, 'sum', 0.2), [[[2, 3, 2, 3], [2, 2, 3]]], { gens: [uni(-3, 3), pixelIds] }),
  row('klDiv', 'klDiv batchmean', (x, t) => klDiv(x, t), (x, t) => KL(x, t), [[[1, 1], [1, 1]], [[7, 5], [7, 5]], [[3, 130], [3, 130]], [[2, 3, 4], [2, 3, 4]]], { gens: [uni(-4, 0), uni(0.05, 1)] }),
  row('klDiv', 'klDiv with zero targets', (x, t) => klDiv(x, t, { reduction: 'sum' }), (x, t) => KL(x, t, 'sum'), [[[7, 5], [7, 5]], [[0, 3], [0, 3]]], { gens: [uni(-4, 0), sparseProbs] }),
  row('klDiv', 'klDiv mean', (x, t) => klDiv(x, t, { reduction: 'mean' }), (x, t) => KL(x, t, 'mean'), [[[7, 5], [7, 5]]], { gens: [uni(-4, 0), uni(0.05, 1)] }),
  row('klDiv', 'klDiv none', (x, t) => klDiv(x, t, { reduction: 'none' }), (x, t) => KL(x, t, 'none'), [[[13], [13]]], { gens: [uni(-4, 0), sparseProbs] }),
  // the teacher is detached: no gradient to check there (fixed)
  row('distillationLoss', 'distillationLoss T 4 alpha 0.9', (s, t, y) => distillationLoss(s, t, y), (s, t, y) => KD(s, t, y), [[[1, 1], [1, 1], [1]], [[7, 5], [7, 5], [7]], [[3, 130], [3, 130], [3]]], { gens: [uni(-3, 3), fixed(uni(-3, 3)), classIds] }),
  row('distillationLoss', 'distillationLoss T 2 alpha 0.3', (s, t, y) => distillationLoss(s, t, y, { temperature: 2, alpha: 0.3 }), (s, t, y) => KD(s, t, y, 2, 0.3), [[[64, 10], [64, 10], [64]]], { gens: [uni(-3, 3), fixed(uni(-3, 3)), classIds] }),
  // logits over ±25: past softplus's threshold of 20 on both sides; targets in [0, 1] (gradients too)
  row('binaryCrossEntropyWithLogits', 'binaryCrossEntropyWithLogits mean', (l, t) => binaryCrossEntropyWithLogits(l, t), (l, t) => BCE(l, t), [[[], []], [[1], [1]], [[7], [7]], [[3, 131], [3, 131]], [[0, 4], [0, 4]]], { gens: [uni(-25, 25), uni(0, 1)] }),
  row('binaryCrossEntropyWithLogits', 'binaryCrossEntropyWithLogits sum', (l, t) => binaryCrossEntropyWithLogits(l, t, { reduction: 'sum' }), (l, t) => BCE(l, t, 'sum'), [[[2, 3, 5], [2, 3, 5]]], { gens: [uni(-3, 3), uni(0, 1)] }),
  row('binaryCrossEntropyWithLogits', 'binaryCrossEntropyWithLogits none', (l, t) => binaryCrossEntropyWithLogits(l, t, { reduction: 'none' }), (l, t) => BCE(l, t, 'none'), [[[4, 6], [4, 6]]], { gens: [uni(-3, 3), uni(0, 1)] }),
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
  bad('crossEntropy', 'per-pixel labels of the wrong shape', () => crossEntropy(f32([2, 4, 3, 5]), ints(new Array(30).fill(0), [2, 5, 3])), sg.ShapeError, /crossEntropy: labels must be \[2, 3, 5\] for logits of shape \[2, 4, 3, 5\], got shape \[2, 5, 3\]/),
  bad('crossEntropy', '1-D logits', () => crossEntropy(f32([3]), ints([0])), sg.ShapeError, /crossEntropy.*logits.*\[3\]/),
  bad('klDiv', 'shape mismatch', () => klDiv(f32([2, 3]), f32([3, 2])), sg.ShapeError, /klDiv.*\[2, 3\].*\[3, 2\]/),
  bad('klDiv', 'int32 target', () => klDiv(f32([2]), ints([0, 1])), sg.DTypeError, /klDiv: target must be float32, got int32/),
  bad('klDiv', 'bad reduction', () => klDiv(f32([2]), f32([2]), { reduction: 'batch' as never }), sg.ValueError, /klDiv: reduction must be 'batchmean'.*got.*batch/),
  bad('distillationLoss', 'teacher shape', () => distillationLoss(f32([2, 3]), f32([2, 4]), ints([0, 1])), sg.ShapeError, /distillationLoss: teacher logits must have the student's shape \[2, 3\], got \[2, 4\]/),
  bad('distillationLoss', 'temperature 0', () => distillationLoss(f32([2, 3]), f32([2, 3]), ints([0, 1]), { temperature: 0 }), sg.ValueError, /distillationLoss: temperature must be a finite number > 0/),
  bad('distillationLoss', 'alpha above 1', () => distillationLoss(f32([2, 3]), f32([2, 3]), ints([0, 1]), { alpha: 2 }), sg.ValueError, /distillationLoss: alpha must be/),
  bad('distillationLoss', 'label out of range', () => distillationLoss(f32([2, 3]), f32([2, 3]), ints([0, 5])), sg.ValueError, /crossEntropy.*5.*\[0, 3\)/),
  bad('distillationLoss', '1-D logits', () => distillationLoss(f32([3]), f32([3]), ints([0])), sg.ShapeError, /distillationLoss: student logits must be \[N, C\]/),
  bad('binaryCrossEntropyWithLogits', 'shape mismatch', () => binaryCrossEntropyWithLogits(f32([2, 3]), f32([3, 2])), sg.ShapeError, /binaryCrossEntropyWithLogits: logits shape \[2, 3\] and target shape \[3, 2\] differ/),
  bad('binaryCrossEntropyWithLogits', 'int32 target', () => binaryCrossEntropyWithLogits(f32([2]), ints([0, 1])), sg.DTypeError, /binaryCrossEntropyWithLogits: target must be float32, got int32/),
  bad('binaryCrossEntropyWithLogits', 'unknown option', () => binaryCrossEntropyWithLogits(f32([2]), f32([2]), { weight: 2 } as never), sg.ValueError, /binaryCrossEntropyWithLogits: unknown option 'weight' \(allowed: reduction\)/),
  bad('mseLoss', 'shape mismatch', () => mseLoss(f32([2, 3]), f32([3, 2])), sg.ShapeError, /mseLoss.*\[2, 3\].*\[3, 2\]/),
  bad('mseLoss', 'bad reduction', () => mseLoss(f32([2]), f32([2]), { reduction: 'avg' as 'mean' }), sg.ValueError, /reduction.*avg/),
];
