// LeNet-5 for 1x28x28 digits (the classic layout with ReLU and max pooling): conv 5x5 (pad 2) 6 → pool →
// conv 5x5 16 → pool → 400 → 120 → 84 → 10.
import { Conv2d } from '../nn/conv.js';
import { Flatten, Linear, ReLU, Sequential } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { MaxPool2d } from '../nn/pool.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptions, POSITIVE_INT } from '../core/options.js';

export class LeNet extends Module {
  readonly features: Sequential;
  readonly classifier: Sequential;
  constructor(options: { classes?: number; inChannels?: number } = {}) {
    super();
    checkOptions('LeNet', options, { classes: POSITIVE_INT, inChannels: POSITIVE_INT });
    this.features = new Sequential(
      new Conv2d(options.inChannels ?? 1, 6, 5, { padding: 2 }), new ReLU(), new MaxPool2d(2),
      new Conv2d(6, 16, 5), new ReLU(), new MaxPool2d(2),
    );
    this.classifier = new Sequential(new Flatten(), new Linear(16 * 5 * 5, 120), new ReLU(), new Linear(120, 84), new ReLU(), new Linear(84, options.classes ?? 10));
  }
  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.features.forward(x));
  }
}
