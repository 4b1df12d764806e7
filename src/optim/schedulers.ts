// Learning-rate schedules (PyTorch's lr_scheduler): call step() once per epoch or per iteration.
// They only change `optimizer.lr`, a uniform of the update kernel: no plan is rebuilt.
import { checkNumber, FUNCTION, checkValue, NON_NEGATIVE_INT, POSITIVE_INT, type NumberRule } from '../core/options.js';
import { ValueError } from '../core/errors.js';
import type { Optimizer } from './optimizer.js';

/** Each argument of a schedule checked at construction: `[name, value, rule]`, named after the class. */
function checkArgs(owner: string, args: Array<[string, unknown, NumberRule]>): void {
  for (const [name, value, rule] of args) checkNumber(owner, name, value, rule);
}

/**
 * The optimizer's lr before its first scheduler changed it (PyTorch's group['initial_lr']): every schedule
 * on the same optimizer counts from it, so a LinearLR warmup that lowers lr at construction does not lower
 * the base of the CosineAnnealingLR built after it (SequentialLR).
 */
const initialLr = new WeakMap<Optimizer, number>();

export abstract class LRScheduler {
  readonly baseLr: number;
  /** Number of scheduler steps taken. */
  lastEpoch = 0;
  constructor(readonly optimizer: Optimizer) {
    if (!initialLr.has(optimizer)) initialLr.set(optimizer, optimizer.lr);
    this.baseLr = initialLr.get(optimizer)!;
  }
  /** The learning rate after `epoch` scheduler steps. */
  abstract lrAt(epoch: number): number;
  step(): void {
    this.lastEpoch++;
    this.optimizer.lr = this.lrAt(this.lastEpoch);
  }
}

export class StepLR extends LRScheduler {
  constructor(optimizer: Optimizer, readonly stepSize: number, readonly gamma = 0.1) {
    checkArgs('StepLR', [['stepSize', stepSize, POSITIVE_INT], ['gamma', gamma, { min: 0 }]]);
    super(optimizer);
  }
  lrAt(e: number) {
    return this.baseLr * this.gamma ** Math.floor(e / this.stepSize);
  }
}

export class ExponentialLR extends LRScheduler {
  constructor(optimizer: Optimizer, readonly gamma: number) {
    checkArgs('ExponentialLR', [['gamma', gamma, { min: 0 }]]);
    super(optimizer);
  }
  lrAt(e: number) {
    return this.baseLr * this.gamma ** e;
  }
}

export class CosineAnnealingLR extends LRScheduler {
  constructor(optimizer: Optimizer, readonly tMax: number, readonly etaMin = 0) {
    checkArgs('CosineAnnealingLR', [['tMax', tMax, POSITIVE_INT], ['etaMin', etaMin, { min: 0 }]]);
    super(optimizer);
  }
  /** PyTorch's closed form: past tMax the cosine goes on, so the lr rises back to baseLr at 2·tMax, and so on. */
  lrAt(e: number) {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * e) / this.tMax))) / 2;
  }
}

/** Linear ramp of the factor from startFactor to endFactor over totalIters steps (a warmup when startFactor < 1). */
export class LinearLR extends LRScheduler {
  constructor(optimizer: Optimizer, readonly startFactor = 1 / 3, readonly endFactor = 1, readonly totalIters = 5) {
    // PyTorch's rules: 0 < startFactor <= 1, 0 <= endFactor <= 1
    checkArgs('LinearLR', [['startFactor', startFactor, { min: 0, aboveMin: true, max: 1 }], ['endFactor', endFactor, { min: 0, max: 1 }], ['totalIters', totalIters, POSITIVE_INT]]);
    super(optimizer);
    optimizer.lr = this.lrAt(0); // (set here: the base constructor runs before these fields exist)
  }
  lrAt(e: number) {
    const t = Math.min(e, this.totalIters);
    return this.baseLr * (this.startFactor + ((this.endFactor - this.startFactor) * t) / this.totalIters);
  }
}

/** Linear warmup over `warmupSteps`, then `after` (e.g. cosine) takes over, counted from the end of the warmup. */
export class WarmupLR extends LRScheduler {
  constructor(optimizer: Optimizer, readonly warmupSteps: number, readonly after?: (stepsAfterWarmup: number, baseLr: number) => number) {
    checkArgs('WarmupLR', [['warmupSteps', warmupSteps, NON_NEGATIVE_INT]]);
    if (after !== undefined) checkValue('WarmupLR', 'after', after, FUNCTION);
    super(optimizer);
    optimizer.lr = this.lrAt(0);
  }
  lrAt(e: number) {
    if (e < this.warmupSteps) return (this.baseLr * (e + 1)) / this.warmupSteps;
    return this.after ? this.after(e - this.warmupSteps, this.baseLr) : this.baseLr;
  }
}

/**
 * PyTorch's SequentialLR: schedulers[i] runs from milestones[i - 1] (counted from 0 there) to milestones[i],
 * e.g. a LinearLR warmup then CosineAnnealingLR. The schedulers must be built on the same optimizer.
 */
export class SequentialLR extends LRScheduler {
  constructor(optimizer: Optimizer, readonly schedulers: LRScheduler[], readonly milestones: number[]) {
    super(optimizer);
    if (!Array.isArray(schedulers) || schedulers.length === 0 || schedulers.some((s) => !(s instanceof LRScheduler)))
      throw new ValueError('SequentialLR: schedulers must be a non-empty array of LR schedulers');
    if (schedulers.some((s) => s.optimizer !== optimizer)) throw new ValueError('SequentialLR: every scheduler must be built on the same optimizer as SequentialLR');
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1)
      throw new ValueError(`SequentialLR: expected ${schedulers.length - 1} milestones (one fewer than the ${schedulers.length} schedulers), got ${Array.isArray(milestones) ? milestones.length : typeof milestones}`);
    milestones.forEach((m, i) => {
      checkNumber('SequentialLR', `milestones[${i}]`, m, POSITIVE_INT);
      if (i > 0 && m <= milestones[i - 1]) throw new ValueError(`SequentialLR: milestones must increase, got [${milestones.join(', ')}]`);
    });
    optimizer.lr = this.lrAt(0);
  }
  lrAt(e: number) {
    let i = 0;
    while (i < this.milestones.length && e >= this.milestones[i]) i++;
    return this.schedulers[i].lrAt(i === 0 ? e : e - this.milestones[i - 1]);
  }
}
