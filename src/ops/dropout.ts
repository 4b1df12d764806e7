// Dropout with a counter-based GPU RNG: element i is kept when hash_uniform(seed, i) >= p and scaled by
// 1/(1-p). The seed is an input tensor (not a constant), so the plan stays the same from step to step;
// the same seed gives the same mask, and the gradient recomputes it instead of storing it.
import { checkNumber, checkOptions, UNIT_INTERVAL } from '../core/options.js';
import { ndMap, type Nd } from '../core/nd.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { f32Literal } from '../kernels/wgsl.js';
import { elementwise, withGrad } from './record.js';
import { primitive, type OutputSpec, type TensorMeta } from './op.js';

/** Seeds are reduced to 24 bits: they travel as f32, exact below 2^24. */
export const DROPOUT_SEED_MASK = 0xffffff;

export interface DropoutOptions {
  /** Default true (as F.dropout); modules pass their mode. */
  training?: boolean;
  /** A number, or a 1-element tensor holding it (a fresh value per step keeps the plan cached). */
  seed?: number | Tensor;
}

// The hash of shaders/elementwise.wgsl as documented there (PCG's output permutation, O'Neill 2014, as
// "Hash Functions for GPU Rendering", Jarzynski & Olano 2020), in uint32 arithmetic on JS numbers.
function pcgHash(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul((state >>> ((state >>> 28) + 4)) ^ state, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}
/** 24 random bits of hash(hash(seed) ^ index) as a uniform number in [0, 1). */
export function hashUniform(seed: number, index: number): number {
  return (pcgHash((pcgHash(seed) ^ index) >>> 0) >>> 8) / 16777216;
}

export const DROPOUT_OPS = {
  dropout: primitive({
    doc: 'training-mode dropout (F.dropout): element i kept when hash_uniform(seed, i) >= p, scaled by 1/(1-p)',
    shape: (x: TensorMeta, p: number): OutputSpec => {
      checkNumber('dropout', 'probability', p, UNIT_INTERVAL);
      return { shape: [...x.shape], dtype: 'float32' };
    },
    kernel: { module: 'kernels/elementwise.ts', variants: 'one kernel per fused group (graph/plan.ts)' },
    /** The masked, scaled x: $0 is x, $1 the seed (a tensor, so the plan does not change with it). */
    exprFor: (p: number): string => `select(0.0, $0 * ${f32Literal(1 / (1 - p))}, hash_uniform(u32($1), $idx) >= ${f32Literal(p)})`,
    /** The same mask applied to g (recomputed from the seed, not stored). */
    grad: (g: Tensor, seed: Tensor, p: number): Tensor => mask(g, seed, p),
    reference: (x: Nd, seed: number, p: number): Nd => {
      let i = 0;
      return ndMap(x, (v) => (hashUniform(seed & DROPOUT_SEED_MASK, i++) >= p ? v / (1 - p) : 0));
    },
  }),
};

function mask(v: Tensor, seed: Tensor, p: number): Tensor {
  return elementwise(DROPOUT_OPS.dropout.exprFor(p), [v, seed], v.shape);
}

export function dropout(x: Tensor, p = 0.5, o: DropoutOptions = {}): Tensor {
  const def = DROPOUT_OPS.dropout;
  checkOptions('dropout', o, { training: 'boolean', seed: 'any' });
  def.shape(x, p);
  if (!(o.training ?? true) || p === 0) return x;
  if (p === 1) return x.mul(0);
  const s = o.seed ?? Math.floor(Math.random() * DROPOUT_SEED_MASK);
  const seed = (typeof s === 'number' ? tensor([s & DROPOUT_SEED_MASK]) : s).reshape([]);
  const y = mask(x.detach(), seed, p);
  return withGrad(y, 'dropout', [x], (g) => [def.grad(g, seed, p)]);
}
