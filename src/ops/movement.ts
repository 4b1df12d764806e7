// Movement ops. reshape/permute/expand/slice are views (no kernel, no copy: a new strided window onto the
// same buffer); pad, cat and gather are copy kernels; oneHot is built from coordinates. transpose, flatten,
// squeeze, unsqueeze and stack are compositions of these and need no gradient code of their own.
import { indexInRange, indexSite } from '../kernels/checks.js';
import { copyRegionKernel, gatherRowsKernel } from '../kernels/copy.js';
import { elementwiseKernel } from '../kernels/elementwise.js';
import type { AdapterCaps } from '../kernels/types.js';
import { isContiguous, type View } from '../graph/node.js';
import type { DType } from '../core/dtype.js';
import { DTypeError, InternalError, ShapeError, ValueError } from '../core/errors.js';
import { ndNumel, ravel, unravel, zipWith, type Nd } from '../core/nd.js';
import { broadcastShapes, contiguousStrides, normalizeAxis, numel, sameShape, shapeStr } from '../core/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { contiguous } from './elementwise.js';
import { segmentReduce } from './graph.js';
import { broadcastView, elementwise, kernelNode, named, unbroadcast, withGrad } from './record.js';
import { NOT_DIFFERENTIABLE, VIEW, composite, primitive, type OutputSpec, type TensorMeta } from './op.js';

const COPY = { module: 'kernels/copy.ts', variants: 'one variant (copy_region.wgsl: a zero fill, then one strided region copy per input)' };

// ---- shape rules -------------------------------------------------------------------------------

function inferShape(op: string, shape: number[], size: number, from: number[]): number[] {
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1 || shape.some((d) => !Number.isInteger(d) || d < -1)) throw new ShapeError(`${op}: invalid target shape ${shapeStr(shape)}`);
  const known = numel(shape.filter((d) => d !== -1));
  const out = shape.map((d) => (d === -1 ? (known === 0 ? 0 : size / known) : d));
  if (numel(out) !== size || out.some((d) => !Number.isInteger(d)))
    throw new ShapeError(`${op}: cannot reshape a tensor of shape ${shapeStr(from)} (${size} elements) to ${shapeStr(shape)}`);
  return out;
}

function clampIndex(i: number, d: number): number {
  const j = i < 0 ? i + d : i;
  return Math.min(Math.max(j, 0), d);
}

const inversePerm = (p: number[]) => p.map((_, i) => p.indexOf(i));

// ---- float64 references (Python/NumPy semantics, written on flat row-major arrays) ---------------

function reshapeRef(x: Nd, shape: number[]): Nd {
  const known = ndNumel(shape.filter((d) => d !== -1));
  const s = shape.map((d) => (d === -1 ? x.data.length / known : d));
  if (ndNumel(s) !== x.data.length) throw new InternalError(`reference reshape: [${x.shape}] to [${shape}]`);
  return { shape: s, data: x.data.slice() };
}

function permuteRef(x: Nd, perm: number[]): Nd {
  const p = perm.map((a) => (a < 0 ? a + x.shape.length : a));
  const shape = p.map((a) => x.shape[a]);
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    const src = new Array<number>(x.shape.length);
    p.forEach((a, d) => (src[a] = idx[d]));
    out[i] = x.data[ravel(src, x.shape)];
  }
  return { shape, data: out };
}

function transposeRef(x: Nd, a = -2, b = -1): Nd {
  const r = x.shape.length;
  if (r < 2) return x;
  const perm = [...Array(r).keys()];
  const i = a < 0 ? a + r : a;
  const j = b < 0 ? b + r : b;
  [perm[i], perm[j]] = [perm[j], perm[i]];
  return permuteRef(x, perm);
}

function expandRef(x: Nd, shape: number[]): Nd {
  const target = shape.map((d, i) => (d === -1 ? x.shape[i - (shape.length - x.shape.length)] : d));
  return zipWith([x, { shape: target, data: new Float64Array(ndNumel(target)) }], (v) => v);
}

function squeezeRef(x: Nd, axis?: number): Nd {
  if (axis === undefined) return reshapeRef(x, x.shape.filter((d) => d !== 1));
  const a = axis < 0 ? axis + x.shape.length : axis;
  return x.shape[a] === 1 ? reshapeRef(x, x.shape.filter((_, i) => i !== a)) : x;
}

