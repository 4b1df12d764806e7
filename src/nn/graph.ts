// Graph convolutions with PyTorch Geometric's semantics and parameter names: GCNConv (Kipf & Welling's
// symmetric normalisation), SAGEConv (mean or max aggregation) and GATConv (multi-head attention over the
// edges). forward(x [N, F], edgeIndex int32 [2, E]): row 0 holds the source j of each edge, row 1 its
// target i, and messages flow source → target (PyG's default flow). Messages are gathered from the
// sources and summed into the targets with the segment ops of ops/graph.ts; the edge index must be made on
// the CPU (sg.tensor of int32 data), so it is range-checked and each graph's layout is computed once.
import { ShapeError, DTypeError, ValueError } from '../core/errors.js';
import { checkNumber, checkOptions, POSITIVE_INT, SEED, UNIT_INTERVAL } from '../core/options.js';
import { shapeStr } from '../core/shape.js';
import { segmentMax, segmentMean, segmentSoftmax, segmentSum } from '../ops/graph.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { Dropout } from './dropout.js';
import { xavierUniform, zeros } from './init.js';
import { Linear } from './layers.js';
import { Module, Parameter } from './module.js';

// ---- edge lists ----------------------------------------------------------------------------------

/** An edge list on the host and as int32 tensors: sources (row 0) and targets (row 1). */
interface Edges {
  src: Int32Array;
  dst: Int32Array;
}

/** Checks x [N, inFeatures] and edgeIndex int32 [2, E] (made on the CPU, node ids in [0, N)); returns its rows. */
export function edgeRows(layer: string, x: Tensor, edgeIndex: Tensor, inFeatures: number): Edges {
  if (x.rank !== 2 || x.shape[1] !== inFeatures) throw new ShapeError(`${layer}: x must be [N, ${inFeatures}], got shape ${shapeStr(x.shape)}`);
  if (edgeIndex.dtype !== 'int32') throw new DTypeError(`${layer}: edgeIndex must be int32, got ${edgeIndex.dtype} tensor of shape ${shapeStr(edgeIndex.shape)}`);
  if (edgeIndex.rank !== 2 || edgeIndex.shape[0] !== 2) throw new ShapeError(`${layer}: edgeIndex must be [2, E] (sources, targets), got shape ${shapeStr(edgeIndex.shape)}`);
  const host = edgeIndex.hostInts;
  if (!host) throw new ValueError(`${layer}: edgeIndex of shape ${shapeStr(edgeIndex.shape)} was computed on the GPU; make it on the CPU (sg.tensor of int32 data) so it is range-checked once`);
  const N = x.shape[0];
  const bad = host.findIndex((v) => v < 0 || v >= N);
  if (bad >= 0) throw new ValueError(`${layer}: edgeIndex holds node ${host[bad]} (row ${bad < host.length / 2 ? 0 : 1}) outside [0, ${N}) for x of shape ${shapeStr(x.shape)}`);
  const E = edgeIndex.shape[1];
  return { src: host.subarray(0, E), dst: host.subarray(E) };
}

/** Edges without self loops, then one self loop per node (PyG's remove_self_loops + add_self_loops). */
function withSelfLoops({ src, dst }: Edges, N: number): Edges {
  const keep = [...src.keys()].filter((e) => src[e] !== dst[e]);
  const loops = Array.from({ length: N }, (_, i) => i);
  return { src: Int32Array.from([...keep.map((e) => src[e]), ...loops]), dst: Int32Array.from([...keep.map((e) => dst[e]), ...loops]) };
}

/** Self loops only for the nodes without one (PyG's add_remaining_self_loops, as gcn_norm uses). */
function withRemainingSelfLoops({ src, dst }: Edges, N: number): Edges {
  const looped = new Uint8Array(N);
  src.forEach((s, e) => s === dst[e] && (looped[s] = 1));
  const loops = [...looped.keys()].filter((i) => !looped[i]);
  return { src: Int32Array.from([...src, ...loops]), dst: Int32Array.from([...dst, ...loops]) };
}

const ints = (v: Int32Array) => tensor(v, [v.length], { dtype: 'int32' });

/** Derived per graph once (self loops, normalisation), keyed by the edge index's host array. */
function perGraph<T>(cache: WeakMap<Int32Array, Map<number, T>>, host: Int32Array, N: number, make: () => T): T {
  let byN = cache.get(host);
  if (!byN) cache.set(host, (byN = new Map()));
  let v = byN.get(N);
  if (v === undefined) byN.set(N, (v = make()));
  return v;
}

const checkSize = (layer: string, inChannels: number, outChannels: number) => {
  checkNumber(layer, 'inChannels', inChannels, POSITIVE_INT);
  checkNumber(layer, 'outChannels', outChannels, POSITIVE_INT);
};

