// Transformer layers: MultiheadAttention (fused attention), encoder and decoder layers
// (pre-norm or post-norm) and a decoder-only GPT block. Inputs are batch-first [B, T, E]. Masks, dropout
// and defaults follow PyTorch (key_padding_mask / attn_mask polarity, dropout 0.1 and dimFeedforward 2048
// in the layers, ReLU by default); README.md "Differences from PyTorch" lists what does not.
import { attentionProbs, scaledDotProductAttention } from '../ops/attention.js';
import type { GeluApproximate } from '../ops/activation.js';
import { ShapeError, ValueError } from '../core/errors.js';
import { shapeStr } from '../core/shape.js';
import { checkNumber, checkOptions, POSITIVE_INT, SEED, UNIT_INTERVAL, type OptionRule } from '../core/options.js';
import { Tensor } from '../tensor/tensor.js';
import { DropoutStream } from './dropout.js';
import { Linear } from './layers.js';
import { Module, type StateLayout } from './module.js';
import { LayerNorm } from './norm.js';

export interface MultiheadAttentionOptions {
  /** Each query sees only keys at positions ≤ its own, on every call (a shadergrad extension; see isCausal). */
  causal?: boolean;
  bias?: boolean;
  /** Dropout on the attention probabilities in training mode (PyTorch's default 0). */
  dropout?: number;
  seed?: number;
}

/** The masks of one attention call, with PyTorch's names and polarity. */
export interface AttentionMasks {
  /** [B, S]: nonzero (true) = that key is padding and is ignored (PyTorch's key_padding_mask). float32 or int32. */
  keyPaddingMask?: Tensor | null;
  /**
   * [L, S] or [B·numHeads, L, S]. int32 (standing for torch.bool): nonzero = query l may not attend to key s;
   * float32: added to the scaled scores (PyTorch's float attn_mask, e.g. −Infinity above the diagonal).
   */
  attnMask?: Tensor | null;
  /** Causal self-attention for this call (query i sees keys j ≤ i). */
  isCausal?: boolean;
}

export interface AttentionWeightsOptions extends AttentionMasks {
  /** Return the attention probabilities too (default true, as PyTorch's need_weights). */
  needWeights?: boolean;
  /** Average the weights over heads ([B, L, S], default) or return them per head ([B, numHeads, L, S]). */
  averageAttnWeights?: boolean;
}

/** A mask argument: a Tensor, null or undefined. */
const TENSOR_OR_NULL = (owner: string, name: string, value: unknown) => {
  if (value !== null && !(value instanceof Tensor)) throw new ValueError(`${owner}: ${name} must be a Tensor or null, got ${typeof value}`);
};
const MASK_RULES = { keyPaddingMask: TENSOR_OR_NULL, attnMask: TENSOR_OR_NULL, isCausal: 'boolean' } as const;

/** Refuses the pre-PyTorch positional key mask (opposite polarity) loudly instead of misreading it. */
function checkCallOptions(owner: string, options: unknown, spec: Record<string, OptionRule>): void {
  if (options instanceof Tensor)
    throw new ValueError(`${owner}: pass masks as options ({ keyPaddingMask }, nonzero = ignore the key, as PyTorch), not as a positional tensor (the old keyMask had the opposite polarity)`);
  checkOptions(owner, options, spec);
}

/** `dim` and `heads` positive integers, `heads` dividing `dim` (each head gets dim / heads features). */
export function checkHeads(owner: string, [dimName, dim]: [string, number], [headsName, heads]: [string, number]): void {
  checkNumber(owner, dimName, dim, POSITIVE_INT);
  checkNumber(owner, headsName, heads, POSITIVE_INT);
  if (dim % heads !== 0) throw new ValueError(`${owner}: ${headsName} ${heads} does not divide ${dimName} ${dim}`);
}

/**
 * Multi-head attention over batch-first [B, T, E] inputs; heads split by views (no copies). The fused kernel
 * runs it unless the call needs what only the unfused path has: an attnMask, the weights, or attention
 * dropout in training mode.
 */
