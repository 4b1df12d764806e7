// The functional API (sg.nn.functional, usually imported as F).
import type { Tensor } from '../tensor/tensor.js';
export { binaryCrossEntropyWithLogits, crossEntropy, distillationLoss, klDiv, mseLoss } from '../ops/loss.js';
export type { Reduction } from '../ops/loss.js';
export { softmax, logSoftmax } from '../ops/softmax.js';
export { oneHot } from '../ops/movement.js';

export const relu = (x: Tensor) => x.relu();
export const sigmoid = (x: Tensor) => x.sigmoid();
export const tanh = (x: Tensor) => x.tanh();
export const leakyRelu = (x: Tensor, negativeSlope = 0.01) => x.leakyRelu(negativeSlope);
export { gelu, silu, elu, softplus, mish, hardswish, hardsigmoid, prelu, log1p, expm1 } from '../ops/activation.js';
export type { GeluOptions, GeluApproximate } from '../ops/activation.js';

/**
 * x @ weightᵀ + bias, with weight [out, in] as in PyTorch (the transpose is folded into the matmul). Inputs of
 * rank > 2 ([B, T, in]) are folded to one [B·T, in] matmul and unfolded after: as a batched matmul of B small
 * [T, in] blocks the step was 3-5x slower on lavapipe (8 Linear(64, 64) on [64, 17, 64], forward + backward,
 * ~230 ms against ~60 ms), the weight's gradient then being B products summed.
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (x.rank > 2) {
    const lead = x.shape.slice(0, -1);
    const rows = lead.reduce((a, b) => a * b, 1);
    return linear(x.reshape([rows, x.shape[x.rank - 1]]), weight, bias).reshape([...lead, weight.shape[0]]);
  }
  const y = x.matmul(weight.transpose(0, 1));
  return bias ? y.add(bias) : y;
}
export { scaledDotProductAttention, attentionUnfused } from '../ops/attention.js';
export type { AttentionOptions } from '../ops/attention.js';
export { groupNorm, layerNorm } from '../ops/norm.js';
export { segmentSum, segmentMax, segmentMean, segmentSoftmax } from '../ops/graph.js';
export { conv1d, conv2d, convTranspose2d } from '../ops/conv.js';
export { maxPool2d, maxPool2dWithIndices, avgPool2d, adaptiveAvgPool2d, globalAvgPool2d } from '../ops/pool.js';
export { batchNorm } from '../ops/norm.js';
export { interpolate, upsampleNearest2d, upsampleBilinear2d, type InterpolateOptions } from '../ops/interpolate.js';
export { dropout } from '../ops/dropout.js';
