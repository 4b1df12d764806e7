// Basic layers. Defaults follow PyTorch (weights [out, in], Kaiming-uniform with a = √5, bias U(±1/√fan_in)).
import { ShapeError } from '../core/errors.js';
import { shapeStr } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import * as F from './functional.js';
import { kaimingUniform, uniform } from './init.js';
import { Module, Parameter } from './module.js';
import { checkNumber, checkOptions, SEED } from '../core/options.js';

export interface LinearOptions {
  bias?: boolean;
  seed?: number;
}

export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    const name = `Linear(${inFeatures}, ${outFeatures})`;
    checkOptions(name, options, { bias: 'boolean', seed: SEED });
    checkNumber(name, 'inFeatures', inFeatures, { min: 0, integer: true });
    checkNumber(name, 'outFeatures', outFeatures, { min: 0, integer: true });
    const seed = options.seed;
    this.weight = new Parameter(kaimingUniform([outFeatures, inFeatures], { a: Math.sqrt(5), seed }));
    const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
    this.bias = options.bias === false ? null : new Parameter(uniform([outFeatures], -bound, bound, { seed: seed === undefined ? undefined : seed + 1 }));
  }
  forward(x: Tensor): Tensor {
    if (x.shape[x.rank - 1] !== this.inFeatures)
      throw new ShapeError(`Linear(${this.inFeatures}, ${this.outFeatures}): input's last dimension must be ${this.inFeatures}, got shape ${shapeStr(x.shape)}`);
    return F.linear(x, this.masked('weight', this.weight), this.bias);
  }
}

export class Sequential extends Module {
  readonly layers: Module[];
  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
  }
  /** PyTorch names Sequential children by index: "0.weight", "2.bias". */
  override namedChildren(): [string, Module][] {
    return this.layers.map((m, i) => [String(i), m]);
  }
  forward(x: Tensor): Tensor {
    return this.layers.reduce((h, layer) => layer.forward(h), x);
  }
}

/** Flattens dimensions startDim..endDim into one (PyTorch's nn.Flatten: by default all but the batch dimension). */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
    checkNumber('Flatten', 'startDim', startDim, { integer: true });
    checkNumber('Flatten', 'endDim', endDim, { integer: true });
  }
  forward(x: Tensor) { return x.flatten(this.startDim, this.endDim); }
}

/** A module from a function of one tensor (activations). */
abstract class Activation extends Module {}

export class ReLU extends Activation { forward(x: Tensor) { return x.relu(); } }
export class Sigmoid extends Activation { forward(x: Tensor) { return x.sigmoid(); } }
export class Tanh extends Activation { forward(x: Tensor) { return x.tanh(); } }
export class Identity extends Activation { forward(x: Tensor) { return x; } }
export class LeakyReLU extends Activation {
  constructor(readonly negativeSlope = 0.01) {
    super();
    checkNumber('LeakyReLU', 'negativeSlope', negativeSlope);
  }
  forward(x: Tensor) { return x.leakyRelu(this.negativeSlope); }
}
export class Softmax extends Activation {
  constructor(readonly dim = -1) {
    super();
    checkNumber('Softmax', 'dim', dim, { integer: true });
  }
  forward(x: Tensor) { return x.softmax(this.dim); }
}
export class LogSoftmax extends Activation {
  constructor(readonly dim = -1) {
    super();
    checkNumber('LogSoftmax', 'dim', dim, { integer: true });
  }
  forward(x: Tensor) { return x.logSoftmax(this.dim); }
}