export class MultiheadAttention extends Module {
  qProj: Linear;
  kProj: Linear;
  vProj: Linear;
  outProj: Linear;
  readonly headDim: number;
  readonly dropout: number;
  private readonly attnDropout: DropoutStream;
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
    checkOptions(owner, options, { causal: 'boolean', bias: 'boolean', dropout: UNIT_INTERVAL, seed: SEED });
    this.headDim = embedDim / numHeads;
    this.dropout = options.dropout ?? 0;
    const s = options.seed;
    const o = (k: number) => ({ bias: options.bias, seed: s === undefined ? undefined : s + 2 * k });
    this.qProj = new Linear(embedDim, embedDim, o(0));
    this.kProj = new Linear(embedDim, embedDim, o(1));
    this.vProj = new Linear(embedDim, embedDim, o(2));
    this.outProj = new Linear(embedDim, embedDim, o(3));
    this.attnDropout = new DropoutStream(s === undefined ? undefined : s + 8);
  }

  private get label(): string {
    return `MultiheadAttention(${this.embedDim}, ${this.numHeads})`;
  }

  private split(x: Tensor): Tensor {
    const [B, T] = x.shape;
    return x.reshape([B, T, this.numHeads, this.headDim]).permute([0, 2, 1, 3]);
  }

  /** query [B, L, E], key/value [B, S, E] (default: query); returns [B, L, E]. */
  forward(query: Tensor, key: Tensor = query, value: Tensor = key, options: AttentionMasks = {}): Tensor {
    checkCallOptions(this.label, options, MASK_RULES);
    return this.attend(query, key, value, options, false, true)[0];
  }

  /**
   * PyTorch's forward: [output, weights] with weights [B, L, S] averaged over heads (or [B, numHeads, L, S]),
   * after attention dropout as PyTorch returns them; weights null when needWeights is false.
   */
  forwardWithWeights(query: Tensor, key: Tensor = query, value: Tensor = key, options: AttentionWeightsOptions = {}): [Tensor, Tensor | null] {
    checkCallOptions(this.label, options, { ...MASK_RULES, needWeights: 'boolean', averageAttnWeights: 'boolean' });
    return this.attend(query, key, value, options, options.needWeights ?? true, options.averageAttnWeights ?? true);
  }

  private attend(query: Tensor, key: Tensor, value: Tensor, o: AttentionMasks, needWeights: boolean, average: boolean): [Tensor, Tensor | null] {
    const name = this.label;
    for (const [arg, t] of [['query', query], ['key', key], ['value', value]] as const)
      if (t.rank !== 3 || t.shape[2] !== this.embedDim) throw new ShapeError(`${name}: ${arg} must be [B, T, ${this.embedDim}], got shape ${shapeStr(t.shape)}`);
    if (key.shape[0] !== query.shape[0] || value.shape[0] !== key.shape[0] || value.shape[1] !== key.shape[1])
      throw new ShapeError(`${name}: batch or key length mismatch: query ${shapeStr(query.shape)}, key ${shapeStr(key.shape)}, value ${shapeStr(value.shape)}`);
    const [B, L] = query.shape;
    const S = key.shape[1];
    const attnMask = o.attnMask ? this.attnMask4d(o.attnMask, B, L, S) : null;
    const q = this.split(this.qProj.forward(query));
    const k = this.split(this.kProj.forward(key));
    const v = this.split(this.vProj.forward(value));
    const causal = (this.options.causal ?? false) || (o.isCausal ?? false);
    const dropping = this.training && this.dropout > 0;
    let out: Tensor;
    let weights: Tensor | null = null;
    if (!attnMask && !needWeights && !dropping) {
      out = scaledDotProductAttention(q, k, v, { causal, keyPaddingMask: o.keyPaddingMask });
    } else {
      const bool = attnMask?.dtype === 'int32';
      const p = attentionProbs(q, k, { causal, keyPaddingMask: o.keyPaddingMask, attnMask: bool ? attnMask : null, attnBias: bool ? null : attnMask });
      const dropped = this.attnDropout.apply(p, this.dropout, this.training);
      out = dropped.matmul(v);
      if (needWeights) weights = average ? dropped.mean(1) : dropped;
    }
    return [this.outProj.forward(out.permute([0, 2, 1, 3]).reshape([B, L, this.embedDim])), weights];
  }

  /** attnMask [L, S] or [B·numHeads, L, S] as a tensor broadcasting to [B, numHeads, L, S]. */
  private attnMask4d(m: Tensor, B: number, L: number, S: number): Tensor {
    const H = this.numHeads;
    if (m.rank === 2 && m.shape[0] === L && m.shape[1] === S) return m;
    if (m.rank === 3 && m.shape[0] === B * H && m.shape[1] === L && m.shape[2] === S) return m.reshape([B, H, L, S]);
    throw new ShapeError(`${this.label}: attnMask must be [${L}, ${S}] or [${B * H}, ${L}, ${S}] (batch·heads, queries, keys), got shape ${shapeStr(m.shape)}`);
  }
}