function unsqueezeRef(x: Nd, axis: number): Nd {
  const a = axis < 0 ? axis + x.shape.length + 1 : axis;
  return reshapeRef(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

function flattenRef(x: Nd, start = 0, end = -1): Nd {
  if (x.shape.length === 0) return reshapeRef(x, [1]);
  const r = x.shape.length;
  const s = start < 0 ? start + r : start;
  const e = end < 0 ? end + r : end;
  return reshapeRef(x, [...x.shape.slice(0, s), ndNumel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

/** Python slicing x[s0:e0, s1:e1, ...]: negative indices from the end, clamped; missing axes whole. */
function sliceRef(x: Nd, starts: number[], ends?: number[]): Nd {
  const clamp = (i: number, d: number) => Math.min(Math.max(i < 0 ? i + d : i, 0), d);
  const lo = x.shape.map((d, i) => clamp(starts[i] ?? 0, d));
  const hi = x.shape.map((d, i) => clamp(ends?.[i] ?? d, d));
  const shape = lo.map((l, i) => Math.max(hi[i] - l, 0));
  const out = new Float64Array(ndNumel(shape));
  for (let i = 0; i < out.length; i++) out[i] = x.data[ravel(unravel(i, shape).map((v, d) => v + lo[d]), x.shape)];
  return { shape, data: out };
}

/** Zeros of `shape` with `x` written at `starts` (NumPy: z = zeros(shape); z[s0:s0+n0, ...] = x). */
function padRef(x: Nd, shape: number[], starts: number[]): Nd {
  const out = new Float64Array(ndNumel(shape));
  for (let i = 0; i < x.data.length; i++) out[ravel(unravel(i, x.shape).map((v, d) => v + starts[d]), shape)] = x.data[i];
  return { shape: [...shape], data: out };
}

function catRef(xs: Nd[], axis = 0): Nd {
  const a = axis < 0 ? axis + xs[0].shape.length : axis;
  const shape = [...xs[0].shape];
  shape[a] = xs.reduce((s, x) => s + x.shape[a], 0);
  const out = new Float64Array(ndNumel(shape));
  let at = 0;
  for (const x of xs) {
    for (let i = 0; i < x.data.length; i++) {
      const idx = unravel(i, x.shape);
      idx[a] += at;
      out[ravel(idx, shape)] = x.data[i];
    }
    at += x.shape[a];
  }
  return { shape, data: out };
}

function stackRef(xs: Nd[], axis = 0): Nd {
  const a = axis < 0 ? axis + xs[0].shape.length + 1 : axis;
  return catRef(xs.map((x) => unsqueezeRef(x, a)), a);
}

/** Rows of `table` picked by integer `indices` (any shape): [...indices.shape, ...table.shape.slice(1)]. */
function gatherRef(table: Nd, indices: Nd): Nd {
  const rest = table.shape.slice(1);
  const row = ndNumel(rest);
  const out = new Float64Array(indices.data.length * row);
  indices.data.forEach((r, i) => out.set(table.data.subarray(r * row, (r + 1) * row), i * row));
  return { shape: [...indices.shape, ...rest], data: out };
}

function oneHotRef(labels: Nd, classes: number): Nd {
  const out = new Float64Array(labels.data.length * classes);
  labels.data.forEach((c, i) => (out[i * classes + c] = 1));
  return { shape: [labels.data.length, classes], data: out };
}

// ---- the entries -------------------------------------------------------------------------------

export const MOVEMENT_OPS = {
  reshape: primitive({
    doc: 'the same elements in a new shape (one -1 inferred); a view of contiguous input, else of a contiguous copy',
    shape: (x: TensorMeta, shape: number[]): OutputSpec => ({ shape: inferShape('reshape', shape, numel(x.shape), x.shape), dtype: x.dtype }),
    kernel: VIEW,
    grad: (g: Tensor, from: number[]) => g.reshape(from),
    reference: reshapeRef,
  }),
  permute: primitive({
    doc: 'axes reordered (torch.permute)',
    shape: (x: TensorMeta, perm: number[]): OutputSpec & { perm: number[] } => {
      const p = perm.map((a) => normalizeAxis('permute', a, x.shape));
      if (p.length !== x.shape.length || new Set(p).size !== p.length)
        throw new ShapeError(`permute: [${perm}] is not a permutation of the ${x.shape.length} axes of a tensor of shape ${shapeStr(x.shape)}`);
      return { shape: p.map((a) => x.shape[a]), dtype: x.dtype, perm: p };
    },
    kernel: VIEW,
    grad: (g: Tensor, perm: number[]) => g.permute(inversePerm(perm)),
    reference: permuteRef,
  }),
  expand: primitive({
    doc: 'size-1 axes broadcast to a larger shape (-1 keeps an axis), stride 0',
    shape: (x: TensorMeta, shape: number[]): OutputSpec => {
      const target = shape.map((d, i) => (d === -1 ? x.shape[i - (shape.length - x.shape.length)] : d));
      const out = broadcastShapes('expand', x.shape, target);
      if (!sameShape(out, target)) throw new ShapeError(`expand: cannot expand shape ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
      return { shape: target, dtype: x.dtype };
    },
    kernel: VIEW,
    grad: (g: Tensor, from: number[]) => unbroadcast(g, from),
    reference: expandRef,
  }),
  slice: primitive({
    doc: 'x[s0:e0, s1:e1, ...] (missing axes whole; negative indices from the end; clamped as Python)',
    shape: (x: TensorMeta, starts: number[], ends?: number[]): OutputSpec & { starts: number[] } => {
      if (starts.length > x.shape.length) throw new ShapeError(`slice: ${starts.length} start indices for a tensor of shape ${shapeStr(x.shape)}`);
      const lo = x.shape.map((d, i) => clampIndex(starts[i] ?? 0, d));
      const hi = x.shape.map((d, i) => clampIndex(ends?.[i] ?? d, d));
      return { shape: lo.map((l, i) => Math.max(hi[i] - l, 0)), dtype: x.dtype, starts: lo };
    },
    kernel: VIEW,
    grad: (g: Tensor, from: number[], starts: number[]) => pad(g, from, starts),
    reference: sliceRef,
  }),
  pad: primitive({
    doc: 'a zero tensor of `shape` with x written at `starts` (the gradient of slice)',
    shape: (x: TensorMeta, shape: number[], starts: number[]): OutputSpec => {
      const fits = shape.length === x.shape.length && starts.length === shape.length &&
        starts.every((s, i) => Number.isInteger(s) && s >= 0 && s + x.shape[i] <= shape[i]);
      if (!fits) throw new ShapeError(`pad: a tensor of shape ${shapeStr(x.shape)} written at [${starts}] does not fit in shape ${shapeStr(shape)}`);
      return { shape: [...shape], dtype: x.dtype };
    },
    kernel: COPY,
    grad: (g: Tensor, starts: number[], size: number[]) => g.slice(starts, starts.map((s, i) => s + size[i])),
    reference: padRef,
  }),
  cat: primitive({
    doc: 'tensors joined along an existing axis (torch.cat)',
    shape: (tensors: TensorMeta[], axis: number): OutputSpec & { axis: number; starts: number[] } => {
      if (tensors.length === 0) throw new ShapeError('cat: needs at least one tensor');
      const first = tensors[0];
      const a = normalizeAxis('cat', axis, first.shape);
      for (const t of tensors) {
        if (t.shape.length !== first.shape.length || t.shape.some((d, i) => i !== a && d !== first.shape[i]))
          throw new ShapeError(`cat: tensors of shapes ${tensors.map((x) => shapeStr(x.shape)).join(', ')} do not match outside axis ${a}`);
        if (t.dtype !== first.dtype) throw new DTypeError(`cat: mixed dtypes ${first.dtype} and ${t.dtype}`);
      }
      const shape = [...first.shape];
      const starts: number[] = [];
      let at = 0;
      for (const t of tensors) (starts.push(at), (at += t.shape[a]));
      shape[a] = at;
      return { shape, dtype: first.dtype, axis: a, starts };
    },
    kernel: COPY,
    /** The gradient of input k: its slab of g along `axis`. */
    grad: (g: Tensor, axis: number, start: number, size: number) => {
      const lo = g.shape.map(() => 0);
      lo[axis] = start;
      const hi = [...g.shape];
      hi[axis] = start + size;
      return g.slice(lo, hi);
    },
    reference: catRef,
  }),
  gather: primitive({
    doc: 'rows of table ([rows, ...rest]) picked by int32 indices of any shape: [...indices.shape, ...rest] (torch.index_select on axis 0)',
    shape: (table: TensorMeta, indices: TensorMeta & { hostInts?: Int32Array | null }): OutputSpec => {
      if (indices.dtype !== 'int32') throw new DTypeError(`gather: indices must be int32, got ${indices.dtype} tensor of shape ${shapeStr(indices.shape)}`);
      if (table.shape.length < 1) throw new ShapeError(`gather: table must have at least 1 dimension, got shape ${shapeStr(table.shape)}`);
      const rows = table.shape[0];
      if (indices.hostInts) {
        const bad = indices.hostInts.findIndex((v) => v < 0 || v >= rows);
        if (bad >= 0) throw new ValueError(`gather: index ${indices.hostInts[bad]} at position ${bad} is out of range for a table of ${rows} rows (shape ${shapeStr(table.shape)})`);
      }
      return { shape: [...indices.shape, ...table.shape.slice(1)], dtype: 'float32' };
    },
    kernel: { module: 'kernels/copy.ts', variants: 'one variant (gather.wgsl); indices computed on the GPU are range-checked there (kernels/checks.ts)' },
    /**
     * A scatter-add: for host-known indices a segment sum over them (ops/graph.ts, O(n·row)); for indices
     * computed on the GPU (no CPU copy to sort) one-hot(indices)^T @ g, written with existing ops.
     */
    grad: (g: Tensor, tableShape: number[], indices: Tensor) => {
      const rows = tableShape[0];
      const rowSize = numel(tableShape.slice(1));
      if (indices.hostInts) return segmentReduce('sum', g.reshape([indices.size, rowSize]), indices.hostInts, rows).reshape(tableShape);
      const onehot = oneHot(indices.reshape([-1]), rows, null); // [n, rows] (the forward gather range-checked the indices)
      return onehot.transpose(0, 1).matmul(g.reshape([indices.size, rowSize])).reshape(tableShape);
    },
    reference: gatherRef,
  }),
  oneHot: primitive({
    doc: 'float32 [n, classes] with 1 where column == label (labels int32, flattened); built from coordinates, no upload',
    shape: (labels: TensorMeta, classes: number): OutputSpec => {
      if (!Number.isInteger(classes) || classes < 0) throw new ValueError(`oneHot: classes must be a non-negative integer, got ${classes} (labels of shape ${shapeStr(labels.shape)})`);
      return { shape: [numel(labels.shape), classes], dtype: 'float32' };
    },
    kernel: {
      module: 'kernels/elementwise.ts',
      variants: 'one kernel per fused group (graph/plan.ts)',
      /** 1 where the column is the label; labels computed on the GPU (`site` given) are range-checked, a bad one recorded. */
      exprFor: (classes: number, site: number | null): string => `select(0.0, 1.0, ${indexInRange('i32($0)', classes, site)} && f32($c1) == $0)`,
    },
    grad: NOT_DIFFERENTIABLE,
    reference: oneHotRef,
  }),
  transpose: composite({ doc: 'two axes swapped (a no-op below rank 2)', of: ['permute'], reference: transposeRef }),
  flatten: composite({ doc: 'axes startDim..endDim merged into one (a scalar becomes [1])', of: ['reshape'], reference: flattenRef }),
  squeeze: composite({ doc: 'size-1 axes dropped (all, or the one named)', of: ['reshape'], reference: squeezeRef }),
  unsqueeze: composite({ doc: 'a size-1 axis inserted', of: ['reshape'], reference: unsqueezeRef }),
  stack: composite({ doc: 'tensors joined along a new axis (torch.stack)', of: ['cat', 'reshape'], reference: stackRef }),
};

const M = MOVEMENT_OPS;

// ---- the ops -----------------------------------------------------------------------------------

function viewOf(x: Tensor, view: View): Tensor {
  return new Tensor(x.node, view);
}

export function reshape(x: Tensor, shapeIn: number[]): Tensor {
  const { shape } = M.reshape.shape(x, shapeIn);
  if (sameShape(shape, x.shape)) return x;
  const src = isContiguous(x.view) ? x : contiguous(x);
  const y = viewOf(src, { shape, strides: contiguousStrides(shape), offset: src.view.offset });
  return withGrad(y, 'reshape', [x], (g) => [M.reshape.grad(g, x.shape)]);
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.rank === 0) return x.reshape([1]);
  const s = normalizeAxis('flatten', startDim, x.shape);
  const e = normalizeAxis('flatten', endDim, x.shape);
  return x.reshape([...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

export function permute(x: Tensor, perm: number[]): Tensor {
  const { shape, perm: p } = M.permute.shape(x, perm);
  const y = viewOf(x, { shape, strides: p.map((a) => x.view.strides[a]), offset: x.view.offset });
  return withGrad(y, 'permute', [x], (g) => [M.permute.grad(g, p)]);
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
  const out = M.expand.shape(x, shape);
  const y = viewOf(x, broadcastView(x.view, out.shape));
  return withGrad(y, 'expand', [x], (g) => [M.expand.grad(g, x.shape)]);
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
  const { shape, starts: lo } = M.slice.shape(x, starts, ends);
  const offset = x.view.offset + lo.reduce((acc, l, i) => acc + l * x.view.strides[i], 0);
  const y = viewOf(x, { shape, strides: [...x.view.strides], offset });
  return withGrad(y, 'slice', [x], (g) => [M.slice.grad(g, x.shape, lo)]);
}

/** A zero tensor of `shape` with `x` written at `starts` (the gradient of slice). */
export function pad(x: Tensor, shape: number[], starts: number[]): Tensor {
  const out = M.pad.shape(x, shape, starts);
  const strides = contiguousStrides(out.shape);
  const dstOffset = starts.reduce((acc, s, i) => acc + s * strides[i], 0);
  const y = kernelNode(`pad(${out.shape};${starts})`, [x], out.shape, out.dtype, (node, caps) => [
    { spec: fillZeroSpec(out.shape, out.dtype, caps), bind: [{ output: true }] },
    { spec: copyRegionKernel(node.inputs[0].view, strides, dstOffset, out.dtype, caps), bind: [{ input: 0 }, { output: true }] },
  ]);
  return withGrad(y, 'pad', [x], (g) => [M.pad.grad(g, starts, x.shape)]);
}

/** A kernel writing zeros over a whole contiguous output (an elementwise kernel with no inputs). */
function fillZeroSpec(shape: number[], dtype: DType, caps: AdapterCaps) {
  return elementwiseKernel({ shape, outDtype: dtype, inputs: [], exprs: ['0.0'] }, caps);
}

export function cat(tensors: Tensor[], axis = 0): Tensor {
  const { shape, dtype, axis: a, starts } = M.cat.shape(tensors, axis);
  const strides = contiguousStrides(shape);
  const y = kernelNode(`cat(${a})`, tensors, shape, dtype, (node, caps) =>
    node.inputs.map((src, k) => ({ spec: copyRegionKernel(src.view, strides, starts[k] * strides[a], dtype, caps), bind: [{ input: k }, { output: true }] })),
  );
  return withGrad(y, 'cat', tensors, (g) => tensors.map((t, k) => M.cat.grad(g, a, starts[k], t.shape[a])));
}

export function stack(tensors: Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('stack: needs at least one tensor');
  const a = normalizeAxis('stack', axis, tensors[0].shape, 1);
  return cat(tensors.map((t) => t.unsqueeze(a)), a);
}

/**
 * Rows of `table` ([rows, ...rest]) picked by int32 `indices` (any shape): out shape [...indices.shape, ...rest].
 * The gradient is a one-hot matmul (a scatter-add written with existing ops). Indices made on the CPU are
 * checked here; indices computed on the GPU are checked by the kernel, and a bad one is reported as
 * `${what} ${value} (computed on the GPU) is outside [0, rows)` at the next readback (an IndexError).
 */
export function gather(table: Tensor, indices: Tensor, what = 'gather: index'): Tensor {
  const out = M.gather.shape(table, indices);
  const rows = table.shape[0];
  const rowSize = numel(table.shape.slice(1));
  const t = isContiguous(table.view) ? table : contiguous(table);
  const idx = isContiguous(indices.view) ? indices : contiguous(indices);
  const site = indices.hostInts ? null : indexSite(what);
  const y = kernelNode(`gather(${site})`, [t, idx], out.shape, out.dtype, (node, caps) => [
    {
      spec: gatherRowsKernel(indices.size, rows, rowSize, node.inputs[0].view.offset, node.inputs[1].view.offset, site, caps),
      bind: [{ input: 0 }, { input: 1 }, { output: true }, ...(site === null ? [] : [{ checks: true as const }])],
    },
  ]);
  return withGrad(y, 'gather', [table], (g) => [M.gather.grad(g, table.shape, indices)]);
}

/**
 * float32 [n, classes] with 1 where column == label (labels int32 [n]); built from coordinates, no upload.
 * A label outside [0, classes) gives a row of zeros; labels computed on the GPU are range-checked, and a bad
 * one is reported as `${what} ${label} (computed on the GPU) is outside [0, classes)` at the next readback
 * (an IndexError; `what` null: not checked).
 */
export function oneHot(labels: Tensor, classes: number, what: string | null = 'oneHot: label'): Tensor {
  const out = M.oneHot.shape(labels, classes);
  const site = labels.hostInts || what === null ? null : indexSite(what);
  return named(elementwise(M.oneHot.kernel.exprFor(classes, site), [labels.reshape([labels.size, 1])], out.shape), 'oneHot');
}
