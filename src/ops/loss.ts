// Losses, composed from other ops (so they need no gradient code). Inputs are checked before any GPU work.
import { DTypeError, ShapeError, ValueError } from '../core/errors.js';
import { zipWith, type Nd } from '../core/nd.js';
import { checkOptions, UNIT_INTERVAL } from '../core/options.js';
import { shapeStr, sameShape } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { oneHot } from './movement.js';
import { where } from './elementwise.js';
import { softplus } from './activation.js';
import { composite } from './op.js';
import { REDUCE_OPS } from './reduce.js';
import { SOFTMAX_OPS } from './softmax.js';

export type Reduction = 'mean' | 'sum' | 'none';
const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none'];
export type KLReduction = Reduction | 'batchmean';
const KL_REDUCTIONS: readonly KLReduction[] = ['batchmean', 'mean', 'sum', 'none'];

function reduceRef(x: Nd, reduction: Reduction): Nd {
  if (reduction === 'none') return x;
  return reduction === 'sum' ? REDUCE_OPS.sum.reference(x) : REDUCE_OPS.mean.reference(x);
}

/**
 * F.cross_entropy in float64: logits [N, C] or [N, C, d1, ...] (per-pixel, as PyTorch), labels [N] or
 * [N, d1, ...]; label smoothing ε (PyTorch's label_smoothing): the target is (1 - ε)·onehot + ε/C.
 */
function crossEntropyReference(logits: Nd, labels: Nd, reduction: Reduction = 'mean', labelSmoothing = 0): Nd {
  const [n, c] = logits.shape;
  const inner = logits.shape.slice(2).reduce((a, b) => a * b, 1);
  const per = new Float64Array(n * inner);
  for (let i = 0; i < n; i++)
    for (let s = 0; s < inner; s++) {
      const at = (j: number) => logits.data[(i * c + j) * inner + s];
      let max = -Infinity;
      for (let j = 0; j < c; j++) max = Math.max(max, at(j));
      let sumExp = 0;
      for (let j = 0; j < c; j++) sumExp += Math.exp(at(j) - max);
      const lse = max + Math.log(sumExp);
      let all = 0;
      for (let j = 0; j < c; j++) all += at(j) - lse;
      per[i * inner + s] = -(1 - labelSmoothing) * (at(labels.data[i * inner + s]) - lse) - (labelSmoothing / c) * all;
    }
  return reduceRef({ shape: [n, ...logits.shape.slice(2)], data: per }, reduction);
}

/** F.kl_div (log_target false) in float64. */
function klDivReference(input: Nd, target: Nd, reduction: KLReduction = 'batchmean'): Nd {
  const per = zipWith([input, target], (x, t) => (t > 0 ? t * (Math.log(t) - x) : 0));
  if (reduction !== 'batchmean') return reduceRef(per, reduction);
  const sum = REDUCE_OPS.sum.reference(per);
  return { shape: [], data: Float64Array.of(sum.data[0] / (input.shape[0] ?? 1)) };
}

