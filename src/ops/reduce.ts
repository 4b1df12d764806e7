// Reductions over any axes, with keepDim: sum / max / min and argmax / argmin are one kernel each
// (kernels/reduce.ts); mean is sum times 1/count. Each entry holds its shape rule, gradient rule and an
// independent float64 reference; the op functions below use the first two.
import { reduceKernel, type ReduceOp } from '../kernels/reduce.js';
import { ShapeError } from '../core/errors.js';
import { axisList, ndMap, ndNumel, ravel, unravel, type Nd } from '../core/nd.js';
import { normalizeAxes, numel, shapeStr } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { kernelNode, named, withGrad } from './record.js';
import { NOT_DIFFERENTIABLE, composite, primitive, type KernelChoice, type OutputSpec, type TensorMeta } from './op.js';

const REDUCE_KERNEL: KernelChoice = {
  module: 'kernels/reduce.ts',
  variants: 'one variant: a workgroup per output, lanes the next power of two >= the reduced length (at most 64), tree combine',
};

/** The output shape and dtype, and the reduced axes (sorted, non-negative). */
type ReduceSpec = OutputSpec & { axes: number[] };

function keptShape(shape: number[], axes: number[], keepDim: boolean): number[] {
  return keepDim ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

/** sum/max/min over `axis` (undefined = all); max and min refuse an empty reduced axis (they have no identity). */
const reduceShape = (op: 'sum' | 'max' | 'min') => (x: TensorMeta, axis: number | number[] | undefined, keepDim: boolean): ReduceSpec => {
  const axes = normalizeAxes(op, axis, x.shape);
  if (op !== 'sum' && axes.some((a) => x.shape[a] === 0))
    throw new ShapeError(`${op}: cannot reduce over an empty axis of a tensor of shape ${shapeStr(x.shape)}`);
  return { shape: keptShape(x.shape, axes, keepDim), dtype: 'float32', axes };
};

/** argmax/argmin along one axis; undefined = over the flattened tensor (a scalar index). */
const argShape = (op: 'argmax' | 'argmin') => (x: TensorMeta, axis: number | undefined, keepDim: boolean): ReduceSpec => {
  if (axis === undefined) return argShape(op)({ shape: [numel(x.shape)], dtype: x.dtype }, 0, false);
  const axes = normalizeAxes(op, axis, x.shape);
  if (x.shape[axes[0]] === 0) throw new ShapeError(`${op}: cannot reduce over an empty axis of a tensor of shape ${shapeStr(x.shape)}`);
  return { shape: keptShape(x.shape, axes, keepDim), dtype: 'int32', axes };
};

/**
 * max/min: the gradient is shared equally among the elements that attain the extreme. `yk` and `gk` are
 * the output and its gradient with the reduced axes kept (size 1).
 */
const extremeGrad = (x: Tensor, yk: Tensor, gk: Tensor, axes: number[]): Tensor => {
  const mask = x.eq(yk);
  return gk.mul(mask).div(mask.sum(axes, true));
};

// ---- float64 references (NumPy/PyTorch semantics) ----------------------------------------------

function reduceWith(x: Nd, axis: number | number[] | undefined, keepDim: boolean, init: number, f: (acc: number, v: number) => number): Nd {
  const axes = axisList(axis, x.shape.length);
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = new Float64Array(ndNumel(kept)).fill(init);
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape).map((v, d) => (axes.includes(d) ? 0 : v));
    const o = ravel(idx, kept);
    out[o] = f(out[o], x.data[i]);
  }
  return { shape: keepDim ? kept : x.shape.filter((_, i) => !axes.includes(i)), data: out };
}

const sumRef = (x: Nd, axis?: number | number[], keepDim = false) => reduceWith(x, axis, keepDim, 0, (a, v) => a + v);

/** Index of the first extreme along `axis` (all axes flattened when undefined), as NumPy/PyTorch. */
function argRef(x: Nd, better: (v: number, best: number) => boolean, axis?: number, keepDim = false): Nd {
  if (axis === undefined) return argRef({ shape: [x.data.length], data: x.data }, better, 0, false);
  const a = axis < 0 ? axis + x.shape.length : axis;
  const kept = x.shape.map((d, i) => (i === a ? 1 : d));
  const out = new Float64Array(ndNumel(kept));
  for (let o = 0; o < out.length; o++) {
    const idx = unravel(o, kept);
    let best = NaN;
    for (let k = 0; k < x.shape[a]; k++) {
      idx[a] = k;
      const v = x.data[ravel(idx, x.shape)];
      if (k === 0 || better(v, best)) {
        best = v;
        out[o] = k;
      }
    }
  }
  return { shape: keepDim ? kept : x.shape.filter((_, i) => i !== a), data: out };
}

