// SGD (momentum, Nesterov, weight decay), Adam and AdamW, with PyTorch's defaults and update rules.
import type { Hyper, UpdateRule } from '../ops/optim.js';
import type { Parameter } from '../nn/module.js';
import { ValueError } from '../core/errors.js';
import { checkBoolean, checkNumber, checkOptionKeys } from '../core/options.js';
import { Optimizer } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

export class SGD extends Optimizer {
  #momentum = 0;
  #dampening = 0;
  #weightDecay = 0;
  nesterov: boolean;
  constructor(params: Iterable<Parameter>, options: SGDOptions) {
    checkOptionKeys('SGD', options, ['lr', 'momentum', 'dampening', 'nesterov', 'weightDecay']);
    if (options?.lr === undefined) throw new ValueError('SGD: options.lr is required (PyTorch has no default either)');
    super(params, options.lr);
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.nesterov = checkBoolean('SGD', 'nesterov', options.nesterov ?? false);
    this.weightDecay = options.weightDecay ?? 0;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) throw new ValueError('SGD: nesterov needs momentum > 0 and dampening 0');
  }
  // hyper-parameters are checked whenever they are set, not only here
  get momentum(): number {
    return this.#momentum;
  }
  set momentum(v: number) {
    this.#momentum = checkNumber('SGD', 'momentum', v, { min: 0 });
  }
  get dampening(): number {
    return this.#dampening;
  }
  set dampening(v: number) {
    this.#dampening = checkNumber('SGD', 'dampening', v, { min: 0, max: 1 });
  }
  get weightDecay(): number {
    return this.#weightDecay;
  }
  set weightDecay(v: number) {
    this.#weightDecay = checkNumber('SGD', 'weightDecay', v, { min: 0 });
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
  #betas: [number, number] = [0.9, 0.999];
  #eps = 1e-8;
  #weightDecay = 0;
  constructor(params: Iterable<Parameter>, options: AdamOptions = {}) {
    checkOptionKeys(new.target.name, options, ['lr', 'betas', 'eps', 'weightDecay']);
    super(params, options.lr ?? 1e-3);
    this.betas = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? this.defaultWeightDecay();
  }
  // hyper-parameters are checked whenever they are set, not only here
  get betas(): [number, number] {
    return this.#betas;
  }
  set betas(v: [number, number]) {
    const name = this.constructor.name;
    if (!Array.isArray(v) || v.length !== 2) throw new ValueError(`${name}: betas must be a pair [beta1, beta2], got ${JSON.stringify(v)}`);
    this.#betas = [checkNumber(name, 'betas[0]', v[0], { min: 0, max: 1, belowMax: true }), checkNumber(name, 'betas[1]', v[1], { min: 0, max: 1, belowMax: true })];
  }
  get eps(): number {
    return this.#eps;
  }
  set eps(v: number) {
    this.#eps = checkNumber(this.constructor.name, 'eps', v, { min: 0 });
  }
  get weightDecay(): number {
    return this.#weightDecay;
  }
  set weightDecay(v: number) {
    this.#weightDecay = checkNumber(this.constructor.name, 'weightDecay', v, { min: 0 });
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
