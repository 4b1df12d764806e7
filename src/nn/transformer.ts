// Transformer layers: MultiheadAttention (fused attention), encoder and decoder layers
// (pre-norm or post-norm) and a decoder-only GPT block. Inputs are batch-first [B, T, E].
import { scaledDotProductAttention } from '../ops/attention.js';
import { ShapeError, ValueError } from '../core/errors.js';
import { shapeStr } from '../core/shape.js';
import { checkNumber, checkOptions, POSITIVE_INT, SEED, type OptionRule } from '../core/options.js';
import type { Tensor } from '../tensor/tensor.js';
import { Linear } from './layers.js';
import { Module, type StateLayout } from './module.js';
import { LayerNorm } from './norm.js';

export interface MultiheadAttentionOptions {
  /** Each query sees only keys at positions ≤ its own. */
  causal?: boolean;
  bias?: boolean;
  seed?: number;
}

/** `dim` and `heads` positive integers, `heads` dividing `dim` (each head gets dim / heads features). */
export function checkHeads(owner: string, [dimName, dim]: [string, number], [headsName, heads]: [string, number]): void {
  checkNumber(owner, dimName, dim, POSITIVE_INT);
  checkNumber(owner, headsName, heads, POSITIVE_INT);
  if (dim % heads !== 0) throw new ValueError(`${owner}: ${headsName} ${heads} does not divide ${dimName} ${dim}`);
}

/** Multi-head attention over batch-first [B, T, E] inputs; heads split by views (no copies) into the fused kernel. */
export class MultiheadAttention extends Module {
  qProj: Linear;
  kProj: Linear;
  vProj: Linear;
  outProj: Linear;
  readonly headDim: number;
  /** PyTorch's layout: the q, k, v projections stacked into in_proj_weight [3E, E] and in_proj_bias [3E]. */
  protected override readonly stateLayout: StateLayout = {
    stacks: { in_proj_weight: ['qProj.weight', 'kProj.weight', 'vProj.weight'], in_proj_bias: ['qProj.bias', 'kProj.bias', 'vProj.bias'] },
  };
  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    readonly options: MultiheadAttentionOptions = {},
  ) {
    super();
    const owner = `MultiheadAttention(${embedDim}, ${numHeads})`;
    checkHeads(owner, ['embedDim', embedDim], ['numHeads', numHeads]);
    checkOptions(owner, options, { causal: 'boolean', bias: 'boolean', seed: SEED });
    this.headDim = embedDim / numHeads;
    const s = options.seed;
    const o = (k: number) => ({ bias: options.bias, seed: s === undefined ? undefined : s + 2 * k });
    this.qProj = new Linear(embedDim, embedDim, o(0));
    this.kProj = new Linear(embedDim, embedDim, o(1));
    this.vProj = new Linear(embedDim, embedDim, o(2));
    this.outProj = new Linear(embedDim, embedDim, o(3));
  }

  private split(x: Tensor): Tensor {
    const [B, T] = x.shape;
    return x.reshape([B, T, this.numHeads, this.headDim]).permute([0, 2, 1, 3]);
  }

  /**
   * query [B, TQ, E], key/value [B, TK, E] (default: query); keyMask [B, TK], nonzero = attend
   * (note: the opposite polarity of PyTorch's key_padding_mask). Returns [B, TQ, E].
   */
  forward(query: Tensor, key: Tensor = query, value: Tensor = key, keyMask: Tensor | null = null): Tensor {
    const name = `MultiheadAttention(${this.embedDim}, ${this.numHeads})`;
    for (const [arg, t] of [['query', query], ['key', key], ['value', value]] as const)
      if (t.rank !== 3 || t.shape[2] !== this.embedDim) throw new ShapeError(`${name}: ${arg} must be [B, T, ${this.embedDim}], got shape ${shapeStr(t.shape)}`);
    if (key.shape[0] !== query.shape[0] || value.shape[0] !== key.shape[0] || value.shape[1] !== key.shape[1])
      throw new ShapeError(`${name}: batch or key length mismatch: query ${shapeStr(query.shape)}, key ${shapeStr(key.shape)}, value ${shapeStr(value.shape)}`);
    const [B, TQ] = query.shape;
    const q = this.split(this.qProj.forward(query));
    const k = this.split(this.kProj.forward(key));
    const v = this.split(this.vProj.forward(value));
    const o = scaledDotProductAttention(q, k, v, { causal: this.options.causal, mask: keyMask });
    return this.outProj.forward(o.permute([0, 2, 1, 3]).reshape([B, TQ, this.embedDim]));
  }
}

