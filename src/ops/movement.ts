// Movement ops. reshape/permute/expand/slice/squeeze are views (no kernel, no copy); cat and gather are kernels.
import { copyRegionKernel, gatherRowsKernel } from '../kernels/copy.js';
import { elementwiseKernel } from '../kernels/elementwise.js';
import type { AdapterCaps } from '../kernels/types.js';
import { isContiguous, type View } from '../graph/node.js';
import { DTypeError, ShapeError, ValueError } from '../core/errors.js';
import { runtime } from '../runtime/runtime.js';
import { broadcastShapes, contiguousStrides, normalizeAxis, numel, sameShape, shapeStr } from '../core/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { contiguous } from './elementwise.js';
import { broadcastView, elementwise, kernelNode, unbroadcast, withGrad } from './lower.js';

function viewOf(x: Tensor, view: View): Tensor {
  return new Tensor(x.node, view);
}

export function reshape(x: Tensor, shapeIn: number[]): Tensor {
  const shape = inferShape('reshape', shapeIn, x.size, x.shape);
  if (sameShape(shape, x.shape)) return x;
  const src = isContiguous(x.view) ? x : contiguous(x);
  const y = viewOf(src, { shape, strides: contiguousStrides(shape), offset: src.view.offset });
  return withGrad(y, 'reshape', [x], (g) => [g.reshape(x.shape)]);
}

