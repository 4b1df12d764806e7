// Pooling layers (PyTorch's MaxPool2d, AvgPool2d, AdaptiveAvgPool2d): stride defaults to the kernel size.
// Kernel size, stride, padding, dilation and the option keys are checked at construction by the ops' own rule.
import { adaptiveAvgPool2d, avgPool2d, checkOutputSize, checkPoolWindow, maxPool2d, type AvgPool2dOptions, type MaxPool2dOptions } from '../ops/pool.js';
import type { Pair } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

const str = (v: Pair) => (Array.isArray(v) ? v.join('x') : `${v}x${v}`);

/** MaxPool2d and AvgPool2d: a window checked at construction by the op's own rule, then the op with the layer's name. */
abstract class WindowPool2d<O extends MaxPool2dOptions | AvgPool2dOptions> extends Module {
  readonly name: string;
  constructor(kind: 'maxPool2d' | 'avgPool2d', readonly kernelSize: Pair, readonly options: Omit<O, 'name'>) {
    super();
    this.name = `${kind === 'maxPool2d' ? 'MaxPool2d' : 'AvgPool2d'}(${str(kernelSize)})`;
    checkPoolWindow(kind, this.name, kernelSize, options);
  }
}

export class MaxPool2d extends WindowPool2d<MaxPool2dOptions> {
  constructor(kernelSize: Pair, options: Omit<MaxPool2dOptions, 'name'> = {}) {
    super('maxPool2d', kernelSize, options);
  }
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, { ...this.options, name: this.name });
  }
}

export class AvgPool2d extends WindowPool2d<AvgPool2dOptions> {
  constructor(kernelSize: Pair, options: Omit<AvgPool2dOptions, 'name'> = {}) {
    super('avgPool2d', kernelSize, options);
  }
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, { ...this.options, name: this.name });
  }
}

export class AdaptiveAvgPool2d extends Module {
  readonly name: string;
  constructor(readonly outputSize: Pair) {
    super();
    this.name = `AdaptiveAvgPool2d(${str(outputSize)})`;
    checkOutputSize(this.name, outputSize);
  }
  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize, { name: this.name });
  }
}
