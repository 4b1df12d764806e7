// A DenseNet-style network for 1x28x28 digits (Huang et al. 2017, "Densely Connected Convolutional
// Networks"): inside a dense block every layer sees the concatenation of all earlier feature maps and adds
// `growth` new channels (BN → ReLU → 3x3 conv); between blocks a transition (BN → ReLU → 1x1 conv → 2x2
// average pool) halves the channels and the resolution. Global average pooling and a linear classifier.
import { Conv2d } from '../nn/conv.js';
import { Linear } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { BatchNorm2d } from '../nn/norm.js';
import { AvgPool2d } from '../nn/pool.js';
import { cat } from '../ops/movement.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptions, POSITIVE_INT } from '../core/options.js';

/** BN → ReLU → 3x3 conv of `growth` channels, concatenated to its input. */
export class DenseLayer extends Module {
  bn: BatchNorm2d;
  conv: Conv2d;
  constructor(inChannels: number, growth: number) {
    super();
    this.bn = new BatchNorm2d(inChannels);
    this.conv = new Conv2d(inChannels, growth, 3, { padding: 1, bias: false });
  }
  forward(x: Tensor): Tensor {
    return cat([x, this.conv.forward(this.bn.forward(x).relu())], 1);
  }
}

/** `layers` dense layers: in channels → in + layers·growth. */
export class DenseBlock extends Module {
  layers: DenseLayer[];
  constructor(inChannels: number, layers: number, growth: number) {
    super();
    this.layers = Array.from({ length: layers }, (_, i) => new DenseLayer(inChannels + i * growth, growth));
  }
  forward(x: Tensor): Tensor {
    for (const layer of this.layers) x = layer.forward(x);
    return x;
  }
}

/** BN → ReLU → 1x1 conv → 2x2 average pool (stride 2). */
export class Transition extends Module {
  bn: BatchNorm2d;
  conv: Conv2d;
  pool: AvgPool2d;
  constructor(inChannels: number, outChannels: number) {
    super();
    this.bn = new BatchNorm2d(inChannels);
    this.conv = new Conv2d(inChannels, outChannels, 1, { bias: false });
    this.pool = new AvgPool2d(2);
  }
  forward(x: Tensor): Tensor {
    return this.pool.forward(this.conv.forward(this.bn.forward(x).relu()));
  }
}

export interface DenseNetOptions {
  /** Channels each dense layer adds (default 12). */
  growth?: number;
  /** Dense layers per block, three blocks (default 4). */
  layers?: number;
  /** Stem channels (default 2·growth). */
  stem?: number;
  /** Stride of the 3x3 stem (default 1; 2 runs the first block at 14x14 for 28x28 digits). */
  stemStride?: number;
  inChannels?: number;
  classes?: number;
}

export class DenseNet extends Module {
  stem: Conv2d;
  blocks: DenseBlock[];
  transitions: Transition[];
  bn: BatchNorm2d;
  fc: Linear;
  constructor(options: DenseNetOptions = {}) {
    super();
    checkOptions('DenseNet', options, { growth: POSITIVE_INT, layers: POSITIVE_INT, stem: POSITIVE_INT, stemStride: POSITIVE_INT, inChannels: POSITIVE_INT, classes: POSITIVE_INT });
    const growth = options.growth ?? 12;
    const layers = options.layers ?? 4;
    let c = options.stem ?? 2 * growth;
    this.stem = new Conv2d(options.inChannels ?? 1, c, 3, { stride: options.stemStride ?? 1, padding: 1, bias: false });
    this.blocks = [];
    this.transitions = [];
    for (let b = 0; b < 3; b++) {
      this.blocks.push(new DenseBlock(c, layers, growth));
      c += layers * growth;
      if (b < 2) {
        // compression 0.5 (DenseNet-BC's θ)
        this.transitions.push(new Transition(c, Math.floor(c / 2)));
        c = Math.floor(c / 2);
      }
    }
    this.bn = new BatchNorm2d(c);
    this.fc = new Linear(c, options.classes ?? 10);
  }
  forward(x: Tensor): Tensor {
    let h = this.stem.forward(x);
    this.blocks.forEach((block, i) => {
      h = block.forward(h);
      if (i < this.transitions.length) h = this.transitions[i].forward(h);
    });
    return this.fc.forward(this.bn.forward(h).relu().mean([2, 3]));
  }
}