export interface TransformerLayerOptions {
  /** Hidden width of the feed-forward block (default 2048, as PyTorch). */
  dimFeedforward?: number;
  /** Dropout in training mode: attention probabilities, each residual branch, and after the activation (default 0.1, as PyTorch). */
  dropout?: number;
  /** Pre-norm (GPT-2, normalise before each sub-block) or post-norm (the original Transformer; default). */
  normFirst?: boolean;
  /** 'relu' (default, as PyTorch) or 'gelu' (exact, as PyTorch's F.gelu). */
  activation?: 'relu' | 'gelu';
  /** Causal self-attention on every call (encoder layer only; a shadergrad extension: see isCausal). */
  causal?: boolean;
  seed?: number;
  eps?: number;
}
export type TransformerDecoderLayerOptions = Omit<TransformerLayerOptions, 'causal'>;

const LAYER_OPTIONS: Record<keyof TransformerDecoderLayerOptions, OptionRule> = {
  dimFeedforward: POSITIVE_INT, dropout: UNIT_INTERVAL, normFirst: 'boolean', activation: ['relu', 'gelu'], seed: SEED, eps: { min: 0 },
};
/** PyTorch's defaults for the transformer layers. */
const DEFAULT_FEEDFORWARD = 2048;
const DEFAULT_DROPOUT = 0.1;

/** dModel and nHead (dividing it) and the options of a transformer layer, before anything is built. */
function checkLayer(owner: string, dModel: number, nHead: number, options: unknown, spec: Record<string, OptionRule>): void {
  checkHeads(owner, ['dModel', dModel], ['nHead', nHead]);
  checkOptions(owner, options, spec);
}

/** linear2(dropout(activation(linear1(x)))), PyTorch's feed-forward block. */
class FeedForward extends Module {
  fc1: Linear;
  fc2: Linear;
  private readonly drop: DropoutStream;
  constructor(dModel: number, hidden: number, readonly activation: 'relu' | 'gelu', seed?: number, readonly approximate: GeluApproximate = 'none', readonly dropout = 0) {
    super();
    this.fc1 = new Linear(dModel, hidden, { seed });
    this.fc2 = new Linear(hidden, dModel, { seed: seed === undefined ? undefined : seed + 2 });
    this.drop = new DropoutStream(seed === undefined ? undefined : seed + 4);
  }
  forward(x: Tensor): Tensor {
    const h = this.fc1.forward(x);
    const a = this.activation === 'gelu' ? h.gelu({ approximate: this.approximate }) : h.relu();
    return this.fc2.forward(this.drop.apply(a, this.dropout, this.training));
  }
}

/** The feed-forward block's linears under PyTorch's transformer-layer names. */
const FEED_FORWARD_KEYS = { 'ff.fc1': 'linear1', 'ff.fc2': 'linear2' };

const seedAt = (seed: number | undefined, k: number) => (seed === undefined ? undefined : seed + 100 * k);

/** The residual dropouts of a layer (PyTorch's dropout1, dropout2, ...), one seeded stream each. */
function residualDropouts(n: number, seed: number | undefined): DropoutStream[] {
  return Array.from({ length: n }, (_, i) => new DropoutStream(seedAt(seed, 10 + i)));
}

export interface EncoderLayerCall {
  /** The self-attention's attnMask ([T, T] or [B·nHead, T, T]; int32 nonzero = not allowed, float32 added). */
  srcMask?: Tensor | null;
  /** [B, T], nonzero = padding, ignored. */
  srcKeyPaddingMask?: Tensor | null;
  isCausal?: boolean;
}

