// Scaled dot-product attention: softmax(q kᵀ · scale + masks) v over q [B, H, TQ, D], k, v [B, H, TK, D].
// The fused path is one kernel node (attentionFlashForward) whose output buffer packs O and the rows'
// log-sum-exp; its gradient is another kernel node (attentionFlashBackward: Δ, then dK/dV and dQ) that
// recomputes the scores from q, k and LSE. Neither stores a T×T matrix. Two kernel variants
// (kernels/attention.ts): 'subgroup' (register tiles, subgroup shuffles; the default on CPU adapters) and
// 'tiled' (workgroup-memory tiles; elsewhere); `options.variant` forces one. The unfused path (matmul,
// softmax, matmul) is the composite the bench compares with; both share the float64 reference below.
import { contiguousView, type LazyNode } from '../graph/node.js';
import { ATTENTION_VARIANTS, attentionFlashBackward, attentionFlashForward, backwardLayout, chooseAttentionVariant, forwardLayout, type AttentionDims, type AttentionGeometry, type AttentionVariant } from '../kernels/attention.js';
import { DTypeError, ShapeError } from '../core/errors.js';
import type { Nd } from '../core/nd.js';
import { runtime } from '../runtime/runtime.js';
import { shapeStr } from '../core/shape.js';
import { checkOptions } from '../core/options.js';
import { Tensor } from '../tensor/tensor.js';
import { cast } from './elementwise.js';
import { elementwise, kernelNode, withGrad } from './record.js';
import { composite, primitive, type OutputSpec, type TensorMeta } from './op.js';

export interface AttentionOptions {
  /** Query i sees keys j ≤ i (top-left aligned when TQ ≠ TK). */
  causal?: boolean;
  /**
   * Key-padding mask [B, TK] (or [B, 1, 1, TK]) with PyTorch's key_padding_mask polarity: nonzero (true) =
   * the key is padding and is ignored. float32 or int32.
   */
  keyPaddingMask?: Tensor | null;
  /** Multiplies q kᵀ; default 1/√D. */
  scale?: number;
  /** Kernel variant of the fused path (default: chooseAttentionVariant by adapter). */
  variant?: AttentionVariant;
}

/** The unfused path also takes a general mask and an additive bias (what MultiheadAttention's attn_mask becomes). */
export interface UnfusedAttentionOptions extends Omit<AttentionOptions, 'variant'> {
  /** Broadcastable to [B, H, TQ, TK]: nonzero = query i may not see key j (PyTorch's boolean attn_mask). */
  attnMask?: Tensor | null;
  /** Broadcastable to [B, H, TQ, TK]: added to the scaled scores (PyTorch's float attn_mask). */
  attnBias?: Tensor | null;
}

/** The sizes, scale and causal flag the shape rule checked (the mask is validated, not yet cast). */
type Dims = AttentionDims;

interface Checked extends AttentionDims {
  /** The key-padding mask turned into the kernels' "keep" form: float32 [B, TK], 1 = the key takes part. */
  mask: Tensor | null;
}

const FUSED_OPTIONS = { causal: 'boolean', keyPaddingMask: 'any', scale: {}, variant: ATTENTION_VARIANTS.map((v) => v.name) } as const;
const UNFUSED_OPTIONS = { causal: 'boolean', keyPaddingMask: 'any', scale: {}, attnMask: 'any', attnBias: 'any' } as const;

