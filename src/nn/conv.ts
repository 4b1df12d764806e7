// Convolution layers. Defaults follow PyTorch: weight Kaiming-uniform with a = √5 (bound 1/√fan_in),
// bias U(±1/√fan_in), fan_in = in/groups * kH * kW (for ConvTranspose2d: out/groups * kH * kW).
import { CONV_OPTIONS, CONV_TRANSPOSE_OPTIONS, conv1d, conv2d, conv2dGeometry, convTranspose2d, convTranspose2dWindow, type Padding } from '../ops/conv.js';
import { checkOptions, SEED } from '../core/options.js';
import type { ConvVariant } from '../kernels/conv.js';
import { ShapeError, ValueError } from '../core/errors.js';
import { pair, shapeStr, type Pair } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { kaimingUniform, uniform } from './init.js';
import { Module, Parameter } from './module.js';

export interface ConvOptions {
  stride?: Pair;
  padding?: Padding;
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
  seed?: number;
  /** Forward kernel (default: chosen per shape). */
  variant?: ConvVariant;
}

function checkChannels(layer: string, inC: number, outC: number, groups: number, outDivides = true): void {
  for (const [what, v] of [['in channels', inC], ['out channels', outC], ['groups', groups]] as const)
    if (!Number.isInteger(v) || v < 1) throw new ValueError(`${layer}: ${what} must be a positive integer, got ${v}`);
  if (inC % groups !== 0) throw new ValueError(`${layer}: groups (${groups}) must divide in channels (${inC})`);
  if (outDivides && outC % groups !== 0) throw new ValueError(`${layer}: groups (${groups}) must divide out channels (${outC})`);
}

/** The layers' options: the op's, bias a boolean, seed an integer. */
const LAYER_OPTIONS = { bias: 'boolean', seed: SEED } as const;

function checkKernel(layer: string, kernel: number[]): void {
  if (kernel.some((k) => !Number.isInteger(k) || k < 1)) throw new ValueError(`${layer}: kernel size must be positive integers, got [${kernel}]`);
}

/**
 * Stride, padding, dilation and groups checked at construction by the op's own geometry rule (the one
 * forward() applies), on an input large enough for any kernel: a bad value fails here, not at the first batch.
 */
function checkHyper(layer: string, inChannels: number, weightShape: number[], o: { stride?: Pair; padding?: Padding; dilation?: Pair; groups?: number }): void {
  const big = 1 << 20;
  conv2dGeometry(layer, [1, inChannels, big, big], weightShape, o);
}

/** PyTorch's default init for a conv weight of `shape` (fan_in from shape[1] * kernel) and its bias. */
function initParams(shape: number[], bias: boolean, seed: number | undefined): [Parameter, Parameter | null] {
  const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
  const weight = new Parameter(kaimingUniform(shape, { a: Math.sqrt(5), seed }));
  const bound = 1 / Math.sqrt(fanIn);
  return [weight, bias ? new Parameter(uniform([shape[0]], -bound, bound, { seed: seed === undefined ? undefined : seed + 1 })) : null];
}

export class Conv2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: [number, number];
  readonly name: string;
  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, readonly options: ConvOptions = {}) {
    super();
    this.kernelSize = pair(kernelSize);
    const groups = options.groups ?? 1;
    this.name = `Conv2d(${inChannels}, ${outChannels}, kernel ${this.kernelSize.join('x')})`;
    checkOptions(this.name, options, { ...CONV_OPTIONS, ...LAYER_OPTIONS });
    checkKernel(this.name, this.kernelSize);
    checkChannels(this.name, inChannels, outChannels, groups);
    const { stride, padding, dilation } = options;
    checkHyper(this.name, inChannels, [outChannels, inChannels / groups, ...this.kernelSize], { stride, padding, dilation, groups });
    [this.weight, this.bias] = initParams([outChannels, inChannels / groups, ...this.kernelSize], options.bias ?? true, options.seed);
  }
  forward(x: Tensor): Tensor {
    if (x.rank !== 4) throw new ShapeError(`${this.name}: input must be 4-D [N, C, H, W], got shape ${shapeStr(x.shape)}`);
    const { stride, padding, dilation, groups, variant } = this.options;
    return conv2d(x, this.masked('weight', this.weight), this.bias, { stride, padding, dilation, groups, variant, name: this.name });
  }
}

export class Conv1d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly name: string;
  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: number, readonly options: { stride?: number; padding?: number | 'same' | 'valid'; dilation?: number; groups?: number; bias?: boolean; seed?: number; variant?: ConvVariant } = {}) {
    super();
    const groups = options.groups ?? 1;
    this.name = `Conv1d(${inChannels}, ${outChannels}, kernel ${kernelSize})`;
    checkOptions(this.name, options, { ...CONV_OPTIONS, ...LAYER_OPTIONS });
    checkKernel(this.name, [kernelSize]);
    checkChannels(this.name, inChannels, outChannels, groups);
    const p = options.padding ?? 0;
    checkHyper(this.name, inChannels, [outChannels, inChannels / groups, 1, kernelSize], {
      stride: [1, options.stride ?? 1], dilation: [1, options.dilation ?? 1], groups, padding: typeof p === 'number' ? [0, p] : p,
    });
    [this.weight, this.bias] = initParams([outChannels, inChannels / groups, kernelSize], options.bias ?? true, options.seed);
  }
  forward(x: Tensor): Tensor {
    const { stride, padding, dilation, groups, variant } = this.options;
    return conv1d(x, this.weight, this.bias, { stride, padding, dilation, groups, variant, name: this.name });
  }
}

export interface ConvTransposeOptions {
  stride?: Pair;
  padding?: Pair;
  outputPadding?: Pair;
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
  seed?: number;
}

export class ConvTranspose2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly name: string;
  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, readonly options: ConvTransposeOptions = {}) {
    super();
    const k = pair(kernelSize);
    const groups = options.groups ?? 1;
    this.name = `ConvTranspose2d(${inChannels}, ${outChannels}, kernel ${k.join('x')})`;
    checkOptions(this.name, options, { ...CONV_TRANSPOSE_OPTIONS, ...LAYER_OPTIONS });
    checkKernel(this.name, k);
    checkChannels(this.name, inChannels, outChannels, groups);
    const { stride, padding, outputPadding, dilation } = options;
    convTranspose2dWindow(this.name, { stride, padding, outputPadding, dilation, groups });
    // weight [in, out/groups, kH, kW]; PyTorch's fan_in for it is shape[1] * kernel, as for any conv weight
    const [w] = initParams([inChannels, outChannels / groups, ...k], false, options.seed);
    this.weight = w;
    const bound = 1 / Math.sqrt((outChannels / groups) * k[0] * k[1]);
    this.bias = options.bias === false ? null : new Parameter(uniform([outChannels], -bound, bound, { seed: options.seed === undefined ? undefined : options.seed + 1 }));
  }
  forward(x: Tensor): Tensor {
    if (x.rank !== 4) throw new ShapeError(`${this.name}: input must be 4-D [N, C, H, W], got shape ${shapeStr(x.shape)}`);
    const { stride, padding, outputPadding, dilation, groups } = this.options;
    return convTranspose2d(x, this.weight, this.bias, { stride, padding, outputPadding, dilation, groups, name: this.name });
  }
}