/** What the encoder and decoder layers share: the norm placement and the residual dropouts (PyTorch's dropout1, dropout2, ...). */
abstract class TransformerLayerBase extends Module {
  readonly normFirst: boolean;
  readonly dropout: number;
  private readonly drops: DropoutStream[];
  constructor(options: TransformerDecoderLayerOptions, residuals: number) {
    super();
    this.normFirst = options.normFirst ?? false;
    this.dropout = options.dropout ?? DEFAULT_DROPOUT;
    this.drops = residualDropouts(residuals, options.seed);
  }
  /** The residual branch k's dropout, as a function (the identity in eval mode). */
  protected drop(k: number): (h: Tensor) => Tensor {
    return (h) => this.drops[k].apply(h, this.dropout, this.training);
  }
}

/** Self-attention + feed-forward, each with dropout, a residual and LayerNorm (PyTorch's nn.TransformerEncoderLayer, batch-first). */
export class TransformerEncoderLayer extends TransformerLayerBase {
  selfAttn: MultiheadAttention;
  ff: FeedForward;
  norm1: LayerNorm;
  norm2: LayerNorm;
  /** PyTorch's names: self_attn (from selfAttn), linear1 and linear2 (the feed-forward block's). */
  protected override readonly stateLayout: StateLayout = { rename: FEED_FORWARD_KEYS };
  constructor(readonly dModel: number, readonly nHead: number, options: TransformerLayerOptions = {}) {
    checkLayer(`TransformerEncoderLayer(${dModel}, ${nHead})`, dModel, nHead, options, { ...LAYER_OPTIONS, causal: 'boolean' });
    super(options, 2);
    this.selfAttn = new MultiheadAttention(dModel, nHead, { causal: options.causal, dropout: this.dropout, seed: seedAt(options.seed, 1) });
    this.ff = new FeedForward(dModel, options.dimFeedforward ?? DEFAULT_FEEDFORWARD, options.activation ?? 'relu', seedAt(options.seed, 2), 'none', this.dropout);
    this.norm1 = new LayerNorm(dModel, { eps: options.eps });
    this.norm2 = new LayerNorm(dModel, { eps: options.eps });
  }
  /** src [B, T, E]. */
  forward(x: Tensor, options: EncoderLayerCall = {}): Tensor {
    checkCallOptions(`TransformerEncoderLayer(${this.dModel}, ${this.nHead})`, options, { srcMask: TENSOR_OR_NULL, srcKeyPaddingMask: TENSOR_OR_NULL, isCausal: 'boolean' });
    const masks = { attnMask: options.srcMask, keyPaddingMask: options.srcKeyPaddingMask, isCausal: options.isCausal };
    const [d1, d2] = [this.drop(0), this.drop(1)];
    x = residual(x, this.norm1, this.normFirst, (h) => d1(this.selfAttn.forward(h, h, h, masks)));
    return residual(x, this.norm2, this.normFirst, (h) => d2(this.ff.forward(h)));
  }
}

/**
 * One residual sub-layer: x + f(norm(x)) when the norm comes first (pre-LN, as in GPT-2), else
 * norm(x + f(x)) (post-LN, PyTorch's default).
 */
function residual(x: Tensor, norm: LayerNorm, normFirst: boolean, f: (h: Tensor) => Tensor): Tensor {
  return normFirst ? x.add(f(norm.forward(x))) : norm.forward(x.add(f(x)));
}

export interface DecoderLayerCall {
  /** The self-attention's attnMask ([T, T] or [B·nHead, T, T]). */
  tgtMask?: Tensor | null;
  /** The cross-attention's attnMask ([T, S] or [B·nHead, T, S]). */
  memoryMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
  /** Causal self-attention (default false, as PyTorch: a decoder that should not see ahead passes true or a tgtMask). */
  tgtIsCausal?: boolean;
  memoryIsCausal?: boolean;
}

const DECODER_CALL: Record<keyof DecoderLayerCall, OptionRule> = {
  tgtMask: TENSOR_OR_NULL, memoryMask: TENSOR_OR_NULL, tgtKeyPaddingMask: TENSOR_OR_NULL, memoryKeyPaddingMask: TENSOR_OR_NULL, tgtIsCausal: 'boolean', memoryIsCausal: 'boolean',
};

