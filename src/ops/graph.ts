// Graph (message-passing) ops over an edge list: segmentSum (torch_scatter's scatter_add / PyG's
// aggregation 'sum'), segmentMax (PyTorch's scatter_reduce 'amax', include_self=False), and the
// compositions segmentMean and segmentSoftmax (PyG's utils.softmax). `index` [E] says which segment
// (output row) each row of `src` [E, ...] belongs to; `numSegments` is the number of output rows.
//
// The segment index must be made on the CPU (`sg.tensor(Int32Array, [E], { dtype: 'int32' })`): its values
// are range-checked before any GPU work, and the edges are sorted by segment into a CSR layout once per
// graph (kernels/segment.ts runs one invocation per output element over its segment's run; WGSL has no
// float atomics — shaders/segment.wgsl says why this and not a compare-exchange loop). The gradient of a
// segment sum is a gather; the gradient of gather (ops/movement.ts) is a segment sum when its indices are
// host-known, so message passing costs O(E·F) both ways instead of a one-hot matmul.
import { segmentReduceKernel, type SegmentReduce } from '../kernels/segment.js';
import { isContiguous } from '../graph/node.js';
import { DTypeError, ShapeError, ValueError } from '../core/errors.js';
import { ndNumel, type Nd } from '../core/nd.js';
import { numel, shapeStr } from '../core/shape.js';
import { fromHost, type Tensor } from '../tensor/tensor.js';
import { contiguous } from './elementwise.js';
import { kernelNode, withGrad } from './record.js';
import { composite, primitive, type OutputSpec, type TensorMeta } from './op.js';

// ---- the CSR layout of a segment index (made once per graph and segment count) ------------------

export interface SegmentLayout {
  /** Edge ids grouped by segment (stable: edge order within a segment). */
  perm: Int32Array;
  /** Segment s's run of perm is offsets[s] .. offsets[s + 1]. */
  offsets: Int32Array;
  /** Rows per segment (the in-degree when segments are destination nodes). */
  counts: Int32Array;
}

const layouts = new WeakMap<Int32Array, Map<number, SegmentLayout>>();

/** A counting sort of the edges by segment; `index` is already range-checked. Cached by the index array. */
export function segmentLayout(index: Int32Array, numSegments: number): SegmentLayout {
  let bySize = layouts.get(index);
  if (!bySize) layouts.set(index, (bySize = new Map()));
  const cached = bySize.get(numSegments);
  if (cached) return cached;
  const counts = new Int32Array(numSegments);
  for (const s of index) counts[s]++;
  const offsets = new Int32Array(numSegments + 1);
  for (let s = 0; s < numSegments; s++) offsets[s + 1] = offsets[s] + counts[s];
  const next = offsets.slice(0, numSegments);
  const perm = new Int32Array(index.length);
  index.forEach((s, e) => (perm[next[s]++] = e));
  const layout = { perm, offsets, counts };
  bySize.set(numSegments, layout);
  return layout;
}

// ---- argument checks (shared by every op of the family) ------------------------------------------

type IndexMeta = TensorMeta & { hostInts?: Int32Array | null };

/** Checks src, index and numSegments of `op`; returns the output shape [numSegments, ...src.shape.slice(1)]. */
function checkSegmentArgs(op: string, src: TensorMeta, index: IndexMeta, numSegments: number): number[] {
  if (src.dtype !== 'float32') throw new DTypeError(`${op}: src must be float32, got ${src.dtype} tensor of shape ${shapeStr(src.shape)}`);
  if (src.shape.length < 1) throw new ShapeError(`${op}: src must have at least 1 dimension (one row per edge), got shape ${shapeStr(src.shape)}`);
  if (index.dtype !== 'int32') throw new DTypeError(`${op}: index must be int32, got ${index.dtype} tensor of shape ${shapeStr(index.shape)}`);
  if (index.shape.length !== 1 || index.shape[0] !== src.shape[0])
    throw new ShapeError(`${op}: index must be 1-D with one entry per row of src, got index of shape ${shapeStr(index.shape)} for src of shape ${shapeStr(src.shape)}`);
  if (!Number.isInteger(numSegments) || numSegments < 0) throw new ValueError(`${op}: numSegments must be a non-negative integer, got ${numSegments}`);
  if (!index.hostInts)
    throw new ValueError(`${op}: index of shape ${shapeStr(index.shape)} was computed on the GPU; a segment index must be made on the CPU (sg.tensor of int32 data) so it is range-checked and sorted once per graph`);
  checkIndexValues(op, index.hostInts, numSegments);
  return [numSegments, ...src.shape.slice(1)];
}

