// softmax and logSoftmax along an axis: one fused, numerically stable kernel each (kernels/softmax.ts) over
// contiguous rows of the last axis (another axis is transposed there first); gradients composed.
import { isContiguous } from '../graph/node.js';
import { softmaxKernel } from '../kernels/softmax.js';
import { alongAxis, type Nd } from '../core/nd.js';
import { normalizeAxis } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { contiguous } from './elementwise.js';
import { kernelNode, withGrad } from './record.js';
import { primitive, type KernelChoice, type OutputSpec, type TensorMeta } from './op.js';

const ROWWISE: KernelChoice = {
  module: 'kernels/softmax.ts',
  variants: 'one variant: a workgroup per row of the last axis, lanes the next power of two >= the row length (at most 64)',
};

/** Same shape, float32; the axis (possibly negative) must exist. */
const rowwiseShape = (op: 'softmax' | 'logSoftmax') => (x: TensorMeta, axis: number): OutputSpec & { axis: number } => ({
  shape: [...x.shape],
  dtype: 'float32',
  axis: normalizeAxis(op, axis, x.shape),
});

export const SOFTMAX_OPS = {
  softmax: primitive({
    doc: 'e^x / sum(e^x) along an axis (max subtracted first)',
    shape: rowwiseShape('softmax'),
    kernel: ROWWISE,
    /** Along the last axis, from the output y: y * (g - sum(g * y)). */
    grad: (y: Tensor, g: Tensor): Tensor => y.mul(g.sub(g.mul(y).sum(-1, true))),
    reference: (x: Nd, axis = -1): Nd =>
      alongAxis(x, axis, (row) => {
        const m = Math.max(...row);
        const e = row.map((v) => Math.exp(v - m));
        const s = e.reduce((a, b) => a + b, 0);
        return e.map((v) => v / s);
      }),
  }),
  logSoftmax: primitive({
    doc: 'x - log(sum(e^x)) along an axis (max subtracted first)',
    shape: rowwiseShape('logSoftmax'),
    kernel: ROWWISE,
    /** Along the last axis, from the output y: g - e^y * sum(g). */
    grad: (y: Tensor, g: Tensor): Tensor => g.sub(y.exp().mul(g.sum(-1, true))),
    reference: (x: Nd, axis = -1): Nd =>
      alongAxis(x, axis, (row) => {
        const m = Math.max(...row);
        const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
        return row.map((v) => v - lse);
      }),
  }),
};

function rowwise(kind: 'softmax' | 'logSoftmax', x: Tensor, axis: number): Tensor {
  const def = SOFTMAX_OPS[kind];
  const { shape, dtype, axis: a } = def.shape(x, axis);
  if (a !== x.rank - 1) return rowwise(kind, x.transpose(a, -1), -1).transpose(a, -1);
  const src = isContiguous(x.view) ? x : contiguous(x);
  const cols = x.shape[x.rank - 1] ?? 1;
  const rows = cols === 0 ? 0 : x.size / cols;
  const y = kernelNode(kind, [src], shape, dtype, (node, caps) => [
    { spec: softmaxKernel(kind, rows, cols, node.inputs[0].view.offset, caps), bind: [{ input: 0 }, { output: true }] },
  ]);
  return withGrad(y, kind, [x], (g) => [def.grad(y.detach(), g)]);
}

export function softmax(x: Tensor, axis = -1): Tensor {
  return rowwise('softmax', x, axis);
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return rowwise('logSoftmax', x, axis);
}
