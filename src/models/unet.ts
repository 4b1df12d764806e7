// U-Net (Ronneberger et al. 2015) for semantic segmentation, small: an encoder of DoubleConv blocks
// (conv3x3-BN-ReLU twice) with 2x2 max pooling between them, a decoder that upsamples by 2, concatenates
// the encoder's features of the same resolution (the skip) and runs another DoubleConv, and a 1x1 conv
// head giving per-pixel class logits [N, classes, H, W] (train with per-pixel F.crossEntropy).
// Each decoder level upsamples either with a learned ConvTranspose2d(2, stride 2) or by interpolation
// (nn.Upsample, nearest or bilinear) followed by a 1x1 conv that halves the channels; the default mixes
// them: the transposed conv at the deepest level, bilinear interpolation above it.
import { ShapeError, ValueError } from '../core/errors.js';
import type { InterpolateMode } from '../kernels/interpolate.js';
import { checkOptions, POSITIVE_INT } from '../core/options.js';
import { shapeStr } from '../core/shape.js';
import { cat } from '../ops/movement.js';
import { Conv2d, ConvTranspose2d } from '../nn/conv.js';
import { Sequential } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { BatchNorm2d } from '../nn/norm.js';
import { MaxPool2d } from '../nn/pool.js';
import { Upsample } from '../nn/upsample.js';
import type { Tensor } from '../tensor/tensor.js';

/** How a decoder level doubles the resolution. */
export type UNetUpsampling = 'transpose' | 'bilinear' | 'nearest';
const UPSAMPLINGS: readonly UNetUpsampling[] = ['transpose', 'bilinear', 'nearest'];

/** conv3x3-BN-ReLU-conv3x3-BN-ReLU ("same" padding, the convs without bias: BN has one). */
export class DoubleConv extends Module {
  conv1: Conv2d;
  bn1: BatchNorm2d;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  constructor(inChannels: number, outChannels: number) {
    super();
    this.conv1 = new Conv2d(inChannels, outChannels, 3, { padding: 1, bias: false });
    this.bn1 = new BatchNorm2d(outChannels);
    this.conv2 = new Conv2d(outChannels, outChannels, 3, { padding: 1, bias: false });
    this.bn2 = new BatchNorm2d(outChannels);
  }
  forward(x: Tensor): Tensor {
    const h = this.bn1.forward(this.conv1.forward(x)).relu();
    return this.bn2.forward(this.conv2.forward(h)).relu();
  }
}

export interface UNetOptions {
  /** Input channels (default 1, grayscale). */
  inChannels?: number;
  /** Classes per pixel (default 4). */
  classes?: number;
  /** Channels of each encoder level, shallowest first; the last is the bottleneck (default [16, 32, 64]). */
  widths?: number[];
  /**
   * How each decoder level upsamples, deepest first (one entry per level, widths.length - 1), or one
   * kind for all. Default: 'transpose' at the deepest level, 'bilinear' at the others.
   */
  upsampling?: UNetUpsampling | UNetUpsampling[];
}

export class UNet extends Module {
  encoders: DoubleConv[];
  pool: MaxPool2d;
  /** Per decoder level, deepest first: ConvTranspose2d, or Sequential(Upsample, 1x1 Conv2d). */
  ups: Module[];
  decoders: DoubleConv[];
  head: Conv2d;
  readonly widths: number[];
  readonly upsampling: UNetUpsampling[];
  constructor(options: UNetOptions = {}) {
    super();
    checkOptions('UNet', options, {
      inChannels: POSITIVE_INT, classes: POSITIVE_INT,
      widths: (owner, name, v) => {
        if (!Array.isArray(v) || v.length < 2 || !v.every((w) => Number.isInteger(w) && w >= 1))
          throw new ValueError(`${owner}: ${name} must be at least two positive integers (channels per level), got ${JSON.stringify(v)}`);
      },
      upsampling: 'any',
    });
    const widths = options.widths ?? [16, 32, 64];
    const levels = widths.length - 1;
    const given = options.upsampling ?? ['transpose', ...new Array<UNetUpsampling>(levels - 1).fill('bilinear')];
    const upsampling = Array.isArray(given) ? given : new Array<UNetUpsampling>(levels).fill(given);
    if (upsampling.length !== levels || !upsampling.every((u) => UPSAMPLINGS.includes(u)))
      throw new ValueError(`UNet: upsampling must be one of ${UPSAMPLINGS.join(', ')} or ${levels} of them (one per decoder level), got ${JSON.stringify(given)}`);
    this.widths = [...widths];
    this.upsampling = upsampling;
    this.encoders = widths.map((w, l) => new DoubleConv(l === 0 ? (options.inChannels ?? 1) : widths[l - 1], w));
    this.pool = new MaxPool2d(2);
    this.ups = [];
    this.decoders = [];
    for (let k = 0; k < levels; k++) {
      const l = levels - 1 - k; // the level this decoder step returns to
      const [from, to] = [widths[l + 1], widths[l]];
      this.ups.push(upsampling[k] === 'transpose'
        ? new ConvTranspose2d(from, to, 2, { stride: 2 })
        : new Sequential(new Upsample({ scaleFactor: 2, mode: upsampling[k] as InterpolateMode, ...(upsampling[k] === 'bilinear' && { alignCorners: false }) }), new Conv2d(from, to, 1)));
      this.decoders.push(new DoubleConv(2 * to, to));
    }
    this.head = new Conv2d(widths[0], options.classes ?? 4, 1);
  }

  /** x [N, inChannels, H, W], H and W divisible by 2^(levels) → logits [N, classes, H, W]. */
  forward(x: Tensor): Tensor {
    const levels = this.widths.length - 1;
    const [, , H, W] = x.shape;
    if (x.rank !== 4 || H % 2 ** levels !== 0 || W % 2 ** levels !== 0)
      throw new ShapeError(`UNet: input must be [N, C, H, W] with H and W divisible by ${2 ** levels} (${levels} poolings), got shape ${shapeStr(x.shape)}`);
    const skips: Tensor[] = [];
    let h = x;
    for (let l = 0; l <= levels; l++) {
      h = this.encoders[l].forward(l === 0 ? h : this.pool.forward(h));
      skips.push(h);
    }
    for (let k = 0; k < levels; k++) {
      const up = this.ups[k].forward(h);
      h = this.decoders[k].forward(cat([skips[levels - 1 - k], up], 1));
    }
    return this.head.forward(h);
  }
}