function checkIndexValues(op: string, index: Int32Array, numSegments: number): void {
  const bad = index.findIndex((s) => s < 0 || s >= numSegments);
  if (bad >= 0) throw new ValueError(`${op}: index ${index[bad]} at position ${bad} is out of range [0, ${numSegments}) (numSegments ${numSegments})`);
}

const segmentShape = (op: string) => (src: TensorMeta, index: IndexMeta, numSegments: number): OutputSpec => ({
  shape: checkSegmentArgs(op, src, index, numSegments),
  dtype: 'float32',
});

// ---- float64 references (textbook loops over the edges, from torch_scatter's documented semantics) ---

/** Rows of src per segment, in edge order: rows[s] = the flat rows e with index[e] == s. */
function rowsBySegment(index: Nd, numSegments: number): number[][] {
  const rows: number[][] = Array.from({ length: numSegments }, () => []);
  index.data.forEach((s, e) => rows[s].push(e));
  return rows;
}

function segmentRef(src: Nd, index: Nd, numSegments: number, combine: (vs: number[]) => number): Nd {
  const F = ndNumel(src.shape.slice(1));
  const out = new Float64Array(numSegments * F);
  rowsBySegment(index, numSegments).forEach((es, s) => {
    for (let f = 0; f < F; f++) out[s * F + f] = es.length === 0 ? 0 : combine(es.map((e) => src.data[e * F + f]));
  });
  return { shape: [numSegments, ...src.shape.slice(1)], data: out };
}

const segmentSumRef = (src: Nd, index: Nd, numSegments: number) => segmentRef(src, index, numSegments, (vs) => vs.reduce((a, b) => a + b, 0));
const segmentMaxRef = (src: Nd, index: Nd, numSegments: number) => segmentRef(src, index, numSegments, (vs) => Math.max(...vs));
const segmentMeanRef = (src: Nd, index: Nd, numSegments: number) => segmentRef(src, index, numSegments, (vs) => vs.reduce((a, b) => a + b, 0) / vs.length);

/** Softmax of each column within each segment: out has src's shape. */
function segmentSoftmaxRef(src: Nd, index: Nd, numSegments: number): Nd {
  const F = ndNumel(src.shape.slice(1));
  const out = new Float64Array(src.data.length);
  for (const es of rowsBySegment(index, numSegments)) {
    for (let f = 0; f < F; f++) {
      const vs = es.map((e) => src.data[e * F + f]);
      const m = Math.max(...vs);
      const z = vs.reduce((a, v) => a + Math.exp(v - m), 0);
      es.forEach((e, k) => (out[e * F + f] = Math.exp(vs[k] - m) / z));
    }
  }
  return { shape: [...src.shape], data: out };
}

// ---- the entries -------------------------------------------------------------------------------

const SEGMENT_KERNEL = {
  module: 'kernels/segment.ts',
  variants: 'one variant (segment.wgsl): one invocation per output element over its segment\'s run of a CSR layout sorted on the CPU',
};

