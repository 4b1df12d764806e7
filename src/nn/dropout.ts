// Dropout: off in eval mode. Each training forward draws the next seed of the module's own stream
// (seed option, else a per-instance default), so a run is reproducible; the seed travels as a tensor.
// The position in the stream is module state: an int32 buffer "calls" (the training forwards so far),
// non-persistent (not in stateDict(): PyTorch's Dropout has no state) but in runState() and so in
// checkpoints, so a resumed run draws the masks an uninterrupted one would (counted in f32 on the GPU:
// exact for 2^24 training forwards per module).
// The seed of call k is derived on the GPU from the buffer (hash of the module seed and k), and the
// incremented counter is realized with the optimizer step, like BatchNorm's running statistics.
import { realizeWithStep } from '../graph/autograd.js';
import { DROPOUT_SEED_MASK, dropout } from '../ops/dropout.js';
import { elementwise } from '../ops/record.js';
import { deriveSeed } from '../core/random.js';
import { ValueError } from '../core/errors.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';
import { checkOptions, SEED } from '../core/options.js';

let instances = 0;
/** PyTorch's Dropout has no state: "calls" is a non-persistent buffer (runState(), which checkpoints keep). */
const NOT_IN_STATE_DICT = { persistent: false };

export class Dropout extends Module {
  readonly seed: number;
  constructor(readonly p = 0.5, options: { seed?: number } = {}) {
    super();
    checkOptions('Dropout', options, { seed: SEED });
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ValueError(`Dropout: probability must be in [0, 1], got ${p}`);
    this.seed = (options.seed ?? deriveSeed(0xd20, instances++)) >>> 0;
    this.registerBuffer('calls', tensor(Int32Array.of(0), [1]), NOT_IN_STATE_DICT);
  }

  /** The training forwards so far, as a 1-element int32 tensor (the "calls" buffer). */
  get calls(): Tensor {
    return this.buffers.get('calls')!;
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    const calls = this.calls;
    // 24 random bits of hash(seed, k): a seed below DROPOUT_SEED_MASK + 1, exact in f32
    const seed = elementwise(`floor(hash_uniform(${this.seed}u, u32($0)) * ${DROPOUT_SEED_MASK + 1}.0)`, [calls], [1]);
    const next = elementwise('$0 + 1.0', [calls], [1], 'int32');
    this.registerBuffer('calls', next, NOT_IN_STATE_DICT);
    realizeWithStep(next);
    return dropout(x, this.p, { training: true, seed });
  }
}

let streams = 0;

/**
 * Dropout for layers whose PyTorch twins hold the probability as a number rather than an nn.Dropout
 * (MultiheadAttention's attention dropout, the transformer layers' residual dropouts): each training call
 * draws the next seed of its own seeded stream. The position is counted here, not in a buffer, so it adds
 * nothing to state dicts (a resumed run restarts the stream).
 */
export class DropoutStream {
  private calls = 0;
  readonly seed: number;
  constructor(seed?: number) {
    this.seed = (seed ?? deriveSeed(0xd21, streams++)) >>> 0;
  }
  /** x with dropout p when `training` (the identity otherwise, or for p = 0). */
  apply(x: Tensor, p: number, training: boolean): Tensor {
    if (!training || p === 0) return x;
    return dropout(x, p, { training: true, seed: deriveSeed(this.seed, this.calls++) & DROPOUT_SEED_MASK });
  }
}
