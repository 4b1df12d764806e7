// Batch normalization, composed from elementwise ops and reductions (so its gradient needs no code):
// statistics over every axis but the channel axis 1, biased variance for normalizing, and PyTorch's running
// update new = (1 - momentum) * old + momentum * stat, with the unbiased variance for the running var.
import { ShapeError, ValueError } from '../core/errors.js';
import { shapeStr } from '../core/shape.js';
import { noGrad, type Tensor } from '../tensor/tensor.js';

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Batch statistics (true) or the running ones (false). Default true. */
  training?: boolean;
  momentum?: number;
  eps?: number;
  name?: string;
}

export interface BatchNormResult {
  output: Tensor;
  /** The updated running statistics in training (lazy tensors), else the ones given. */
  runningMean: Tensor | null;
  runningVar: Tensor | null;
}

/** Batch norm of x [N, C, ...] returning the output and the new running statistics. */
export function batchNormWithStats(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, o: BatchNormOptions = {}): BatchNormResult {
  const name = o.name ?? 'batchNorm';
  const training = o.training ?? true;
  const momentum = o.momentum ?? 0.1;
  const eps = o.eps ?? 1e-5;
  if (x.rank < 2) throw new ShapeError(`${name}: input must be [N, C, ...], got shape ${shapeStr(x.shape)}`);
  const C = x.shape[1];
  for (const [arg, t] of [['weight', o.weight], ['bias', o.bias], ['runningMean', runningMean], ['runningVar', runningVar]] as const)
    if (t && (t.rank !== 1 || t.shape[0] !== C)) throw new ShapeError(`${name}: ${arg} must be [${C}] for input ${shapeStr(x.shape)} (${C} channels), got shape ${shapeStr(t.shape)}`);
  const axes = [0, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 2)];
  const bshape = x.shape.map((d, i) => (i === 1 ? d : 1));
  const count = x.size / C;
  let normalized: Tensor;
  let newMean = runningMean;
  let newVar = runningVar;
  if (training) {
    if (count <= 1) throw new ValueError(`${name}: expected more than 1 value per channel when training, got input of shape ${shapeStr(x.shape)}`);
    const mean = x.mean(axes, true);
    const d = x.sub(mean);
    const variance = d.mul(d).mean(axes, true);
    normalized = d.div(variance.add(eps).sqrt());
    if (runningMean && runningVar)
      noGrad(() => {
        newMean = runningMean.mul(1 - momentum).add(mean.reshape([C]).mul(momentum));
        newVar = runningVar.mul(1 - momentum).add(variance.reshape([C]).mul((momentum * count) / (count - 1)));
      });
  } else {
    if (!runningMean || !runningVar) throw new ValueError(`${name}: evaluation mode needs running statistics (runningMean and runningVar)`);
    normalized = x.sub(runningMean.reshape(bshape)).div(runningVar.reshape(bshape).add(eps).sqrt());
  }
  let y = normalized;
  if (o.weight) y = y.mul(o.weight.reshape(bshape));
  if (o.bias) y = y.add(o.bias.reshape(bshape));
  return { output: y, runningMean: newMean, runningVar: newVar };
}

/** F.batchNorm: the output only (modules use batchNormWithStats to keep the new running statistics). */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, o: BatchNormOptions = {}): Tensor {
  return batchNormWithStats(x, runningMean, runningVar, o).output;
}
