// Pooling layers (PyTorch's MaxPool2d, AvgPool2d, AdaptiveAvgPool2d): stride defaults to the kernel size.
import { adaptiveAvgPool2d, avgPool2d, maxPool2d, type AvgPool2dOptions, type MaxPool2dOptions } from '../ops/pool.js';
import type { Pair } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

const str = (v: Pair) => (Array.isArray(v) ? v.join('x') : `${v}x${v}`);

export class MaxPool2d extends Module {
  constructor(readonly kernelSize: Pair, readonly options: Omit<MaxPool2dOptions, 'name'> = {}) {
    super();
  }
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, { ...this.options, name: `MaxPool2d(${str(this.kernelSize)})` });
  }
}

export class AvgPool2d extends Module {
  constructor(readonly kernelSize: Pair, readonly options: Omit<AvgPool2dOptions, 'name'> = {}) {
    super();
  }
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, { ...this.options, name: `AvgPool2d(${str(this.kernelSize)})` });
  }
}

export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: Pair) {
    super();
  }
  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize, { name: `AdaptiveAvgPool2d(${str(this.outputSize)})` });
  }
}
