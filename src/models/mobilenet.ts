// A MobileNet-style network for 1x28x28 digits (Howard et al. 2017, "MobileNets"): a strided 3x3 stem, then
// depthwise-separable blocks — a 3x3 depthwise conv (groups = channels, one filter per channel) and a 1x1
// pointwise conv that mixes channels, each followed by BatchNorm and ReLU — global average pooling and a
// linear classifier. A separable block costs C·9 + C·O multiply-adds per pixel against C·O·9 for a full 3x3
// conv: about 8x fewer at 64 channels.
import { Conv2d } from '../nn/conv.js';
import { Linear } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { BatchNorm2d } from '../nn/norm.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptions, listOf, POSITIVE_INT } from '../core/options.js';
import { ValueError } from '../core/errors.js';

/** depthwise 3x3 (stride s) → BN → ReLU → pointwise 1x1 → BN → ReLU. */
export class DepthwiseSeparableConv extends Module {
  depthwise: Conv2d;
  bn1: BatchNorm2d;
  pointwise: Conv2d;
  bn2: BatchNorm2d;
  constructor(inChannels: number, outChannels: number, stride = 1) {
    super();
    this.depthwise = new Conv2d(inChannels, inChannels, 3, { stride, padding: 1, groups: inChannels, bias: false });
    this.bn1 = new BatchNorm2d(inChannels);
    this.pointwise = new Conv2d(inChannels, outChannels, 1, { bias: false });
    this.bn2 = new BatchNorm2d(outChannels);
  }
  forward(x: Tensor): Tensor {
    const h = this.bn1.forward(this.depthwise.forward(x)).relu();
    return this.bn2.forward(this.pointwise.forward(h)).relu();
  }
}

export interface MobileNetOptions {
  /** Stem channels (default 16). */
  stem?: number;
  /** Output channels of each separable block (default [32, 64, 64, 128, 128]). */
  widths?: number[];
  /** Stride of the stem (default 2, MobileNet's: 28 → 14). */
  stemStride?: number;
  /** Stride of each block (default [1, 2, 1, 2, 1]: 14 → 7 → 4; all 1 when widths are given without strides). */
  strides?: number[];
  inChannels?: number;
  classes?: number;
}

export class MobileNet extends Module {
  stem: Conv2d;
  stemBn: BatchNorm2d;
  blocks: DepthwiseSeparableConv[];
  fc: Linear;
  constructor(options: MobileNetOptions = {}) {
    super();
    checkOptions('MobileNet', options, { stem: POSITIVE_INT, stemStride: POSITIVE_INT, widths: listOf(POSITIVE_INT), strides: listOf(POSITIVE_INT), inChannels: POSITIVE_INT, classes: POSITIVE_INT });
    const stem = options.stem ?? 16;
    const widths = options.widths ?? [32, 64, 64, 128, 128];
    const strides = options.strides ?? (options.widths ? widths.map(() => 1) : [1, 2, 1, 2, 1]);
    if (strides.length !== widths.length) throw new ValueError(`MobileNet: strides (${strides.length}) must give one stride per block of widths (${widths.length})`);
    this.stem = new Conv2d(options.inChannels ?? 1, stem, 3, { stride: options.stemStride ?? 2, padding: 1, bias: false });
    this.stemBn = new BatchNorm2d(stem);
    this.blocks = widths.map((w, i) => new DepthwiseSeparableConv(i === 0 ? stem : widths[i - 1], w, strides[i]));
    this.fc = new Linear(widths.length ? widths[widths.length - 1] : stem, options.classes ?? 10);
  }
  forward(x: Tensor): Tensor {
    let h = this.stemBn.forward(this.stem.forward(x)).relu();
    for (const block of this.blocks) h = block.forward(h);
    return this.fc.forward(h.mean([2, 3]));
  }
}
