// A VGG-style stack for 1x28x28 digits (Simonyan & Zisserman 2015): stages of 3x3 convolutions
// (conv → BN → ReLU, `convs` per stage) each closed by a 2x2 max pool (28 → 14 → 7 → 3), then a
// classifier of two linear layers with dropout, as VGG's (scaled down).
import { Conv2d } from '../nn/conv.js';
import { Dropout } from '../nn/dropout.js';
import { Flatten, Linear, ReLU, Sequential } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { BatchNorm2d } from '../nn/norm.js';
import { MaxPool2d } from '../nn/pool.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptions, listOf, POSITIVE_INT, UNIT_INTERVAL } from '../core/options.js';

export interface VGGOptions {
  /** Channels of each stage (default [16, 32, 64]). */
  widths?: number[];
  /** 3x3 convolutions per stage (default 2). */
  convs?: number;
  /** Width of the hidden classifier layer (default 128). */
  hidden?: number;
  dropout?: number;
  inChannels?: number;
  classes?: number;
  /** Input height and width (default 28), for the classifier's input size. */
  imageSize?: number;
}

export class VGG extends Module {
  features: Sequential;
  classifier: Sequential;
  constructor(options: VGGOptions = {}) {
    super();
    checkOptions('VGG', options, {
      widths: listOf(POSITIVE_INT), convs: POSITIVE_INT, hidden: POSITIVE_INT, dropout: UNIT_INTERVAL, inChannels: POSITIVE_INT, classes: POSITIVE_INT, imageSize: POSITIVE_INT,
    });
    const widths = options.widths ?? [16, 32, 64];
    const convs = options.convs ?? 2;
    const layers: Module[] = [];
    let c = options.inChannels ?? 1;
    let size = options.imageSize ?? 28;
    for (const w of widths) {
      for (let i = 0; i < convs; i++) {
        layers.push(new Conv2d(c, w, 3, { padding: 1, bias: false }), new BatchNorm2d(w), new ReLU());
        c = w;
      }
      layers.push(new MaxPool2d(2));
      size = Math.floor(size / 2);
    }
    this.features = new Sequential(...layers);
    const hidden = options.hidden ?? 128;
    this.classifier = new Sequential(
      new Flatten(), new Linear(c * size * size, hidden), new ReLU(), new Dropout(options.dropout ?? 0.5), new Linear(hidden, options.classes ?? 10),
    );
  }
  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.features.forward(x));
  }
}
