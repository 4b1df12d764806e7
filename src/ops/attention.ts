// Scaled dot-product attention: softmax(q kᵀ · scale + masks) v over q [B, H, TQ, D], k, v [B, H, TK, D].
// The fused path is one kernel node (attentionFlashForward) whose output buffer packs O and the rows'
// log-sum-exp; its gradient is another kernel node (attentionFlashBackward: Δ, then dK/dV and dQ) that
// recomputes the scores from q, k and LSE. Neither stores a T×T matrix. Two kernel variants
// (kernels/attention.ts): 'subgroup' (register tiles, subgroup shuffles; the default on CPU adapters) and
// 'tiled' (workgroup-memory tiles; elsewhere); `options.variant` forces one. The unfused path (matmul,
// softmax, matmul) is the reference the tests and the bench compare with.
import { contiguousView, type LazyNode } from '../graph/node.js';
import { attentionFlashBackward, attentionFlashForward, backwardLayout, chooseAttentionVariant, forwardLayout, type AttentionGeometry, type AttentionVariant } from '../kernels/attention.js';
import { DTypeError, ShapeError, ValueError } from '../core/errors.js';
import { runtime } from '../runtime/runtime.js';
import { shapeStr } from '../core/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { cast } from './elementwise.js';
import { elementwise, kernelNode, withGrad } from './lower.js';

export interface AttentionOptions {
  /** Query i sees keys j ≤ i (top-left aligned when TQ ≠ TK). */
  causal?: boolean;
  /** Key-padding mask [B, TK] (or [B, 1, 1, TK]): nonzero = the key takes part. float32 or int32. */
  mask?: Tensor | null;
  /** Multiplies q kᵀ; default 1/√D. */
  scale?: number;
  /** Kernel variant of the fused path (default: chooseAttentionVariant by adapter). */
  variant?: AttentionVariant;
}

interface Checked {
  B: number;
  H: number;
  TQ: number;
  TK: number;
  D: number;
  scale: number;
  causal: boolean;
  mask: Tensor | null;
}

function check(op: string, q: Tensor, k: Tensor, v: Tensor, o: AttentionOptions): Checked {
  for (const [name, t] of [['q', q], ['k', k], ['v', v]] as const) {
    if (t.dtype !== 'float32') throw new DTypeError(`${op}: ${name} must be float32, got ${t.dtype} tensor of shape ${shapeStr(t.shape)}`);
    if (t.rank !== 4) throw new ShapeError(`${op}: ${name} must be [B, H, T, D], got shape ${shapeStr(t.shape)}`);
  }
  const [B, H, TQ, D] = q.shape;
  const TK = k.shape[2];
  const shapes = `q ${shapeStr(q.shape)}, k ${shapeStr(k.shape)}, v ${shapeStr(v.shape)}`;
  if (k.shape[0] !== B || k.shape[1] !== H || k.shape[3] !== D || v.shape[0] !== B || v.shape[1] !== H || v.shape[2] !== TK || v.shape[3] !== D)
    throw new ShapeError(`${op}: k must be [${B}, ${H}, TK, ${D}] and v the same shape as k; got ${shapes}`);
  if (TQ === 0 || TK === 0 || D === 0 || B * H === 0) throw new ShapeError(`${op}: empty dimension in ${shapes}`);
  const scale = o.scale ?? 1 / Math.sqrt(D);
  if (!Number.isFinite(scale)) throw new ValueError(`${op}: scale must be finite, got ${scale}`);
  let mask: Tensor | null = null;
  if (o.mask) {
    const m = o.mask;
    const ok = (m.rank === 2 && m.shape[0] === B && m.shape[1] === TK) || (m.rank === 4 && m.shape[0] === B && m.shape[1] === 1 && m.shape[2] === 1 && m.shape[3] === TK);
    if (!ok) throw new ShapeError(`${op}: mask must be [${B}, ${TK}] (batch, keys) for ${shapes}; got mask shape ${shapeStr(m.shape)}`);
    mask = cast(m.detach(), 'float32').reshape([B, TK]);
  }
  return { B, H, TQ, TK, D, scale, causal: o.causal ?? false, mask };
}

function geometry(c: Checked, node: LazyNode): AttentionGeometry {
  const [q, k, v] = node.inputs;
  return { ...c, q: q.view, k: k.view, v: v.view, mask: c.mask ? node.inputs[node.inputs.length - 1].view : null };
}

const viewAt = (node: LazyNode, shape: number[], offset: number) => new Tensor(node, { ...contiguousView(shape), offset });

/** Fused attention; returns O [B, H, TQ, D]. Differentiable in q, k and v. */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): Tensor {
  return attentionWithLse(q, k, v, options).out;
}

/** Fused attention with the log-sum-exp rows [B, H, TQ] (views of one buffer). */
export function attentionWithLse(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): { out: Tensor; lse: Tensor } {
  const c = check('scaledDotProductAttention', q, k, v, options);
  const variant = options.variant ?? chooseAttentionVariant(runtime().caps);
  const tag = `attention(${c.scale},${c.causal},${c.mask !== null},${variant})`;
  const inputs = c.mask ? [q, k, v, c.mask] : [q, k, v];
  const layout = forwardLayout(c as AttentionGeometry);
  const packed = kernelNode(`${tag}_fwd`, inputs, [layout.total], 'float32', (node, caps) => [
    { spec: attentionFlashForward(geometry(c, node), caps, variant), bind: [{ input: 0 }, { input: 1 }, { input: 2 }, { input: c.mask ? 3 : 0 }, { output: true }] },
  ]);
  const out = viewAt(packed.node, [c.B, c.H, c.TQ, c.D], 0);
  const lse = viewAt(packed.node, [c.B, c.H, c.TQ], layout.lseBase);
  withGrad(out, 'scaledDotProductAttention', [q, k, v], (g) => {
    const bl = backwardLayout(c as AttentionGeometry);
    const bwdInputs = [q.detach(), k.detach(), v.detach(), packed.detach(), g, ...(c.mask ? [c.mask] : [])];
    const grads = kernelNode(`${tag}_bwd`, bwdInputs, [bl.total], 'float32', (node, caps) => {
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
  });
  return { out, lse };
}

/** The unfused composition (matmul, softmax, matmul) with the same masks; materialises [B, H, TQ, TK]. */
export function attentionUnfused(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): Tensor {
  const c = check('attentionUnfused', q, k, v, options);
  let scores = q.matmul(k.transpose(-2, -1)).mul(c.scale);
  if (c.causal) scores = scores.add(elementwise('select(-1.0e30, 0.0, $c1 <= $c0)', [], [c.TQ, c.TK]));
  if (c.mask) scores = scores.add(elementwise('select(-1.0e30, 0.0, $0 != 0.0)', [c.mask], [c.B, c.TK]).reshape([c.B, 1, 1, c.TK]));
  return scores.softmax(-1).matmul(v);
}