// ---- GCNConv -----------------------------------------------------------------------------------

export interface GCNConvOptions {
  /** Add a self loop to every node without one before normalising (default true; only with normalize). */
  addSelfLoops?: boolean;
  /** Symmetric normalisation D^-1/2 (A + I) D^-1/2 (default true); false: a plain sum over the neighbours. */
  normalize?: boolean;
  bias?: boolean;
  seed?: number;
}

/** Edges and their weights deg(j)^-1/2 · deg(i)^-1/2 (degrees counted at the targets, self loops included). */
function gcnNorm(edges: Edges, N: number, addSelfLoops: boolean): Edges & { weight: Float32Array } {
  const e = addSelfLoops ? withRemainingSelfLoops(edges, N) : edges;
  const deg = new Float64Array(N);
  for (const i of e.dst) deg[i] += 1;
  const inv = (d: number) => (d > 0 ? 1 / Math.sqrt(d) : 0);
  return { ...e, weight: Float32Array.from(e.src, (j, k) => inv(deg[j]) * inv(deg[e.dst[k]])) };
}

/** Kipf & Welling's graph convolution: x' = D^-1/2 (A + I) D^-1/2 x Θ + b (PyG's GCNConv: `lin.weight`, `bias`). */
export class GCNConv extends Module {
  lin: Linear;
  bias: Parameter | null;
  readonly addSelfLoops: boolean;
  readonly normalize: boolean;
  private readonly norms = new WeakMap<Int32Array, Map<number, Edges & { weight: Float32Array }>>();
  constructor(readonly inChannels: number, readonly outChannels: number, options: GCNConvOptions = {}) {
    super();
    const name = `GCNConv(${inChannels}, ${outChannels})`;
    checkOptions(name, options, { addSelfLoops: 'boolean', normalize: 'boolean', bias: 'boolean', seed: SEED });
    checkSize(name, inChannels, outChannels);
    this.addSelfLoops = options.addSelfLoops ?? true;
    this.normalize = options.normalize ?? true;
    this.lin = new Linear(inChannels, outChannels, { bias: false });
    this.lin.weight.assign(xavierUniform([outChannels, inChannels], { seed: options.seed })); // PyG: glorot
    this.bias = options.bias === false ? null : new Parameter(zeros([outChannels]));
  }
  forward(x: Tensor, edgeIndex: Tensor): Tensor {
    const edges = edgeRows(`GCNConv(${this.inChannels}, ${this.outChannels})`, x, edgeIndex, this.inChannels);
    const N = x.shape[0];
    const h = this.lin.forward(x);
    let out: Tensor;
    if (this.normalize) {
      const g = perGraph(this.norms, edgeIndex.hostInts!, N, () => gcnNorm(edges, N, this.addSelfLoops));
      const messages = h.gather(ints(g.src)).mul(tensor(g.weight, [g.weight.length, 1]));
      out = segmentSum(messages, ints(g.dst), N);
    } else {
      out = segmentSum(h.gather(ints(edges.src)), ints(edges.dst), N);
    }
    return this.bias ? out.add(this.bias) : out;
  }
}

// ---- SAGEConv ----------------------------------------------------------------------------------

export interface SAGEConvOptions {
  /** How the neighbours' features are combined (default 'mean'); a node without neighbours gets 0. */
  aggr?: 'mean' | 'max';
  bias?: boolean;
  seed?: number;
}

/** GraphSAGE (Hamilton et al.): x'_i = lin_l(aggr_{j→i} x_j) + lin_r(x_i) (PyG's SAGEConv: `lin_l` has the bias). */
export class SAGEConv extends Module {
  lin_l: Linear;
  lin_r: Linear;
  readonly aggr: 'mean' | 'max';
  constructor(readonly inChannels: number, readonly outChannels: number, options: SAGEConvOptions = {}) {
    super();
    const name = `SAGEConv(${inChannels}, ${outChannels})`;
    checkOptions(name, options, { aggr: ['mean', 'max'], bias: 'boolean', seed: SEED });
    checkSize(name, inChannels, outChannels);
    this.aggr = options.aggr ?? 'mean';
    const seed = options.seed;
    this.lin_l = new Linear(inChannels, outChannels, { bias: options.bias ?? true, seed });
    this.lin_r = new Linear(inChannels, outChannels, { bias: false, seed: seed === undefined ? undefined : seed + 2 });
  }
  forward(x: Tensor, edgeIndex: Tensor): Tensor {
    const { src, dst } = edgeRows(`SAGEConv(${this.inChannels}, ${this.outChannels})`, x, edgeIndex, this.inChannels);
    const N = x.shape[0];
    const messages = x.gather(ints(src));
    const aggregated = (this.aggr === 'mean' ? segmentMean : segmentMax)(messages, ints(dst), N);
    return this.lin_l.forward(aggregated).add(this.lin_r.forward(x));
  }
}

