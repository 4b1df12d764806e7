// The op layer: every op family, one file each; the op table (./table.ts) lists every op. Tensor's methods
// and the functional API call these. Loading this module binds them to Tensor (see bindTensorOps).
import { bindTensorOps } from '../tensor/tensor.js';
import * as self from './index.js';

export { unary, binary, where, cast, leakyRelu, contiguous } from './elementwise.js';
export { gelu } from './activation.js';
export { reduce, mean, argReduce } from './reduce.js';
export { matmul } from './matmul.js';
export { softmax, logSoftmax } from './softmax.js';
export { reshape, flatten, permute, transpose, expand, squeeze, unsqueeze, slice, pad, cat, stack, gather, oneHot } from './movement.js';
export { binaryCrossEntropyWithLogits, crossEntropy, distillationLoss, klDiv, mseLoss } from './loss.js';
export { scaledDotProductAttention, attentionUnfused, attentionWithLse } from './attention.js';
export { layerNorm } from './norm.js';
export { segmentSum, segmentMax, segmentMean, segmentSoftmax } from './graph.js';
export { constant } from './record.js';
export { OPS, type OpName } from './table.js';

bindTensorOps(self);