export interface TransformerLayerOptions {
  /** Hidden width of the feed-forward block (default 4·dModel). */
  dimFeedforward?: number;
  /** Pre-norm (GPT-2, normalise before each sub-block) or post-norm (the original Transformer; default). */
  normFirst?: boolean;
  activation?: 'relu' | 'gelu';
  /** Causal self-attention (encoder layer only; the decoder's self-attention is always causal). */
  causal?: boolean;
  seed?: number;
  eps?: number;
}
export type TransformerDecoderLayerOptions = Omit<TransformerLayerOptions, 'causal'>;

const LAYER_OPTIONS: Record<keyof TransformerDecoderLayerOptions, OptionRule> = {
  dimFeedforward: POSITIVE_INT, normFirst: 'boolean', activation: ['relu', 'gelu'], seed: SEED, eps: { min: 0 },
};

/** dModel and nHead (dividing it) and the options of a transformer layer, before anything is built. */
function checkLayer(owner: string, dModel: number, nHead: number, options: unknown, spec: Record<string, OptionRule>): void {
  checkHeads(owner, ['dModel', dModel], ['nHead', nHead]);
  checkOptions(owner, options, spec);
}

class FeedForward extends Module {
  fc1: Linear;
  fc2: Linear;
  constructor(dModel: number, hidden: number, readonly activation: 'relu' | 'gelu', seed?: number) {
    super();
    this.fc1 = new Linear(dModel, hidden, { seed });
    this.fc2 = new Linear(hidden, dModel, { seed: seed === undefined ? undefined : seed + 2 });
  }
  forward(x: Tensor): Tensor {
    const h = this.fc1.forward(x);
    return this.fc2.forward(this.activation === 'gelu' ? h.gelu() : h.relu());
  }
}

/** The feed-forward block's linears under PyTorch's transformer-layer names. */
const FEED_FORWARD_KEYS = { 'ff.fc1': 'linear1', 'ff.fc2': 'linear2' };

const seedAt = (seed: number | undefined, k: number) => (seed === undefined ? undefined : seed + 100 * k);

/** Self-attention + feed-forward, each with a residual and LayerNorm (PyTorch's nn.TransformerEncoderLayer, batch-first). */
export class TransformerEncoderLayer extends Module {
  selfAttn: MultiheadAttention;
  ff: FeedForward;
  norm1: LayerNorm;
  norm2: LayerNorm;
  readonly normFirst: boolean;
  /** PyTorch's names: self_attn (from selfAttn), linear1 and linear2 (the feed-forward block's). */
  protected override readonly stateLayout: StateLayout = { rename: FEED_FORWARD_KEYS };
  constructor(readonly dModel: number, readonly nHead: number, options: TransformerLayerOptions = {}) {
    super();
    checkLayer(`TransformerEncoderLayer(${dModel}, ${nHead})`, dModel, nHead, options, { ...LAYER_OPTIONS, causal: 'boolean' });
    this.normFirst = options.normFirst ?? false;
    this.selfAttn = new MultiheadAttention(dModel, nHead, { causal: options.causal, seed: seedAt(options.seed, 1) });
    this.ff = new FeedForward(dModel, options.dimFeedforward ?? 4 * dModel, options.activation ?? 'relu', seedAt(options.seed, 2));
    this.norm1 = new LayerNorm(dModel, { eps: options.eps });
    this.norm2 = new LayerNorm(dModel, { eps: options.eps });
  }
  forward(x: Tensor, keyMask: Tensor | null = null): Tensor {
    x = residual(x, this.norm1, this.normFirst, (h) => this.selfAttn.forward(h, h, h, keyMask));
    return residual(x, this.norm2, this.normFirst, (h) => this.ff.forward(h));
  }
}