export const GRAPH_OPS = {
  segmentSum: primitive({
    doc: 'out[s] = sum of src[e] over the edges e with index[e] == s (torch_scatter.scatter_add, dim 0); empty segments 0',
    shape: segmentShape('segmentSum'),
    kernel: SEGMENT_KERNEL,
    /** Each edge receives its segment's gradient row: a gather. */
    grad: (g: Tensor, index: Tensor): Tensor => g.gather(index),
    reference: segmentSumRef,
  }),
  segmentMax: primitive({
    doc: "out[s] = max of src[e] over the edges e with index[e] == s (scatter_reduce 'amax', include_self=False); empty segments 0",
    shape: segmentShape('segmentMax'),
    kernel: SEGMENT_KERNEL,
    /**
     * PyTorch's rule for scatter_reduce 'amax': the gradient of out[s, f] goes to the rows that reach the
     * maximum, shared evenly among tied rows (torch_scatter's scatter_max gives it all to one arg-max instead).
     */
    grad: (x: Tensor, y: Tensor, g: Tensor, index: Tensor, numSegments: number): Tensor => {
      const atMax = x.eq(y.gather(index));
      const ties = segmentSum(atMax, index, numSegments).maximum(1);
      return atMax.mul(g.div(ties).gather(index));
    },
    reference: segmentMaxRef,
  }),
  segmentMean: composite({
    doc: 'out[s] = mean of src[e] over the edges e with index[e] == s (PyG aggr "mean"); empty segments 0',
    of: ['segmentSum', 'div'],
    reference: segmentMeanRef,
  }),
  segmentSoftmax: composite({
    doc: "softmax of src's rows within each segment, per column (PyG utils.softmax(src, index)); the segment max subtracted first",
    of: ['segmentMax', 'gather', 'sub', 'exp', 'segmentSum', 'div'],
    reference: segmentSoftmaxRef,
  }),
};

const G = GRAPH_OPS;

// ---- the ops -----------------------------------------------------------------------------------

/** The reduce kernel node over a host-known, range-checked segment index (also gather's gradient). */
export function segmentReduce(kind: SegmentReduce, src: Tensor, index: Int32Array, numSegments: number): Tensor {
  const { perm, offsets } = segmentLayout(index, numSegments);
  const row = numel(src.shape.slice(1));
  const x = isContiguous(src.view) ? src : contiguous(src);
  const permT = fromHost(perm, [perm.length], 'int32');
  const offsetsT = fromHost(offsets, [offsets.length], 'int32');
  const shape = [numSegments, ...src.shape.slice(1)];
  const key = `segment_${kind}(${index.length},${numSegments},${row})`;
  return kernelNode(key, [x.detach(), permT, offsetsT], shape, 'float32', (node, caps) => [
    {
      spec: segmentReduceKernel(kind, {
        edges: index.length, segments: numSegments, row,
        srcOffset: node.inputs[0].view.offset, permOffset: node.inputs[1].view.offset, offsetsOffset: node.inputs[2].view.offset,
      }, caps),
      bind: [{ input: 0 }, { input: 1 }, { input: 2 }, { output: true }],
    },
  ]);
}

/** out [numSegments, ...] = sum of src's rows per segment (index int32 [E], made on the CPU). */
export function segmentSum(src: Tensor, index: Tensor, numSegments: number): Tensor {
  G.segmentSum.shape(src, index, numSegments);
  const y = segmentReduce('sum', src, index.hostInts!, numSegments);
  return withGrad(y, 'segmentSum', [src], (g) => [G.segmentSum.grad(g, index)]);
}

/** out [numSegments, ...] = max of src's rows per segment; the gradient is shared among tied maxima. */
export function segmentMax(src: Tensor, index: Tensor, numSegments: number): Tensor {
  G.segmentMax.shape(src, index, numSegments);
  const y = segmentReduce('max', src, index.hostInts!, numSegments);
  return withGrad(y, 'segmentMax', [src], (g) => [G.segmentMax.grad(src.detach(), y.detach(), g, index, numSegments)]);
}

/** out [numSegments, ...] = mean of src's rows per segment (0 for an empty one). */
export function segmentMean(src: Tensor, index: Tensor, numSegments: number): Tensor {
  checkSegmentArgs('segmentMean', src, index, numSegments);
  const { counts } = segmentLayout(index.hostInts!, numSegments);
  const divisor = Float32Array.from(counts, (c) => Math.max(c, 1));
  return segmentSum(src, index, numSegments).div(fromHost(divisor, [numSegments, ...src.shape.slice(1).map(() => 1)], 'float32'));
}

/** Softmax of src's rows within each segment, per column: out has src's shape (PyG's softmax(src, index)). */
export function segmentSoftmax(src: Tensor, index: Tensor, numSegments: number): Tensor {
  checkSegmentArgs('segmentSoftmax', src, index, numSegments);
  // softmax is shift-invariant: the max is only for stability and carries no gradient
  const shifted = src.sub(segmentMax(src.detach(), index, numSegments).gather(index));
  const e = shifted.exp();
  return e.div(segmentSum(e, index, numSegments).gather(index));
}
