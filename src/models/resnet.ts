// A small ResNet for 1x28x28 digits: a 3x3 stem, three stages of basic blocks (the first of each later
// stage halves the resolution and widens, with a 1x1 projection skip; the others have identity skips),
// global average pooling and a linear classifier.
import { Conv2d } from '../nn/conv.js';
import { Linear, Sequential } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { BatchNorm2d } from '../nn/norm.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptions, POSITIVE_INT, tupleOf } from '../core/options.js';

/** conv3x3-BN-ReLU-conv3x3-BN, plus the input (identity) or its 1x1 strided projection, then ReLU. */
export class BasicBlock extends Module {
  conv1: Conv2d;
  bn1: BatchNorm2d;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  /** Projection skip (1x1 conv + BN) when the shape changes, else null (identity). */
  shortcut: Sequential | null;
  constructor(inChannels: number, outChannels: number, stride = 1) {
    super();
    this.conv1 = new Conv2d(inChannels, outChannels, 3, { stride, padding: 1, bias: false });
    this.bn1 = new BatchNorm2d(outChannels);
    this.conv2 = new Conv2d(outChannels, outChannels, 3, { padding: 1, bias: false });
    this.bn2 = new BatchNorm2d(outChannels);
    this.shortcut =
      stride !== 1 || inChannels !== outChannels ? new Sequential(new Conv2d(inChannels, outChannels, 1, { stride, bias: false }), new BatchNorm2d(outChannels)) : null;
  }
  forward(x: Tensor): Tensor {
    const h = this.bn1.forward(this.conv1.forward(x)).relu();
    const y = this.bn2.forward(this.conv2.forward(h));
    return y.add(this.shortcut ? this.shortcut.forward(x) : x).relu();
  }
}

export interface ResNetOptions {
  /** Channels of the three stages (default [16, 32, 64]). */
  widths?: [number, number, number];
  /** Basic blocks per stage (default 1). */
  blocks?: number;
  inChannels?: number;
  classes?: number;
}

export class ResNet extends Module {
  stem: Conv2d;
  stemBn: BatchNorm2d;
  blocks: BasicBlock[];
  fc: Linear;
  constructor(options: ResNetOptions = {}) {
    super();
    checkOptions('ResNet', options, { widths: tupleOf(3, POSITIVE_INT), blocks: POSITIVE_INT, inChannels: POSITIVE_INT, classes: POSITIVE_INT });
    const [w1, w2, w3] = options.widths ?? [16, 32, 64];
    const per = options.blocks ?? 1;
    this.stem = new Conv2d(options.inChannels ?? 1, w1, 3, { padding: 1, bias: false });
    this.stemBn = new BatchNorm2d(w1);
    this.blocks = [];
    let inC = w1;
    for (const [width, stride] of [[w1, 1], [w2, 2], [w3, 2]] as const) {
      for (let b = 0; b < per; b++) {
        this.blocks.push(new BasicBlock(inC, width, b === 0 ? stride : 1));
        inC = width;
      }
    }
    this.fc = new Linear(w3, options.classes ?? 10);
  }
  forward(x: Tensor): Tensor {
    let h = this.stemBn.forward(this.stem.forward(x)).relu();
    for (const block of this.blocks) h = block.forward(h);
    return this.fc.forward(h.mean([2, 3]));
  }
}
