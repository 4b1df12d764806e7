// Reductions over any axes, with keepDim. Gradients are written with other ops.
import { reduceKernel, type ReduceOp } from '../kernels/reduce.js';
import { ShapeError } from '../core/errors.js';
import { runtime } from '../runtime/runtime.js';
import { normalizeAxes, numel, shapeStr } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { kernelNode, withGrad } from './lower.js';

export const REDUCE_REFS: Record<'sum' | 'max' | 'min', (values: number[]) => number> = {
  sum: (v) => v.reduce((a, b) => a + b, 0),
  max: (v) => Math.max(...v),
  min: (v) => Math.min(...v),
};

function keptShape(shape: number[], axes: number[], keepDim: boolean): number[] {
  return keepDim ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

function reduceNode(op: ReduceOp, x: Tensor, axes: number[]): Tensor {
  const out = x.shape.filter((_, i) => !axes.includes(i));
  return kernelNode(`reduce_${op}(${axes})`, [x], out, op.startsWith('arg') ? 'int32' : 'float32', (node, caps) => [
    { spec: reduceKernel(op, node.inputs[0].view, x.dtype, axes, caps), bind: [{ input: 0 }, { output: true }] },
  ]);
}

export function reduce(op: 'sum' | 'max' | 'min', x: Tensor, axis: number | number[] | undefined, keepDim: boolean): Tensor {
  const axes = normalizeAxes(op, axis, x.shape);
  if (op !== 'sum' && axes.some((a) => x.shape[a] === 0))
    throw new ShapeError(`${op}: cannot reduce over an empty axis of a tensor of shape ${shapeStr(x.shape)}`);
  const kept = keptShape(x.shape, axes, true);
  const y = reduceNode(op, x, axes).reshape(keptShape(x.shape, axes, keepDim));
  return withGrad(y, op, [x], (g) => {
    const gk = g.reshape(kept);
    if (op === 'sum') return [gk.expand(x.shape)];
    // max/min: the gradient is shared equally among the elements that attain the extreme
    const mask = x.detach().eq(y.detach().reshape(kept));
    return [gk.mul(mask).div(mask.sum(axes, true))];
  });
}

export function mean(x: Tensor, axis: number | number[] | undefined, keepDim: boolean): Tensor {
  const axes = normalizeAxes('mean', axis, x.shape);
  const count = numel(axes.map((a) => x.shape[a]));
  return reduce('sum', x, axes, keepDim).mul(1 / count);
}

export function argReduce(op: 'argmax' | 'argmin', x: Tensor, axis: number | undefined, keepDim: boolean): Tensor {
  if (axis === undefined) return argReduce(op, x.reshape([x.size]), 0, false);
  const axes = normalizeAxes(op, axis, x.shape);
  if (x.shape[axes[0]] === 0) throw new ShapeError(`${op}: cannot reduce over an empty axis of a tensor of shape ${shapeStr(x.shape)}`);
  return reduceNode(op, x, axes).reshape(keptShape(x.shape, axes, keepDim));
}