/** The shape rule of the attention ops: O [B, H, TQ, D] float32; throws naming `op`, the argument and the shapes. */
const attentionShape = (op: string, spec: typeof FUSED_OPTIONS | typeof UNFUSED_OPTIONS) => (q: TensorMeta, k: TensorMeta, v: TensorMeta, o: UnfusedAttentionOptions & AttentionOptions = {}): OutputSpec & { dims: Dims } => {
  for (const [name, t] of [['q', q], ['k', k], ['v', v]] as const) {
    if (t.dtype !== 'float32') throw new DTypeError(`${op}: ${name} must be float32, got ${t.dtype} tensor of shape ${shapeStr(t.shape)}`);
    if (t.shape.length !== 4) throw new ShapeError(`${op}: ${name} must be [B, H, T, D], got shape ${shapeStr(t.shape)}`);
  }
  const [B, H, TQ, D] = q.shape;
  const TK = k.shape[2];
  const shapes = `q ${shapeStr(q.shape)}, k ${shapeStr(k.shape)}, v ${shapeStr(v.shape)}`;
  if (k.shape[0] !== B || k.shape[1] !== H || k.shape[3] !== D || v.shape[0] !== B || v.shape[1] !== H || v.shape[2] !== TK || v.shape[3] !== D)
    throw new ShapeError(`${op}: k must be [${B}, ${H}, TK, ${D}] and v the same shape as k; got ${shapes}`);
  if (TQ === 0 || TK === 0 || D === 0 || B * H === 0) throw new ShapeError(`${op}: empty dimension in ${shapes}`);
  checkOptions(op, o, spec);
  const scale = o.scale ?? 1 / Math.sqrt(D);
  if (o.keyPaddingMask) {
    const m = o.keyPaddingMask.shape;
    const ok = (m.length === 2 && m[0] === B && m[1] === TK) || (m.length === 4 && m[0] === B && m[1] === 1 && m[2] === 1 && m[3] === TK);
    if (!ok) throw new ShapeError(`${op}: keyPaddingMask must be [${B}, ${TK}] (batch, keys) for ${shapes}; got shape ${shapeStr(m)}`);
  }
  for (const name of ['attnMask', 'attnBias'] as const) {
    const m = o[name];
    if (!m) continue;
    const fits = m.shape.length <= 4 && m.shape.every((d, i) => d === 1 || d === [B, H, TQ, TK][4 - m.shape.length + i]);
    if (!fits) throw new ShapeError(`${op}: ${name} must broadcast to [${B}, ${H}, ${TQ}, ${TK}] (batch, heads, queries, keys) for ${shapes}; got shape ${shapeStr(m.shape)}`);
    if (name === 'attnBias' && m.dtype !== 'float32') throw new DTypeError(`${op}: attnBias must be float32, got ${m.dtype} tensor of shape ${shapeStr(m.shape)}`);
  }
  return { shape: [B, H, TQ, D], dtype: 'float32', dims: { B, H, TQ, TK, D, scale, causal: o.causal ?? false } };
};

/** 1 where a (float or int32) mask is zero: the key takes part. */
const keepWhereZero = (m: Tensor): Tensor => elementwise('select(0.0, 1.0, $0 == 0.0)', [cast(m.detach(), 'float32')], m.shape);

/** The checked sizes with the key-padding mask as float32 keep-flags [B, TK] (not differentiated). */
function check(rule: ReturnType<typeof attentionShape>, q: Tensor, k: Tensor, v: Tensor, o: AttentionOptions | UnfusedAttentionOptions): Checked {
  const { dims } = rule(q, k, v, o);
  return { ...dims, mask: o.keyPaddingMask ? keepWhereZero(o.keyPaddingMask).reshape([dims.B, dims.TK]) : null };
}

function geometry(c: Checked, node: LazyNode): AttentionGeometry {
  const [q, k, v] = node.inputs;
  return { ...c, q: q.view, k: k.view, v: v.view, mask: c.mask ? node.inputs[node.inputs.length - 1].view : null };
}

const viewAt = (node: LazyNode, shape: number[], offset: number) => new Tensor(node, { ...contiguousView(shape), offset });
const planTag = (c: Checked, variant: AttentionVariant) => `attention(${c.scale},${c.causal},${c.mask !== null},${variant})`;

export interface AttentionRefOptions {
  causal?: boolean;
  /** [B, TK], nonzero = the key is ignored */
  keyPaddingMask?: Nd | null;
  /** broadcast to [B, H, TQ, TK], nonzero = not allowed */
  attnMask?: Nd | null;
  /** broadcast to [B, H, TQ, TK], added to the scaled scores */
  attnBias?: Nd | null;
  scale?: number;
}

/** Element (b, h, i, j) of `m` broadcast (right-aligned, NumPy rules) to [B, H, TQ, TK]. */
function at4(m: Nd, idx: number[]): number {
  const lead = 4 - m.shape.length;
  let flat = 0;
  m.shape.forEach((d, a) => (flat = flat * d + (d === 1 ? 0 : idx[lead + a])));
  return m.data[flat];
}

