// SGD (momentum, Nesterov, weight decay), Adam and AdamW, with PyTorch's defaults and update rules.
import type { Hyper, UpdateRule } from '../ops/optim.js';
import type { Parameter } from '../nn/module.js';
import { ValueError } from '../core/errors.js';
import { Optimizer } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

export class SGD extends Optimizer {
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  constructor(params: Iterable<Parameter>, options: SGDOptions) {
    super(params, options.lr);
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.nesterov = options.nesterov ?? false;
    this.weightDecay = options.weightDecay ?? 0;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) throw new ValueError('SGD: nesterov needs momentum > 0 and dampening 0');
  }
  protected rule(): UpdateRule {
    return this.momentum === 0 ? 'sgd' : this.nesterov ? 'sgdNesterov' : 'sgdMomentum';
  }
  protected hyper(): Hyper {
    return { lr: this.lr, momentum: this.momentum, dampening: this.dampening, weightDecay: this.weightDecay, firstStep: this.stepCount === 1 };
  }
}

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

export class Adam extends Optimizer {
  betas: [number, number];
  eps: number;
  weightDecay: number;
  constructor(params: Iterable<Parameter>, options: AdamOptions = {}) {
    super(params, options.lr ?? 1e-3);
    this.betas = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? this.defaultWeightDecay();
    for (const b of this.betas) if (!(b >= 0 && b < 1)) throw new ValueError(`${this.constructor.name}: betas must be in [0, 1), got [${this.betas}]`);
  }
  protected defaultWeightDecay(): number {
    return 0;
  }
  protected rule(): UpdateRule {
    return 'adam';
  }
  protected hyper(): Hyper {
    const [b1, b2] = this.betas;
    const t = this.stepCount;
    return { lr: this.lr, beta1: b1, beta2: b2, eps: this.eps, weightDecay: this.weightDecay, biasCorrection1: 1 - b1 ** t, biasCorrection2: 1 - b2 ** t };
  }
}

/** Adam with decoupled weight decay (default 0.01, as PyTorch). */
export class AdamW extends Adam {
  protected override defaultWeightDecay(): number {
    return 0.01;
  }
  protected override rule(): UpdateRule {
    return 'adamw';
  }
}