/** Self-attention, cross-attention over `memory`, feed-forward (PyTorch's nn.TransformerDecoderLayer, batch-first). */
export class TransformerDecoderLayer extends TransformerLayerBase {
  selfAttn: MultiheadAttention;
  crossAttn: MultiheadAttention;
  ff: FeedForward;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  /** PyTorch's names: self_attn, multihead_attn (the cross-attention), linear1, linear2. */
  protected override readonly stateLayout: StateLayout = { rename: { ...FEED_FORWARD_KEYS, crossAttn: 'multihead_attn' } };
  constructor(readonly dModel: number, readonly nHead: number, options: TransformerDecoderLayerOptions = {}) {
    checkLayer(`TransformerDecoderLayer(${dModel}, ${nHead})`, dModel, nHead, options, LAYER_OPTIONS);
    super(options, 3);
    this.selfAttn = new MultiheadAttention(dModel, nHead, { dropout: this.dropout, seed: seedAt(options.seed, 1) });
    this.crossAttn = new MultiheadAttention(dModel, nHead, { dropout: this.dropout, seed: seedAt(options.seed, 2) });
    this.ff = new FeedForward(dModel, options.dimFeedforward ?? DEFAULT_FEEDFORWARD, options.activation ?? 'relu', seedAt(options.seed, 3), 'none', this.dropout);
    this.norm1 = new LayerNorm(dModel, { eps: options.eps });
    this.norm2 = new LayerNorm(dModel, { eps: options.eps });
    this.norm3 = new LayerNorm(dModel, { eps: options.eps });
  }
  /** tgt [B, T, E], memory [B, S, E] (the encoder's output). */
  forward(x: Tensor, memory: Tensor, options: DecoderLayerCall = {}): Tensor {
    checkCallOptions(`TransformerDecoderLayer(${this.dModel}, ${this.nHead})`, options, DECODER_CALL);
    const self = { attnMask: options.tgtMask, keyPaddingMask: options.tgtKeyPaddingMask, isCausal: options.tgtIsCausal };
    const cross = { attnMask: options.memoryMask, keyPaddingMask: options.memoryKeyPaddingMask, isCausal: options.memoryIsCausal };
    const [d1, d2, d3] = [this.drop(0), this.drop(1), this.drop(2)];
    x = residual(x, this.norm1, this.normFirst, (h) => d1(this.selfAttn.forward(h, h, h, self)));
    x = residual(x, this.norm2, this.normFirst, (h) => d2(this.crossAttn.forward(h, memory, memory, cross)));
    return residual(x, this.norm3, this.normFirst, (h) => d3(this.ff.forward(h)));
  }
}

/**
 * A GPT-2 block: x + attn(ln1(x)) (causal), then x + mlp(ln2(x)) with a GELU MLP of width 4·dModel. GPT-2's
 * GELU is the tanh approximation and the block has no dropout: both said here explicitly, so char-GPT
 * trains as before the PyTorch defaults changed elsewhere.
 */
export class GPTBlock extends Module {
  ln1: LayerNorm;
  attn: MultiheadAttention;
  ln2: LayerNorm;
  mlp: FeedForward;
  constructor(readonly dModel: number, readonly nHead: number, options: { seed?: number; dimFeedforward?: number } = {}) {
    super();
    checkLayer(`GPTBlock(${dModel}, ${nHead})`, dModel, nHead, options, { seed: SEED, dimFeedforward: POSITIVE_INT });
    this.ln1 = new LayerNorm(dModel);
    this.attn = new MultiheadAttention(dModel, nHead, { causal: true, dropout: 0, seed: seedAt(options.seed, 1) });
    this.ln2 = new LayerNorm(dModel);
    this.mlp = new FeedForward(dModel, options.dimFeedforward ?? 4 * dModel, 'gelu', seedAt(options.seed, 2), 'tanh', 0);
  }
  forward(x: Tensor): Tensor {
    const normFirst = true;
    x = residual(x, this.ln1, normFirst, (h) => this.attn.forward(h));
    return residual(x, this.ln2, normFirst, (h) => this.mlp.forward(h));
  }
}
