// Dropout: off in eval mode. Each training forward draws the next seed of the module's own stream
// (seed option, else a per-instance default), so a run is reproducible; the seed travels as a tensor.
import { deriveSeed } from '../data/random.js';
import { DROPOUT_SEED_MASK, dropout } from '../ops/dropout.js';
import { ValueError } from '../runtime/errors.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

let instances = 0;

export class Dropout extends Module {
  private calls = 0;
  readonly seed: number;
  constructor(readonly p = 0.5, options: { seed?: number } = {}) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ValueError(`Dropout: probability must be in [0, 1], got ${p}`);
    this.seed = options.seed ?? deriveSeed(0xd20, instances++);
  }
  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    const s = deriveSeed(this.seed, this.calls++) & DROPOUT_SEED_MASK;
    return dropout(x, this.p, { training: true, seed: tensor([s]) });
  }
}
