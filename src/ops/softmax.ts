// softmax and logSoftmax along an axis: one fused, numerically stable kernel each; gradients composed.
import { isContiguous } from '../graph/node.js';
import { softmaxKernel } from '../kernels/softmax.js';
import { runtime } from '../runtime/runtime.js';
import { normalizeAxis } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { contiguous } from './elementwise.js';
import { kernelNode, withGrad } from './lower.js';

function rowwise(kind: 'softmax' | 'logSoftmax', x: Tensor, axis: number): Tensor {
  const a = normalizeAxis(kind, axis, x.shape);
  if (a !== x.rank - 1) return rowwise(kind, x.transpose(a, -1), -1).transpose(a, -1);
  const src = isContiguous(x.view) ? x : contiguous(x);
  const cols = x.shape[x.rank - 1] ?? 1;
  const rows = cols === 0 ? 0 : x.size / cols;
  const y = kernelNode(kind, [src], x.shape, 'float32', (node, caps) => [
    { spec: softmaxKernel(kind, rows, cols, node.inputs[0].view.offset, caps), bind: [{ input: 0 }, { output: true }] },
  ]);
  return withGrad(y, kind, [x], (g) => {
    const yd = y.detach();
    if (kind === 'softmax') return [yd.mul(g.sub(g.mul(yd).sum(-1, true)))];
    return [g.sub(yd.exp().mul(g.sum(-1, true)))];
  });
}

export function softmax(x: Tensor, axis = -1): Tensor {
  return rowwise('softmax', x, axis);
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return rowwise('logSoftmax', x, axis);
}