export const LOSS_OPS = {
  crossEntropy: composite({
    doc: "cross-entropy of logits [N, C] and int32 class ids [N], or per position of logits [N, C, d1, ...] and ids [N, d1, ...] (PyTorch's F.cross_entropy), reduced by 'mean', 'sum' or 'none'",
    of: ['logSoftmax', 'oneHot', 'mul', 'add', 'sum', 'neg', 'mean', 'permute', 'reshape'],
    reference: crossEntropyReference,
  }),
  klDiv: composite({
    doc: "KL divergence sum(target·(log target − input)) of log-probabilities `input` and probabilities `target`, same shape (PyTorch's F.kl_div, log_target false), reduced by 'batchmean' (PyTorch's advice: the sum over dim 0's size), 'mean', 'sum' or 'none'; target 0 contributes 0",
    of: ['gt', 'where', 'log', 'sub', 'mul', 'sum', 'mean', 'div'],
    reference: klDivReference,
  }),
  distillationLoss: composite({
    doc: 'knowledge distillation (Hinton et al. 2015): alpha·T²·KL(softmax(teacher/T) ‖ softmax(student/T)) per sample (batchmean) + (1 − alpha)·crossEntropy(student, labels); the teacher gets no gradient',
    of: ['div', 'softmax', 'logSoftmax', 'klDiv', 'crossEntropy', 'mul', 'add'],
    reference: (student: Nd, teacher: Nd, labels: Nd, temperature = 4, alpha = 0.9): Nd => {
      const scale = (x: Nd): Nd => ({ shape: x.shape, data: x.data.map((v) => v / temperature) });
      const p = SOFTMAX_OPS.softmax.reference(scale(teacher), 1);
      const logq = SOFTMAX_OPS.logSoftmax.reference(scale(student), 1);
      const kl = klDivReference(logq, p, 'batchmean').data[0];
      const ce = crossEntropyReference(student, labels, 'mean').data[0];
      return { shape: [], data: Float64Array.of(alpha * temperature * temperature * kl + (1 - alpha) * ce) };
    },
  }),
  binaryCrossEntropyWithLogits: composite({
    doc: "binary cross-entropy of sigmoid(logits) against targets in [0, 1] (PyTorch's F.binary_cross_entropy_with_logits): softplus(l) - t·l, reduced by 'mean', 'sum' or 'none'",
    of: ['softplus', 'mul', 'sub', 'mean', 'sum'],
    reference: (logits: Nd, target: Nd, reduction: Reduction = 'mean'): Nd =>
      // PyTorch's stable form: max(l, 0) - l·t + log1p(e^-|l|)
      reduceRef(zipWith([logits, target], (l, t) => Math.max(l, 0) - l * t + Math.log1p(Math.exp(-Math.abs(l)))), reduction),
  }),
  mseLoss: composite({
    doc: "mean squared error (PyTorch's F.mse_loss), shapes equal, reduced by 'mean', 'sum' or 'none'",
    of: ['sub', 'mul', 'mean', 'sum'],
    reference: (input: Nd, target: Nd, reduction: Reduction = 'mean'): Nd => reduceRef(zipWith([input, target], (x, y) => (x - y) ** 2), reduction),
  }),
};

/**
 * Cross-entropy from logits [N, C] and int32 class ids [N] (PyTorch's F.cross_entropy); also per position,
 * as PyTorch: logits [N, C, d1, ...] (e.g. [N, C, H, W] for segmentation) with ids [N, d1, ...], the mean
 * taken over every position ('none' returns [N, d1, ...]).
 */
export function crossEntropy(logits: Tensor, labels: Tensor, options: { reduction?: Reduction; labelSmoothing?: number } = {}): Tensor {
  checkOptions('crossEntropy', options, { reduction: REDUCTIONS, labelSmoothing: UNIT_INTERVAL });
  const reduction = options.reduction ?? 'mean';
  const eps = options.labelSmoothing ?? 0;
  if (logits.rank < 2) throw new ShapeError(`crossEntropy: logits must be [N, C] or [N, C, d1, ...], got shape ${shapeStr(logits.shape)}`);
  if (logits.dtype !== 'float32') throw new DTypeError(`crossEntropy: logits must be float32, got ${logits.dtype}`);
  if (labels.dtype !== 'int32')
    throw new DTypeError(`crossEntropy: labels must be int32 class ids, got ${labels.dtype} tensor of shape ${shapeStr(labels.shape)} (use sg.tensor(ids, shape, { dtype: 'int32' }))`);
  const [n, classes, ...rest] = logits.shape;
  const want = [n, ...rest];
  if (!sameShape(labels.shape, want))
    throw new ShapeError(`crossEntropy: labels must be ${shapeStr(want)} for logits of shape ${shapeStr(logits.shape)}, got shape ${shapeStr(labels.shape)}`);
  if (labels.hostInts) {
    const bad = labels.hostInts.findIndex((c) => c < 0 || c >= classes);
    if (bad >= 0) throw new ValueError(`crossEntropy: class id ${labels.hostInts[bad]} at position ${bad} is out of range [0, ${classes}) for logits of shape ${shapeStr(logits.shape)}`);
  }
  // per position: the class axis moved last, every position a row of a [positions, C] problem
  const positions = want.reduce((a, b) => a * b, 1);
  const rows = rest.length === 0 ? logits : logits.permute([0, ...rest.map((_, i) => i + 2), 1]).reshape([positions, classes]);
  const ids = rest.length === 0 ? labels : labels.reshape([positions]);
  // labels computed on the GPU (argmax, a cast) are range-checked by oneHot's kernel and reported under this op's name
  const onehot = oneHot(ids, classes, 'crossEntropy: label');
  const target = eps === 0 ? onehot : onehot.mul(1 - eps).add(eps / classes);
  const perSample = rows.logSoftmax(1).mul(target).sum(1).neg();
  return reduce(rest.length === 0 ? perSample : perSample.reshape(want), reduction);
}