// ---- GATConv -----------------------------------------------------------------------------------

export interface GATConvOptions {
  heads?: number;
  /** Concatenate the heads ([N, heads · out], default) or average them ([N, out]). */
  concat?: boolean;
  /** Slope of the LeakyReLU on the attention logits (default 0.2). */
  negativeSlope?: number;
  /** Dropout on the attention coefficients in training mode (default 0). */
  dropout?: number;
  /** Replace self loops by one per node (default true). */
  addSelfLoops?: boolean;
  bias?: boolean;
  seed?: number;
}

/**
 * Graph attention (Veličković et al.), PyG's GATConv: per head, α_ij = softmax_j(LeakyReLU(a_src·Θx_j +
 * a_dst·Θx_i)) over the edges into i, x'_i = Σ_j α_ij Θx_j; heads concatenated or averaged, plus `bias`.
 * Parameters `lin.weight` [heads · out, in], `att_src` and `att_dst` [1, heads, out], `bias`.
 */
export class GATConv extends Module {
  lin: Linear;
  att_src: Parameter;
  att_dst: Parameter;
  bias: Parameter | null;
  readonly heads: number;
  readonly concat: boolean;
  readonly negativeSlope: number;
  readonly addSelfLoops: boolean;
  /** Dropout probability on the attention coefficients (training mode). */
  readonly dropout: number;
  private readonly attentionDropout: Dropout;
  private readonly loops = new WeakMap<Int32Array, Map<number, Edges>>();
  constructor(readonly inChannels: number, readonly outChannels: number, options: GATConvOptions = {}) {
    super();
    const name = `GATConv(${inChannels}, ${outChannels})`;
    checkOptions(name, options, { heads: POSITIVE_INT, concat: 'boolean', negativeSlope: {}, dropout: UNIT_INTERVAL, addSelfLoops: 'boolean', bias: 'boolean', seed: SEED });
    checkSize(name, inChannels, outChannels);
    this.heads = options.heads ?? 1;
    this.concat = options.concat ?? true;
    this.negativeSlope = options.negativeSlope ?? 0.2;
    this.addSelfLoops = options.addSelfLoops ?? true;
    const H = this.heads;
    const seed = options.seed;
    const at = (k: number) => (seed === undefined ? undefined : seed + k);
    this.lin = new Linear(inChannels, H * outChannels, { bias: false });
    this.lin.weight.assign(xavierUniform([H * outChannels, inChannels], { seed: at(0) }));
    // PyG's glorot on [1, H, C] takes its fans from the last two dims: bound sqrt(6 / (H + C)), as for [H, C]
    this.att_src = new Parameter(xavierUniform([H, outChannels], { seed: at(1) }).reshape([1, H, outChannels]));
    this.att_dst = new Parameter(xavierUniform([H, outChannels], { seed: at(2) }).reshape([1, H, outChannels]));
    this.bias = options.bias === false ? null : new Parameter(zeros([this.concat ? H * outChannels : outChannels]));
    this.dropout = options.dropout ?? 0;
    this.attentionDropout = new Dropout(this.dropout, { seed: at(3) });
  }
  forward(x: Tensor, edgeIndex: Tensor): Tensor {
    const edges = edgeRows(`GATConv(${this.inChannels}, ${this.outChannels})`, x, edgeIndex, this.inChannels);
    const N = x.shape[0];
    const H = this.heads;
    const C = this.outChannels;
    const { src, dst } = this.addSelfLoops ? perGraph(this.loops, edgeIndex.hostInts!, N, () => withSelfLoops(edges, N)) : edges;
    const srcT = ints(src);
    const dstT = ints(dst);
    const h = this.lin.forward(x).reshape([N, H, C]);
    const alphaSrc = h.mul(this.att_src).sum(-1); // [N, H]
    const alphaDst = h.mul(this.att_dst).sum(-1);
    const logits = alphaSrc.gather(srcT).add(alphaDst.gather(dstT)).leakyRelu(this.negativeSlope); // [E, H]
    const alpha = this.attentionDropout.forward(segmentSoftmax(logits, dstT, N));
    const out = segmentSum(h.gather(srcT).mul(alpha.unsqueeze(-1)), dstT, N); // [N, H, C]
    const merged = this.concat ? out.reshape([N, H * C]) : out.mean(1);
    return this.bias ? merged.add(this.bias) : merged;
  }
}