/**
 * Float64 reference of the attention probabilities (PyTorch's MultiheadAttention weights, per head):
 * softmax over keys of q kᵀ · scale + attnBias, with causal, key-padding and boolean masks excluding
 * keys. A query row with no visible key gives zeros (PyTorch gives NaN there). Plain loops.
 */
export function attentionProbsRef(q: Nd, k: Nd, o: AttentionRefOptions = {}): Nd {
  const [B, H, TQ, D] = q.shape;
  const TK = k.shape[2];
  const scale = o.scale ?? 1 / Math.sqrt(D);
  const out = new Float64Array(B * H * TQ * TK);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++)
      for (let i = 0; i < TQ; i++) {
        const s: number[] = [];
        const vis: boolean[] = [];
        for (let j = 0; j < TK; j++) {
          let dot = 0;
          for (let d = 0; d < D; d++) dot += q.data[((b * H + h) * TQ + i) * D + d] * k.data[((b * H + h) * TK + j) * D + d];
          s.push(dot * scale + (o.attnBias ? at4(o.attnBias, [b, h, i, j]) : 0));
          vis.push((!o.causal || j <= i) && (!o.keyPaddingMask || o.keyPaddingMask.data[b * TK + j] === 0) && (!o.attnMask || at4(o.attnMask, [b, h, i, j]) === 0));
        }
        if (!vis.some(Boolean)) continue;
        const m = Math.max(...s.filter((_, j) => vis[j]));
        const p = s.map((x, j) => (vis[j] ? Math.exp(x - m) : 0));
        const z = p.reduce((a, c) => a + c, 0);
        p.forEach((pj, j) => (out[((b * H + h) * TQ + i) * TK + j] = pj / z));
      }
  return { shape: [B, H, TQ, TK], data: out };
}

/** Float64 reference of attention: the probabilities above times v [B, H, TK, D]. */
export function attention(q: Nd, k: Nd, v: Nd, o: AttentionRefOptions = {}): Nd {
  const [B, H, TQ, D] = q.shape;
  const TK = k.shape[2];
  const p = attentionProbsRef(q, k, o);
  const out = new Float64Array(B * H * TQ * D);
  for (let bh = 0; bh < B * H; bh++)
    for (let i = 0; i < TQ; i++)
      for (let d = 0; d < D; d++) {
        let acc = 0;
        for (let j = 0; j < TK; j++) acc += p.data[(bh * TQ + i) * TK + j] * v.data[(bh * TK + j) * D + d];
        out[(bh * TQ + i) * D + d] = acc;
      }
  return { shape: [B, H, TQ, D], data: out };
}

export const ATTENTION_OPS = {
  scaledDotProductAttention: primitive({
    doc: "softmax(q kᵀ · scale + causal and key-padding masks) v, fused (PyTorch's F.scaled_dot_product_attention)",
    shape: attentionShape('scaledDotProductAttention', FUSED_OPTIONS),
    kernel: {
      module: 'kernels/attention.ts',
      variants:
        "chooseAttentionVariant: 'subgroup' (register tiles, subgroup shuffles) on software adapters with a fixed subgroup size, 'tiled' (workgroup-memory tiles) elsewhere; options.variant forces one",
    },
    /** The fused backward node: Δ, then dK/dV and dQ, recomputing the scores from q, k and the saved LSE. */
    grad: (c: Checked, variant: AttentionVariant, q: Tensor, k: Tensor, v: Tensor, packed: Tensor, g: Tensor): [Tensor | null, Tensor | null, Tensor | null] => {
      const bl = backwardLayout(c as AttentionGeometry);
      const bwdInputs = [q.detach(), k.detach(), v.detach(), packed.detach(), g, ...(c.mask ? [c.mask] : [])];
      const grads = kernelNode(`${planTag(c, variant)}_bwd`, bwdInputs, [bl.total], 'float32', (node, caps) => {
        const geo = geometry(c, node);
        const bind = [{ input: 0 }, { input: 1 }, { input: 2 }, { input: 3 }, { input: 4 }, { input: c.mask ? 5 : 0 }, { output: true as const }];
        const fwdOffset = node.inputs[3].view.offset;
        return (['delta', 'dkdv', 'dq'] as const).map((pass) => ({ spec: attentionFlashBackward(pass, geo, node.inputs[4].view, fwdOffset, caps, variant), bind }));
      });
      return [
        q.requiresGrad ? viewAt(grads.node, q.shape, 0) : null,
        k.requiresGrad ? viewAt(grads.node, k.shape, bl.dkBase) : null,
        v.requiresGrad ? viewAt(grads.node, v.shape, bl.dvBase) : null,
      ];
    },
    reference: attention,
  }),
  attentionProbs: composite({
    doc: 'the attention probabilities [B, H, TQ, TK]: softmax(q kᵀ · scale + attnBias) over the keys the masks allow (0 for a row with none)',
    of: ['matmul', 'mul', 'add', 'softmax', 'max'],
    reference: attentionProbsRef,
  }),
  attentionUnfused: composite({
    doc: 'the same attention unfused: attentionProbs (with attnMask and attnBias too) · v (matmul); materialises [B, H, TQ, TK]',
    of: ['attentionProbs', 'matmul'],
    reference: attention,
  }),
};