/**
 * KL divergence of log-probabilities `input` from probabilities `target` (PyTorch's F.kl_div with
 * log_target false): sum of target·(log target − input), a zero target contributing zero.
 */
export function klDiv(input: Tensor, target: Tensor, options: { reduction?: KLReduction } = {}): Tensor {
  checkOptions('klDiv', options, { reduction: KL_REDUCTIONS });
  for (const [arg, t] of [['input', input], ['target', target]] as const)
    if (t.dtype !== 'float32') throw new DTypeError(`klDiv: ${arg} must be float32, got ${t.dtype} tensor of shape ${shapeStr(t.shape)}`);
  if (!sameShape(input.shape, target.shape))
    throw new ShapeError(`klDiv: input shape ${shapeStr(input.shape)} and target shape ${shapeStr(target.shape)} differ`);
  const positive = target.gt(0);
  // log(target) where target > 0 (1 elsewhere, so log is 0 and no NaN reaches the gradient), then masked
  const logTarget = where(positive, target, 1).log();
  const per = where(positive, target.mul(logTarget.sub(input)), 0);
  const reduction = options.reduction ?? 'batchmean';
  if (reduction !== 'batchmean') return reduce(per, reduction);
  return per.sum().div(input.rank === 0 ? 1 : input.shape[0]);
}

/**
 * Hinton et al.'s distillation loss from a student's and a teacher's logits [N, C] and int32 labels [N]:
 * alpha·T²·KL(softmax(teacher/T) ‖ softmax(student/T)) (batchmean; T² keeps its gradient's scale as T
 * changes) + (1 − alpha)·crossEntropy(student, labels). The teacher's logits are detached.
 */
export function distillationLoss(student: Tensor, teacher: Tensor, labels: Tensor, options: { temperature?: number; alpha?: number } = {}): Tensor {
  checkOptions('distillationLoss', options, { temperature: { min: 0, aboveMin: true }, alpha: UNIT_INTERVAL });
  const T = options.temperature ?? 4;
  const alpha = options.alpha ?? 0.9;
  if (student.rank !== 2) throw new ShapeError(`distillationLoss: student logits must be [N, C], got shape ${shapeStr(student.shape)}`);
  if (!sameShape(student.shape, teacher.shape))
    throw new ShapeError(`distillationLoss: teacher logits must have the student's shape ${shapeStr(student.shape)}, got ${shapeStr(teacher.shape)}`);
  const hard = crossEntropy(student, labels); // checks the labels
  const soft = klDiv(student.div(T).logSoftmax(1), teacher.detach().div(T).softmax(1));
  return soft.mul(alpha * T * T).add(hard.mul(1 - alpha));
}

/**
 * Binary cross-entropy from logits (PyTorch's F.binary_cross_entropy_with_logits): targets are
 * probabilities in [0, 1] of the logits' shape (Bernoulli likelihoods of pixels, per-label classifiers).
 */
export function binaryCrossEntropyWithLogits(logits: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  checkOptions('binaryCrossEntropyWithLogits', options, { reduction: REDUCTIONS });
  for (const [what, t] of [['logits', logits], ['target', target]] as const)
    if (t.dtype !== 'float32') throw new DTypeError(`binaryCrossEntropyWithLogits: ${what} must be float32, got ${t.dtype}`);
  if (!sameShape(logits.shape, target.shape))
    throw new ShapeError(`binaryCrossEntropyWithLogits: logits shape ${shapeStr(logits.shape)} and target shape ${shapeStr(target.shape)} differ`);
  return reduce(softplus(logits).sub(target.mul(logits)), options.reduction ?? 'mean');
}

/** Mean squared error (PyTorch's F.mse_loss); shapes must match exactly. */
export function mseLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  checkOptions('mseLoss', options, { reduction: REDUCTIONS });
  if (!sameShape(input.shape, target.shape))
    throw new ShapeError(`mseLoss: input shape ${shapeStr(input.shape)} and target shape ${shapeStr(target.shape)} differ`);
  const d = input.sub(target);
  return reduce(d.mul(d), options.reduction ?? 'mean');
}

function reduce(x: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return x;
  if (reduction === 'sum') return x.sum();
  if (reduction === 'mean') return x.mean();
  throw new ValueError(`loss: reduction must be 'mean', 'sum' or 'none', got '${reduction}'`);
}
