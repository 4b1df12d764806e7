// Every op family, one file each. Tensor methods and the functional API call these.
export { UNARY, BINARY, unary, binary, where, cast, gelu, leakyRelu, contiguous } from './elementwise.js';
export { reduce, mean, argReduce, REDUCE_REFS } from './reduce.js';
export { matmul } from './matmul.js';
export { softmax, logSoftmax } from './softmax.js';
export { reshape, flatten, permute, transpose, expand, squeeze, unsqueeze, slice, cat, stack, gather, oneHot } from './movement.js';
export { crossEntropy, mseLoss } from './loss.js';
export { backward, realizeWithStep, takeStepTargets } from './autograd.js';
export { scaledDotProductAttention, attentionUnfused, attentionWithLse } from './attention.js';
export { layerNorm } from './norm_layer.js';
