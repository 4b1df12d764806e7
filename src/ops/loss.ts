// Losses, composed from other ops (so they need no gradient code). Inputs are checked before any GPU work.
import { DTypeError, ShapeError, ValueError } from '../core/errors.js';
import { zipWith, type Nd } from '../core/nd.js';
import { checkOptions, UNIT_INTERVAL } from '../core/options.js';
import { shapeStr, sameShape } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { oneHot } from './movement.js';
import { composite } from './op.js';
import { REDUCE_OPS } from './reduce.js';
import { SOFTMAX_OPS } from './softmax.js';

export type Reduction = 'mean' | 'sum' | 'none';
const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none'];

function reduceRef(x: Nd, reduction: Reduction): Nd {
  if (reduction === 'none') return x;
  return reduction === 'sum' ? REDUCE_OPS.sum.reference(x) : REDUCE_OPS.mean.reference(x);
}

export const LOSS_OPS = {
  crossEntropy: composite({
    doc: "cross-entropy of logits [N, C] and int32 class ids [N] (PyTorch's F.cross_entropy), reduced by 'mean', 'sum' or 'none'",
    of: ['logSoftmax', 'oneHot', 'mul', 'add', 'sum', 'neg', 'mean'],
    // label smoothing ε (PyTorch's label_smoothing): the target is (1 - ε)·onehot + ε/C
    reference: (logits: Nd, labels: Nd, reduction: Reduction = 'mean', labelSmoothing = 0): Nd => {
      const [n, c] = logits.shape;
      const ls = SOFTMAX_OPS.logSoftmax.reference(logits, 1);
      const per = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let all = 0;
        for (let j = 0; j < c; j++) all += ls.data[i * c + j];
        per[i] = -(1 - labelSmoothing) * ls.data[i * c + labels.data[i]] - (labelSmoothing / c) * all;
      }
      return reduceRef({ shape: [n], data: per }, reduction);
    },
  }),
  mseLoss: composite({
    doc: "mean squared error (PyTorch's F.mse_loss), shapes equal, reduced by 'mean', 'sum' or 'none'",
    of: ['sub', 'mul', 'mean', 'sum'],
    reference: (input: Nd, target: Nd, reduction: Reduction = 'mean'): Nd => reduceRef(zipWith([input, target], (x, y) => (x - y) ** 2), reduction),
  }),
};

/** Cross-entropy from logits [N, C] and int32 class ids [N] (PyTorch's F.cross_entropy). */
export function crossEntropy(logits: Tensor, labels: Tensor, options: { reduction?: Reduction; labelSmoothing?: number } = {}): Tensor {
  checkOptions('crossEntropy', options, { reduction: REDUCTIONS, labelSmoothing: UNIT_INTERVAL });
  const reduction = options.reduction ?? 'mean';
  const eps = options.labelSmoothing ?? 0;
  if (logits.rank !== 2) throw new ShapeError(`crossEntropy: logits must be [N, C], got shape ${shapeStr(logits.shape)}`);
  if (logits.dtype !== 'float32') throw new DTypeError(`crossEntropy: logits must be float32, got ${logits.dtype}`);
  if (labels.dtype !== 'int32')
    throw new DTypeError(`crossEntropy: labels must be int32 class ids, got ${labels.dtype} tensor of shape ${shapeStr(labels.shape)} (use sg.tensor(ids, shape, { dtype: 'int32' }))`);
  const [n, classes] = logits.shape;
  if (labels.rank !== 1 || labels.shape[0] !== n)
    throw new ShapeError(`crossEntropy: labels must be [${n}] for logits of shape ${shapeStr(logits.shape)}, got shape ${shapeStr(labels.shape)}`);
  if (labels.hostInts) {
    const bad = labels.hostInts.findIndex((c) => c < 0 || c >= classes);
    if (bad >= 0) throw new ValueError(`crossEntropy: class id ${labels.hostInts[bad]} at position ${bad} is out of range [0, ${classes}) for logits of shape ${shapeStr(logits.shape)}`);
  }
  // labels computed on the GPU (argmax, a cast) are range-checked by oneHot's kernel and reported under this op's name
  const onehot = oneHot(labels, classes, 'crossEntropy: label');
  const target = eps === 0 ? onehot : onehot.mul(1 - eps).add(eps / classes);
  const perSample = logits.logSoftmax(1).mul(target).sum(1).neg();
  return reduce(perSample, reduction);
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