/** Fused attention; returns O [B, H, TQ, D]. Differentiable in q, k and v. */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): Tensor {
  return attentionWithLse(q, k, v, options).out;
}

/** Fused attention with the log-sum-exp rows [B, H, TQ] (views of one buffer). */
export function attentionWithLse(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): { out: Tensor; lse: Tensor } {
  const def = ATTENTION_OPS.scaledDotProductAttention;
  const c = check(def.shape, q, k, v, options);
  const variant = options.variant ?? chooseAttentionVariant(runtime().caps);
  const inputs = c.mask ? [q, k, v, c.mask] : [q, k, v];
  const layout = forwardLayout(c as AttentionGeometry);
  const packed = kernelNode(`${planTag(c, variant)}_fwd`, inputs, [layout.total], 'float32', (node, caps) => [
    { spec: attentionFlashForward(geometry(c, node), caps, variant), bind: [{ input: 0 }, { input: 1 }, { input: 2 }, { input: c.mask ? 3 : 0 }, { output: true }] },
  ]);
  const out = viewAt(packed.node, [c.B, c.H, c.TQ, c.D], 0);
  const lse = viewAt(packed.node, [c.B, c.H, c.TQ], layout.lseBase);
  withGrad(out, 'scaledDotProductAttention', [q, k, v], (g) => def.grad(c, variant, q, k, v, packed, g));
  return { out, lse };
}

const unfusedShape = attentionShape('attentionUnfused', UNFUSED_OPTIONS);
const probsShape = attentionShape('attentionProbs', UNFUSED_OPTIONS);

/**
 * The attention probabilities [B, H, TQ, TK] (the unfused path, and MultiheadAttention's weights): one 0/1
 * "allowed" product of the causal, key-padding and boolean masks becomes −1e30 on the scores, and rows
 * with no allowed key are zeroed (as the fused kernel gives 0 there).
 */
export function attentionProbs(q: Tensor, k: Tensor, options: UnfusedAttentionOptions = {}, rule = probsShape, v: Tensor = k): Tensor {
  const c = check(rule, q, k, v, options);
  let scores = q.matmul(k.transpose(-2, -1)).mul(c.scale);
  if (options.attnBias) scores = scores.add(options.attnBias);
  const allowed: Tensor[] = [];
  if (c.causal) allowed.push(elementwise('select(0.0, 1.0, $c1 <= $c0)', [], [c.TQ, c.TK]));
  if (c.mask) allowed.push(c.mask.reshape([c.B, 1, 1, c.TK]));
  if (options.attnMask) allowed.push(keepWhereZero(options.attnMask));
  if (!allowed.length) return scores.softmax(-1);
  const a = allowed.reduce((x, y) => x.mul(y));
  const p = scores.add(elementwise('select(-1.0e30, 0.0, $0 != 0.0)', [a], a.shape)).softmax(-1);
  return p.mul(a.max(-1, true));
}

/** The unfused composition (attentionProbs, then · v); materialises [B, H, TQ, TK]. */
export function attentionUnfused(q: Tensor, k: Tensor, v: Tensor, options: UnfusedAttentionOptions = {}): Tensor {
  return attentionProbs(q, k, options, unfusedShape, v).matmul(v);
}
