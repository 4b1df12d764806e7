// Normalization layers: BatchNorm1d / BatchNorm2d and LayerNorm. BatchNorm's running statistics are module
// buffers ("running_mean", "running_var", "num_batches_tracked", as in PyTorch's state dicts); each training forward replaces them
// by the new lazy tensors and hands those to realizeWithStep, so the optimizer step computes them in its one submit.
import { realizeWithStep } from '../graph/autograd.js';
import { elementwise } from '../ops/record.js';
import { batchNormWithStats, groupNorm, layerNorm } from '../ops/norm.js';
import { ShapeError, ValueError } from '../core/errors.js';
import { tensor } from '../tensor/creation.js';
import { shapeStr } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { ones, zeros } from './init.js';
import { Module, Parameter } from './module.js';
import { checkNumber, checkOptions, POSITIVE_INT, UNIT_INTERVAL } from '../core/options.js';

export interface BatchNormOptions {
  eps?: number;
  momentum?: number;
  affine?: boolean;
  trackRunningStats?: boolean;
}

abstract class BatchNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly eps: number;
  readonly momentum: number;
  readonly trackRunningStats: boolean;
  protected abstract readonly ranks: number[];
  protected abstract readonly kind: string;

  constructor(readonly numFeatures: number, options: BatchNormOptions = {}) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 1) throw new ValueError(`BatchNorm: numFeatures must be a positive integer, got ${numFeatures}`);
    checkOptions('BatchNorm', options, { eps: { min: 0 }, momentum: UNIT_INTERVAL, affine: 'boolean', trackRunningStats: 'boolean' });
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    this.trackRunningStats = options.trackRunningStats ?? true;
    const affine = options.affine ?? true;
    this.weight = affine ? new Parameter(tensor(new Float32Array(numFeatures).fill(1))) : null;
    this.bias = affine ? new Parameter(tensor(new Float32Array(numFeatures))) : null;
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', tensor(new Float32Array(numFeatures)));
      this.registerBuffer('running_var', tensor(new Float32Array(numFeatures).fill(1)));
      this.registerBuffer('num_batches_tracked', tensor(Int32Array.of(0), []));
    }
  }

  get runningMean(): Tensor | null {
    return this.buffers.get('running_mean') ?? null;
  }
  get runningVar(): Tensor | null {
    return this.buffers.get('running_var') ?? null;
  }

  forward(x: Tensor): Tensor {
    const name = `${this.kind}(${this.numFeatures})`;
    if (!this.ranks.includes(x.rank)) throw new ShapeError(`${name}: input must be ${this.ranks.map((r) => `${r}-D`).join(' or ')}, got shape ${shapeStr(x.shape)}`);
    if (x.shape[1] !== this.numFeatures) throw new ShapeError(`${name}: expected ${this.numFeatures} channels (dimension 1), got input of shape ${shapeStr(x.shape)}`);
    const useBatchStats = this.training || !this.trackRunningStats;
    const r = batchNormWithStats(x, this.runningMean, this.runningVar, { weight: this.weight, bias: this.bias, training: useBatchStats, momentum: this.momentum, eps: this.eps, name });
    if (this.training && this.trackRunningStats) {
      this.registerBuffer('running_mean', r.runningMean!);
      this.registerBuffer('running_var', r.runningVar!);
      // PyTorch's count of training batches (int64 there; int32 here, exact in the f32 add below to 2^24)
      const tracked = elementwise('$0 + 1.0', [this.buffers.get('num_batches_tracked')!], [], 'int32');
      this.registerBuffer('num_batches_tracked', tracked);
      realizeWithStep(r.runningMean!);
      realizeWithStep(r.runningVar!);
      realizeWithStep(tracked);
    }
    return r.output;
  }
}

/** Over [N, C] or [N, C, L]. */
export class BatchNorm1d extends BatchNorm {
  protected readonly ranks = [2, 3];
  protected readonly kind = 'BatchNorm1d';
}

/** Over [N, C, H, W]. */
export class BatchNorm2d extends BatchNorm {
  protected readonly ranks = [4];
  protected readonly kind = 'BatchNorm2d';
}

/** Over the last dimensions `normalizedShape` of the input (PyTorch's nn.LayerNorm). */
export class LayerNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly normalizedShape: number[];
  constructor(
    normalizedShape: number | number[],
    readonly options: { eps?: number; elementwiseAffine?: boolean } = {},
  ) {
    super();
    checkOptions('LayerNorm', options, { eps: { min: 0 }, elementwiseAffine: 'boolean' });
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : Array.isArray(normalizedShape) ? [...normalizedShape] : [];
    if (this.normalizedShape.length === 0) throw new ValueError(`LayerNorm: normalizedShape must be a positive integer or a non-empty array of them, got ${JSON.stringify(normalizedShape)}`);
    this.normalizedShape.forEach((d, i) => checkNumber('LayerNorm', `normalizedShape[${i}]`, d, POSITIVE_INT));
    const affine = options.elementwiseAffine ?? true;
    this.weight = affine ? new Parameter(ones(this.normalizedShape)) : null;
    this.bias = affine ? new Parameter(zeros(this.normalizedShape)) : null;
  }
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.options.eps ?? 1e-5);
  }
}

/** PyTorch's nn.GroupNorm(num_groups, num_channels, eps, affine): weight ones and bias zeros, [numChannels]. */
export class GroupNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  constructor(
    readonly numGroups: number,
    readonly numChannels: number,
    readonly options: { eps?: number; affine?: boolean } = {},
  ) {
    super();
    checkOptions('GroupNorm', options, { eps: { min: 0 }, affine: 'boolean' });
    if (!Number.isInteger(numChannels) || numChannels < 1) throw new ValueError(`GroupNorm: numChannels must be a positive integer, got ${numChannels}`);
    if (!Number.isInteger(numGroups) || numGroups < 1 || numChannels % numGroups !== 0)
      throw new ValueError(`GroupNorm: numGroups must be a positive integer dividing numChannels (${numChannels}), got ${numGroups}`);
    const affine = options.affine ?? true;
    this.weight = affine ? new Parameter(ones([numChannels])) : null;
    this.bias = affine ? new Parameter(zeros([numChannels])) : null;
  }
  forward(x: Tensor): Tensor {
    return groupNorm(x, this.numGroups, this.weight, this.bias, this.options.eps ?? 1e-5);
  }
}