/**
 * One residual sub-layer: x + f(norm(x)) when the norm comes first (pre-LN, as in GPT-2), else
 * norm(x + f(x)) (post-LN, PyTorch's default).
 */
function residual(x: Tensor, norm: LayerNorm, normFirst: boolean, f: (h: Tensor) => Tensor): Tensor {
  return normFirst ? x.add(f(norm.forward(x))) : norm.forward(x.add(f(x)));
}

/** Causal self-attention, cross-attention over `memory`, feed-forward (PyTorch's nn.TransformerDecoderLayer, batch-first). */
export class TransformerDecoderLayer extends Module {
  selfAttn: MultiheadAttention;
  crossAttn: MultiheadAttention;
  ff: FeedForward;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  readonly normFirst: boolean;
  /** PyTorch's names: self_attn, multihead_attn (the cross-attention), linear1, linear2. */
  protected override readonly stateLayout: StateLayout = { rename: { ...FEED_FORWARD_KEYS, crossAttn: 'multihead_attn' } };
  constructor(readonly dModel: number, readonly nHead: number, options: TransformerDecoderLayerOptions = {}) {
    super();
    checkLayer(`TransformerDecoderLayer(${dModel}, ${nHead})`, dModel, nHead, options, LAYER_OPTIONS);
    this.normFirst = options.normFirst ?? false;
    this.selfAttn = new MultiheadAttention(dModel, nHead, { causal: true, seed: seedAt(options.seed, 1) });
    this.crossAttn = new MultiheadAttention(dModel, nHead, { seed: seedAt(options.seed, 2) });
    this.ff = new FeedForward(dModel, options.dimFeedforward ?? 4 * dModel, options.activation ?? 'relu', seedAt(options.seed, 3));
    this.norm1 = new LayerNorm(dModel, { eps: options.eps });
    this.norm2 = new LayerNorm(dModel, { eps: options.eps });
    this.norm3 = new LayerNorm(dModel, { eps: options.eps });
  }
  /** x [B, T, E], memory [B, S, E] (the encoder's output); memoryMask [B, S], nonzero = attend. */
  forward(x: Tensor, memory: Tensor, memoryMask: Tensor | null = null): Tensor {
    x = residual(x, this.norm1, this.normFirst, (h) => this.selfAttn.forward(h));
    x = residual(x, this.norm2, this.normFirst, (h) => this.crossAttn.forward(h, memory, memory, memoryMask));
    return residual(x, this.norm3, this.normFirst, (h) => this.ff.forward(h));
  }
}

/** A GPT-2 block: x + attn(ln1(x)) (causal), then x + mlp(ln2(x)) with a GELU MLP of width 4·dModel. */
export class GPTBlock extends Module {
  ln1: LayerNorm;
  attn: MultiheadAttention;
  ln2: LayerNorm;
  mlp: FeedForward;
  constructor(readonly dModel: number, readonly nHead: number, options: { seed?: number; dimFeedforward?: number } = {}) {
    super();
    checkLayer(`GPTBlock(${dModel}, ${nHead})`, dModel, nHead, options, { seed: SEED, dimFeedforward: POSITIVE_INT });
    this.ln1 = new LayerNorm(dModel);
    this.attn = new MultiheadAttention(dModel, nHead, { causal: true, seed: seedAt(options.seed, 1) });
    this.ln2 = new LayerNorm(dModel);
    this.mlp = new FeedForward(dModel, options.dimFeedforward ?? 4 * dModel, 'gelu', seedAt(options.seed, 2));
  }
  forward(x: Tensor): Tensor {
    const normFirst = true;
    x = residual(x, this.ln1, normFirst, (h) => this.attn.forward(h));
    return residual(x, this.ln2, normFirst, (h) => this.mlp.forward(h));
  }
}