function inferShape(op: string, shape: number[], size: number, from: number[]): number[] {
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1 || shape.some((d) => !Number.isInteger(d) || d < -1)) throw new ShapeError(`${op}: invalid target shape ${shapeStr(shape)}`);
  const known = numel(shape.filter((d) => d !== -1));
  const out = shape.map((d) => (d === -1 ? (known === 0 ? 0 : size / known) : d));
  if (numel(out) !== size || out.some((d) => !Number.isInteger(d)))
    throw new ShapeError(`${op}: cannot reshape a tensor of shape ${shapeStr(from)} (${size} elements) to ${shapeStr(shape)}`);
  return out;
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.rank === 0) return x.reshape([1]);
  const s = normalizeAxis('flatten', startDim, x.shape);
  const e = normalizeAxis('flatten', endDim, x.shape);
  return x.reshape([...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

export function permute(x: Tensor, perm: number[]): Tensor {
  const p = perm.map((a) => normalizeAxis('permute', a, x.shape));
  if (p.length !== x.rank || new Set(p).size !== p.length)
    throw new ShapeError(`permute: [${perm}] is not a permutation of the ${x.rank} axes of a tensor of shape ${shapeStr(x.shape)}`);
  const y = viewOf(x, { shape: p.map((a) => x.shape[a]), strides: p.map((a) => x.view.strides[a]), offset: x.view.offset });
  const inverse = p.map((_, i) => p.indexOf(i));
  return withGrad(y, 'permute', [x], (g) => [g.permute(inverse)]);
}

export function transpose(x: Tensor, a: number, b: number): Tensor {
  if (x.rank < 2) return x;
  const perm = [...Array(x.rank).keys()];
  const i = normalizeAxis('transpose', a, x.shape);
  const j = normalizeAxis('transpose', b, x.shape);
  [perm[i], perm[j]] = [perm[j], perm[i]];
  return permute(x, perm);
}

export function expand(x: Tensor, shape: number[]): Tensor {
  const target = shape.map((d, i) => (d === -1 ? x.shape[i - (shape.length - x.rank)] : d));
  const out = broadcastShapes('expand', x.shape, target);
  if (!sameShape(out, target)) throw new ShapeError(`expand: cannot expand shape ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
  const y = viewOf(x, broadcastView(x.view, target));
  return withGrad(y, 'expand', [x], (g) => [unbroadcast(g, x.shape)]);
}

export function squeeze(x: Tensor, axis?: number): Tensor {
  if (axis === undefined) return x.reshape(x.shape.filter((d) => d !== 1));
  const a = normalizeAxis('squeeze', axis, x.shape);
  if (x.shape[a] !== 1) return x;
  return x.reshape(x.shape.filter((_, i) => i !== a));
}

export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normalizeAxis('unsqueeze', axis, x.shape, 1);
  return x.reshape([...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

/** x[starts[0]:ends[0], starts[1]:ends[1], ...] (missing axes whole; negative indices count from the end). */
export function slice(x: Tensor, starts: number[], ends?: number[]): Tensor {
  if (starts.length > x.rank) throw new ShapeError(`slice: ${starts.length} start indices for a tensor of shape ${shapeStr(x.shape)}`);
  const lo = x.shape.map((d, i) => clampIndex(starts[i] ?? 0, d));
  const hi = x.shape.map((d, i) => clampIndex(ends?.[i] ?? d, d));
  const shape = lo.map((l, i) => Math.max(hi[i] - l, 0));
  const offset = x.view.offset + lo.reduce((acc, l, i) => acc + l * x.view.strides[i], 0);
  const y = viewOf(x, { shape, strides: [...x.view.strides], offset });
  return withGrad(y, 'slice', [x], (g) => [padInto(g, x.shape, lo)]);
}

function clampIndex(i: number, d: number): number {
  const j = i < 0 ? i + d : i;
  return Math.min(Math.max(j, 0), d);
}

/** A zero tensor of `shape` with `g` written at `starts` (the gradient of slice). */
function padInto(g: Tensor, shape: number[], starts: number[]): Tensor {
  const strides = contiguousStrides(shape);
  const dstOffset = starts.reduce((acc, s, i) => acc + s * strides[i], 0);
  const y = kernelNode(`pad(${shape};${starts})`, [g], shape, g.dtype, (node, caps) => [
    { spec: fillZeroSpec(shape, g.dtype, caps), bind: [{ output: true }] },
    { spec: copyRegionKernel(node.inputs[0].view, strides, dstOffset, g.dtype, caps), bind: [{ input: 0 }, { output: true }] },
  ]);
  return withGrad(y, 'pad', [g], (gg) => [gg.slice(starts, starts.map((s, i) => s + g.shape[i]))]);
}

/** A kernel writing zeros over a whole contiguous output (an elementwise kernel with no inputs). */
function fillZeroSpec(shape: number[], dtype: 'float32' | 'int32', caps: AdapterCaps) {
  return elementwiseKernel({ shape, outDtype: dtype, inputs: [], exprs: ['0.0'] }, caps);
}

export function cat(tensors: Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('cat: needs at least one tensor');
  const first = tensors[0];
  const a = normalizeAxis('cat', axis, first.shape);
  for (const t of tensors) {
    if (t.rank !== first.rank || t.shape.some((d, i) => i !== a && d !== first.shape[i]))
      throw new ShapeError(`cat: tensors of shapes ${tensors.map((x) => shapeStr(x.shape)).join(', ')} do not match outside axis ${a}`);
    if (t.dtype !== first.dtype) throw new DTypeError(`cat: mixed dtypes ${first.dtype} and ${t.dtype}`);
  }
  const shape = [...first.shape];
  shape[a] = tensors.reduce((s, t) => s + t.shape[a], 0);
  const strides = contiguousStrides(shape);
  const starts: number[] = [];
  let at = 0;
  for (const t of tensors) (starts.push(at), (at += t.shape[a]));
  const y = kernelNode(`cat(${a})`, tensors, shape, first.dtype, (node, caps) =>
    node.inputs.map((src, k) => ({ spec: copyRegionKernel(src.view, strides, starts[k] * strides[a], first.dtype, caps), bind: [{ input: k }, { output: true }] })),
  );
  return withGrad(y, 'cat', tensors, (g) =>
    tensors.map((t, k) => {
      const lo = shape.map(() => 0);
      lo[a] = starts[k];
      const hi = [...shape];
      hi[a] = starts[k] + t.shape[a];
      return g.slice(lo, hi);
    }),
  );
}

export function stack(tensors: Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('stack: needs at least one tensor');
  const a = normalizeAxis('stack', axis, tensors[0].shape, 1);
  return cat(tensors.map((t) => t.unsqueeze(a)), a);
}

/**
 * Rows of `table` ([rows, ...rest]) picked by int32 `indices` (any shape): out shape [...indices.shape, ...rest].
 * The gradient is a one-hot matmul (a scatter-add written with existing ops).
 */
export function gather(table: Tensor, indices: Tensor): Tensor {
  if (indices.dtype !== 'int32') throw new DTypeError(`gather: indices must be int32, got ${indices.dtype} tensor of shape ${shapeStr(indices.shape)}`);
  if (table.rank < 1) throw new ShapeError(`gather: table must have at least 1 dimension, got shape ${shapeStr(table.shape)}`);
  const rows = table.shape[0];
  if (indices.hostInts) {
    const bad = indices.hostInts.findIndex((v) => v < 0 || v >= rows);
    if (bad >= 0) throw new ValueError(`gather: index ${indices.hostInts[bad]} at position ${bad} is out of range for a table of ${rows} rows (shape ${shapeStr(table.shape)})`);
  }
  const rest = table.shape.slice(1);
  const rowSize = numel(rest);
  const t = isContiguous(table.view) ? table : contiguous(table);
  const idx = isContiguous(indices.view) ? indices : contiguous(indices);
  const shape = [...indices.shape, ...rest];
  const y = kernelNode('gather', [t, idx], shape, 'float32', (node, caps) => [
    { spec: gatherRowsKernel(indices.size, rows, rowSize, node.inputs[0].view.offset, node.inputs[1].view.offset, caps), bind: [{ input: 0 }, { input: 1 }, { output: true }] },
  ]);
  return withGrad(y, 'gather', [table], (g) => {
    const onehot = oneHot(indices.reshape([-1]), rows); // [n, rows]
    return [onehot.transpose(0, 1).matmul(g.reshape([indices.size, rowSize])).reshape(table.shape)];
  });
}

/** float32 [n, classes] with 1 where column == label (labels int32 [n]); built from coordinates, no upload. */
export function oneHot(labels: Tensor, classes: number): Tensor {
  return elementwise('select(0.0, 1.0, f32($c1) == $0)', [labels.reshape([labels.size, 1])], [labels.size, classes]);
}

