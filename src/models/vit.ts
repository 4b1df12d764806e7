// A Vision Transformer (Dosovitskiy et al., "An Image is Worth 16x16 Words") for small images: a strided
// Conv2d cuts the image into patches and embeds each, a learned class token goes in front, learned
// positions are added, pre-norm TransformerEncoderLayers (fused attention) mix the tokens, and a final
// LayerNorm and a Linear head read the class token. With `stem` it is the hybrid: a small conv stem
// (3x3 conv-BN-ReLU layers, the first of stride 2) makes the feature map the patches are cut from.
import { ShapeError, ValueError } from '../core/errors.js';
import { shapeStr } from '../core/shape.js';
import { checkOptions, POSITIVE_INT, SEED, UNIT_INTERVAL } from '../core/options.js';
import { cat } from '../ops/movement.js';
import type { Tensor } from '../tensor/tensor.js';
import { Conv2d } from '../nn/conv.js';
import { LearnedPositionalEncoding } from '../nn/embedding.js';
import { normal } from '../nn/init.js';
import { Linear, ReLU, Sequential } from '../nn/layers.js';
import { Module, Parameter } from '../nn/module.js';
import { BatchNorm2d, LayerNorm } from '../nn/norm.js';
import { checkHeads, TransformerEncoderLayer } from '../nn/transformer.js';

export interface ViTOptions {
  /** Side of the square input images (default 28). */
  imageSize?: number;
  /** Side of the square patches (default 7); it must divide the side of the map they are cut from. */
  patchSize?: number;
  inChannels?: number;
  classes?: number;
  /** Width of the tokens (default 64). */
  dim?: number;
  /** Encoder layers (default 4). */
  depth?: number;
  /** Attention heads, dividing dim (default 4). */
  heads?: number;
  /** Hidden width of each layer's feed-forward block (default 2·dim). */
  mlpDim?: number;
  /** Dropout in the encoder layers in training mode (default 0: the small data sets here want augmentation instead). */
  dropout?: number;
  /** The hybrid's conv stem: the channels of each 3x3 conv-BN-ReLU layer, the first of stride 2 (default: none, a pure ViT). */
  stem?: number[];
  seed?: number;
}

const STEM_RULE = (owner: string, name: string, value: unknown) => {
  if (!Array.isArray(value) || value.length === 0 || value.some((c) => !Number.isInteger(c) || c < 1))
    throw new ValueError(`${owner}: ${name} must be a non-empty array of positive integers (channels), got ${JSON.stringify(value)}`);
};

/** 3x3 conv (no bias: BatchNorm follows), BN, ReLU per entry of `channels`; the first conv halves the resolution. */
function convStem(inChannels: number, channels: number[], seed: number): Sequential {
  const layers: Module[] = [];
  let c = inChannels;
  channels.forEach((out, i) => {
    layers.push(new Conv2d(c, out, 3, { stride: i === 0 ? 2 : 1, padding: 1, bias: false, seed: seed + i }), new BatchNorm2d(out), new ReLU());
    c = out;
  });
  return new Sequential(...layers);
}

export class ViT extends Module {
  /** The hybrid's conv stem, null for a pure ViT. */
  stem: Sequential | null;
  /** Patch embedding: a Conv2d of kernel and stride patchSize (one dim-wide token per patch). */
  patchEmbed: Conv2d;
  /** [1, 1, dim], the learned token whose final state the head reads. */
  clsToken: Parameter;
  /** Positions of the class token and the patches (row-major), 1 + patches rows. */
  posEmb: LearnedPositionalEncoding;
  blocks: TransformerEncoderLayer[];
  norm: LayerNorm;
  head: Linear;
  readonly imageSize: number;
  readonly inChannels: number;
  /** Patches per image (tokens without the class token). */
  readonly patches: number;
  constructor(options: ViTOptions = {}) {
    super();
    const owner = 'ViT';
    checkOptions(owner, options, {
      imageSize: POSITIVE_INT, patchSize: POSITIVE_INT, inChannels: POSITIVE_INT, classes: POSITIVE_INT, dim: POSITIVE_INT, depth: POSITIVE_INT,
      heads: POSITIVE_INT, mlpDim: POSITIVE_INT, dropout: UNIT_INTERVAL, stem: STEM_RULE, seed: SEED,
    });
    const dim = options.dim ?? 64;
    checkHeads(owner, ['dim', dim], ['heads', options.heads ?? 4]);
    this.imageSize = options.imageSize ?? 28;
    this.inChannels = options.inChannels ?? 1;
    const patch = options.patchSize ?? 7;
    const s = options.seed ?? 0;
    // the stem's first conv (3x3, stride 2, padding 1) maps a side n to ceil(n / 2)
    const side = options.stem ? Math.ceil(this.imageSize / 2) : this.imageSize;
    if (side % patch !== 0)
      throw new ValueError(`${owner}: patchSize ${patch} does not divide the ${side}x${side} map the patches are cut from (imageSize ${this.imageSize}${options.stem ? ', halved by the stem' : ''})`);
    this.patches = (side / patch) ** 2;
    this.stem = options.stem ? convStem(this.inChannels, options.stem, s + 10) : null;
    const embedIn = options.stem ? options.stem[options.stem.length - 1] : this.inChannels;
    this.patchEmbed = new Conv2d(embedIn, dim, patch, { stride: patch, seed: s });
    this.clsToken = new Parameter(normal([1, 1, dim], 0, 0.02, { seed: s + 1 }));
    this.posEmb = new LearnedPositionalEncoding(this.patches + 1, dim, { std: 0.02, seed: s + 2 });
    const layer = { dimFeedforward: options.mlpDim ?? 2 * dim, dropout: options.dropout ?? 0, normFirst: true, activation: 'gelu' as const };
    this.blocks = Array.from({ length: options.depth ?? 4 }, (_, i) => new TransformerEncoderLayer(dim, options.heads ?? 4, { ...layer, seed: s + 1000 * (i + 1) }));
    this.norm = new LayerNorm(dim);
    this.head = new Linear(dim, options.classes ?? 10, { seed: s + 3 });
  }

  /** The tokens the encoder sees: [B, 1 + patches, dim], class token first, positions added. */
  tokens(x: Tensor): Tensor {
    const n = this.imageSize;
    if (x.rank !== 4 || x.shape[1] !== this.inChannels || x.shape[2] !== n || x.shape[3] !== n)
      throw new ShapeError(`ViT: input must be [B, ${this.inChannels}, ${n}, ${n}], got shape ${shapeStr(x.shape)}`);
    const B = x.shape[0];
    const map = this.patchEmbed.forward(this.stem ? this.stem.forward(x) : x); // [B, dim, h, w]
    const dim = map.shape[1];
    const patches = map.reshape([B, dim, this.patches]).transpose(1, 2); // [B, patches, dim], row-major patch order
    return this.posEmb.forward(cat([this.clsToken.expand([B, 1, dim]), patches], 1));
  }

  /** x [B, inChannels, imageSize, imageSize] → logits [B, classes]. */
  forward(x: Tensor): Tensor {
    let h = this.tokens(x);
    for (const block of this.blocks) h = block.forward(h);
    const B = h.shape[0];
    return this.head.forward(this.norm.forward(h.slice([0, 0], [B, 1]).reshape([B, h.shape[2]])));
  }
}