// ---- the entries -------------------------------------------------------------------------------

export const REDUCE_OPS = {
  sum: primitive({
    doc: 'sum over axes (all when undefined), keepDim keeps them as size 1',
    shape: reduceShape('sum'),
    kernel: REDUCE_KERNEL,
    grad: (x: Tensor, _yk: Tensor, gk: Tensor, _axes: number[]): Tensor => gk.expand(x.shape),
    reference: sumRef,
  }),
  max: primitive({
    doc: 'max over axes (amax); ties share the gradient equally',
    shape: reduceShape('max'),
    kernel: REDUCE_KERNEL,
    grad: extremeGrad,
    reference: (x: Nd, axis?: number | number[], keepDim = false) => reduceWith(x, axis, keepDim, -Infinity, (a, v) => (v > a ? v : a)),
  }),
  min: primitive({
    doc: 'min over axes (amin); ties share the gradient equally',
    shape: reduceShape('min'),
    kernel: REDUCE_KERNEL,
    grad: extremeGrad,
    reference: (x: Nd, axis?: number | number[], keepDim = false) => reduceWith(x, axis, keepDim, Infinity, (a, v) => (v < a ? v : a)),
  }),
  argmax: primitive({
    doc: 'int32 index of the first maximum along one axis (of the flattened tensor when undefined)',
    shape: argShape('argmax'),
    kernel: REDUCE_KERNEL,
    grad: NOT_DIFFERENTIABLE,
    reference: (x: Nd, axis?: number, keepDim = false) => argRef(x, (v, b) => v > b, axis, keepDim),
  }),
  argmin: primitive({
    doc: 'int32 index of the first minimum along one axis (of the flattened tensor when undefined)',
    shape: argShape('argmin'),
    kernel: REDUCE_KERNEL,
    grad: NOT_DIFFERENTIABLE,
    reference: (x: Nd, axis?: number, keepDim = false) => argRef(x, (v, b) => v < b, axis, keepDim),
  }),
  mean: composite({
    doc: 'sum over axes times 1 / (number of reduced elements)',
    of: ['sum', 'mul'],
    reference: (x: Nd, axis?: number | number[], keepDim = false): Nd => {
      const count = ndNumel(axisList(axis, x.shape.length).map((a) => x.shape[a]));
      return ndMap(sumRef(x, axis, keepDim), (v) => v / count);
    },
  }),
};

// ---- the ops -----------------------------------------------------------------------------------

function reduceNode(op: ReduceOp, x: Tensor, axes: number[], dtype: OutputSpec['dtype']): Tensor {
  const out = x.shape.filter((_, i) => !axes.includes(i));
  return kernelNode(`reduce_${op}(${axes})`, [x], out, dtype, (node, caps) => [
    { spec: reduceKernel(op, node.inputs[0].view, x.dtype, axes, caps), bind: [{ input: 0 }, { output: true }] },
  ]);
}

export function reduce(op: 'sum' | 'max' | 'min', x: Tensor, axis: number | number[] | undefined, keepDim: boolean): Tensor {
  const def = REDUCE_OPS[op];
  const { shape, dtype, axes } = def.shape(x, axis, keepDim);
  const kept = keptShape(x.shape, axes, true);
  const y = reduceNode(op, x, axes, dtype).reshape(shape);
  return withGrad(y, op, [x], (g) => [def.grad(x.detach(), y.detach().reshape(kept), g.reshape(kept), axes)]);
}

export function mean(x: Tensor, axis: number | number[] | undefined, keepDim: boolean): Tensor {
  const axes = normalizeAxes('mean', axis, x.shape);
  const count = numel(axes.map((a) => x.shape[a]));
  return reduce('sum', x, axes, keepDim).mul(1 / count);
}

export function argReduce(op: 'argmax' | 'argmin', x: Tensor, axis: number | undefined, keepDim: boolean): Tensor {
  if (axis === undefined) return argReduce(op, x.reshape([x.size]), 0, false);
  const { shape, dtype, axes } = REDUCE_OPS[op].shape(x, axis, keepDim);
  return named(reduceNode(op, x, axes, dtype), op, [x]).reshape(shape);
}
