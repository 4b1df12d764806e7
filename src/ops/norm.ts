// Normalization ops: batch norm and layer norm, each composed from reductions and elementwise ops (the
// planner fuses the elementwise parts), so their gradients need no code of their own; a fused kernel waits
// for the bench to show it pays. Beside each, its float64 reference written from PyTorch's formulas.
//
// batchNorm: statistics over every axis but the channel axis 1, biased variance for normalizing, and
// PyTorch's running update new = (1 - momentum) * old + momentum * stat, with the unbiased variance for the
// running var. layerNorm (F.layer_norm): normalise over the trailing dims, then scale and shift.
import { InternalError, ShapeError, ValueError } from '../core/errors.js';
import { ndNumel, unravel, type Nd } from '../core/nd.js';
import { shapeStr } from '../core/shape.js';
import { checkNumber, checkOptions, UNIT_INTERVAL } from '../core/options.js';
import { noGrad, type Tensor } from '../tensor/tensor.js';
import { composite } from './op.js';

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
  const name = o?.name ?? 'batchNorm';
  checkOptions(name, o, { weight: 'any', bias: 'any', training: 'boolean', momentum: UNIT_INTERVAL, eps: { min: 0 }, name: 'any' });
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

export function layerNorm(x: Tensor, normalizedShape: number[], weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  const n = normalizedShape.length;
  const trailing = x.shape.slice(x.rank - n);
  if (n === 0 || x.rank < n || trailing.some((d, i) => d !== normalizedShape[i]))
    throw new ShapeError(`layerNorm: input of shape ${shapeStr(x.shape)} does not end with the normalized shape ${shapeStr(normalizedShape)}`);
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const)
    if (t && (t.rank !== n || t.shape.some((d, i) => d !== normalizedShape[i])))
      throw new ShapeError(`layerNorm: ${name} must have the normalized shape ${shapeStr(normalizedShape)}, got ${shapeStr(t.shape)}`);
  checkNumber('layerNorm', 'eps', eps, { min: 0 });
  const axes = normalizedShape.map((_, i) => x.rank - n + i);
  const centered = x.sub(x.mean(axes, true));
  const variance = centered.mul(centered).mean(axes, true);
  let y = centered.div(variance.add(eps).sqrt());
  if (weight) y = y.mul(weight);
  if (bias) y = y.add(bias);
  return y;
}

/**
 * GroupNorm (PyTorch's F.group_norm): x [N, C, ...] normalised over each group of C / numGroups channels
 * together with the spatial dims (biased variance), then a per-channel weight and bias.
 */
export function groupNorm(x: Tensor, numGroups: number, weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  if (x.rank < 2) throw new ShapeError(`groupNorm: input must be [N, C, ...], got shape ${shapeStr(x.shape)}`);
  const [N, C] = x.shape;
  if (!Number.isInteger(numGroups) || numGroups < 1) throw new ValueError(`groupNorm: numGroups must be a positive integer, got ${numGroups}`);
  if (C % numGroups !== 0) throw new ShapeError(`groupNorm: numGroups (${numGroups}) must divide the channels (${C}) of input ${shapeStr(x.shape)}`);
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const)
    if (t && (t.rank !== 1 || t.shape[0] !== C)) throw new ShapeError(`groupNorm: ${name} must be [${C}] for input ${shapeStr(x.shape)}, got shape ${shapeStr(t.shape)}`);
  checkNumber('groupNorm', 'eps', eps, { min: 0 });
  const groups = x.reshape([N, numGroups, -1]);
  const centered = groups.sub(groups.mean(2, true));
  const variance = centered.mul(centered).mean(2, true);
  let y = centered.div(variance.add(eps).sqrt()).reshape(x.shape);
  const channelShape = x.shape.map((d, i) => (i === 1 ? d : 1));
  if (weight) y = y.mul(weight.reshape(channelShape));
  if (bias) y = y.add(bias.reshape(channelShape));
  return y;
}

// ---- float64 references ------------------------------------------------------------------------

export interface BatchNormRefOptions {
  weight?: Nd | null;
  bias?: Nd | null;
  /** Batch statistics (true, the default) or the running ones. */
  training?: boolean;
  eps?: number;
}

