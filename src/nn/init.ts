// Weight initialisation schemes (PyTorch's nn.init), as functions returning a fresh seeded tensor.
import { ValueError } from '../core/errors.js';
import { full, rand, randn } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptions, SEED } from '../core/options.js';

export interface InitOptions {
  seed?: number;
}

/** fan_in and fan_out of a weight of shape [out, in, ...kernel] (PyTorch's _calculate_fan_in_and_fan_out). */
export function fans(shape: number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) throw new ValueError(`init: fan in/out needs a tensor of at least 2 dimensions, got shape [${shape}]`);
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

export type Nonlinearity = 'linear' | 'relu' | 'leaky_relu' | 'tanh' | 'sigmoid';

export function gain(nonlinearity: Nonlinearity, param = 0.01): number {
  switch (nonlinearity) {
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu':
      return Math.sqrt(2 / (1 + param * param));
    case 'tanh':
      return 5 / 3;
    default:
      return 1;
  }
}

const NONLINEARITIES: readonly Nonlinearity[] = ['linear', 'relu', 'leaky_relu', 'tanh', 'sigmoid'];
const SEED_ONLY = { seed: SEED } as const;
const XAVIER_OPTIONS = { seed: SEED, gain: {} } as const;
const KAIMING_OPTIONS = { seed: SEED, a: {}, mode: ['fanIn', 'fanOut'], nonlinearity: NONLINEARITIES } as const;

// low/high and mean/std are checked by rand/randn
export function uniform(shape: number[], low = 0, high = 1, o: InitOptions = {}): Tensor {
  checkOptions('init.uniform', o, SEED_ONLY);
  return rand(shape, { low, high, seed: o.seed });
}
export function normal(shape: number[], mean = 0, std = 1, o: InitOptions = {}): Tensor {
  checkOptions('init.normal', o, SEED_ONLY);
  return randn(shape, { mean, std, seed: o.seed });
}
export const zeros = (shape: number[]): Tensor => full(shape, 0);
export const ones = (shape: number[]): Tensor => full(shape, 1);

export function xavierUniform(shape: number[], o: InitOptions & { gain?: number } = {}): Tensor {
  checkOptions('init.xavierUniform', o, XAVIER_OPTIONS);
  const { fanIn, fanOut } = fans(shape);
  const bound = (o.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(shape, -bound, bound, { seed: o.seed });
}

export function xavierNormal(shape: number[], o: InitOptions & { gain?: number } = {}): Tensor {
  checkOptions('init.xavierNormal', o, XAVIER_OPTIONS);
  const { fanIn, fanOut } = fans(shape);
  return normal(shape, 0, (o.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut)), { seed: o.seed });
}

export interface KaimingOptions extends InitOptions {
  a?: number;
  mode?: 'fanIn' | 'fanOut';
  nonlinearity?: Nonlinearity;
}

export function kaimingUniform(shape: number[], o: KaimingOptions = {}): Tensor {
  checkOptions('init.kaimingUniform', o, KAIMING_OPTIONS);
  const f = fans(shape);
  const std = gain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0) / Math.sqrt(o.mode === 'fanOut' ? f.fanOut : f.fanIn);
  const bound = Math.sqrt(3) * std;
  return uniform(shape, -bound, bound, { seed: o.seed });
}

export function kaimingNormal(shape: number[], o: KaimingOptions = {}): Tensor {
  checkOptions('init.kaimingNormal', o, KAIMING_OPTIONS);
  const f = fans(shape);
  return normal(shape, 0, gain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0) / Math.sqrt(o.mode === 'fanOut' ? f.fanOut : f.fanIn), { seed: o.seed });
}