/**
 * PyTorch's F.batch_norm output for x [N, C, ...]: (x - mean[c]) / sqrt(var[c] + eps) * weight[c] + bias[c],
 * with the batch mean and biased variance over every axis but 1 when training, else the running statistics.
 */
export function batchNormReference(x: Nd, runningMean: Nd | null, runningVar: Nd | null, o: BatchNormRefOptions = {}): Nd {
  const C = x.shape[1];
  const eps = o.eps ?? 1e-5;
  const channel = x.data.map((_, i) => unravel(i, x.shape)[1]);
  let mean: number[];
  let variance: number[];
  if (o.training ?? true) {
    const count = x.data.length / C;
    mean = new Array<number>(C).fill(0);
    variance = new Array<number>(C).fill(0);
    x.data.forEach((v, i) => (mean[channel[i]] += v / count));
    x.data.forEach((v, i) => (variance[channel[i]] += (v - mean[channel[i]]) ** 2 / count));
  } else {
    if (!runningMean || !runningVar) throw new InternalError('batchNormReference: evaluation needs running statistics');
    mean = Array.from(runningMean.data);
    variance = Array.from(runningVar.data);
  }
  const data = x.data.map((v, i) => {
    const c = channel[i];
    return ((v - mean[c]) / Math.sqrt(variance[c] + eps)) * (o.weight ? o.weight.data[c] : 1) + (o.bias ? o.bias.data[c] : 0);
  });
  return { shape: [...x.shape], data };
}

/** PyTorch's F.layer_norm: each row over the trailing `normalizedShape` dims as (x - mean) / sqrt(var + eps) * w + b (biased variance). */
export function layerNormReference(x: Nd, normalizedShape: number[], weight: Nd | null = null, bias: Nd | null = null, eps = 1e-5): Nd {
  const n = ndNumel(normalizedShape);
  const out = new Float64Array(x.data.length);
  for (let r = 0; r < x.data.length / n; r++) {
    const row = x.data.subarray(r * n, (r + 1) * n);
    const mean = row.reduce((a, v) => a + v, 0) / n;
    const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / n;
    row.forEach((v, i) => (out[r * n + i] = ((v - mean) / Math.sqrt(variance + eps)) * (weight ? weight.data[i] : 1) + (bias ? bias.data[i] : 0)));
  }
  return { shape: [...x.shape], data: out };
}

/** PyTorch's F.group_norm: per sample and group of C/G channels, (x - mean) / sqrt(var + eps), then weight[c] and bias[c]. */
export function groupNormReference(x: Nd, numGroups: number, weight: Nd | null = null, bias: Nd | null = null, eps = 1e-5): Nd {
  const [N, C] = x.shape;
  const inner = ndNumel(x.shape.slice(2));
  const perGroup = (C / numGroups) * inner;
  const out = new Float64Array(x.data.length);
  for (let n = 0; n < N; n++)
    for (let g = 0; g < numGroups; g++) {
      const start = (n * C + g * (C / numGroups)) * inner;
      const values = x.data.subarray(start, start + perGroup);
      const mean = values.reduce((a, v) => a + v, 0) / perGroup;
      const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / perGroup;
      values.forEach((v, i) => {
        const c = g * (C / numGroups) + Math.floor(i / inner);
        out[start + i] = ((v - mean) / Math.sqrt(variance + eps)) * (weight ? weight.data[c] : 1) + (bias ? bias.data[c] : 0);
      });
    }
  return { shape: [...x.shape], data: out };
}

export const NORM_OPS = {
  batchNorm: composite({
    doc: "batch norm over every axis but the channel axis 1 (PyTorch's F.batch_norm): batch statistics when training, the running ones in evaluation",
    of: ['mean', 'sub', 'mul', 'div', 'sqrt', 'add', 'reshape'],
    reference: batchNormReference,
  }),
  layerNorm: composite({
    doc: "layer norm over the trailing normalized dims, then weight and bias (PyTorch's F.layer_norm)",
    of: ['mean', 'sub', 'mul', 'div', 'sqrt', 'add'],
    reference: layerNormReference,
  }),
  groupNorm: composite({
    doc: "group norm (PyTorch's F.group_norm): x [N, C, ...] normalised over C/G channels and the spatial dims, then a per-channel affine",
    of: ['reshape', 'mean', 'sub', 'mul', 'add', 'sqrt', 'div'],
    reference: groupNormReference,
  }),
};
