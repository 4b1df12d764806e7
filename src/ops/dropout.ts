// Dropout with a counter-based GPU RNG: element i is kept when hash_uniform(seed, i) >= p and scaled by
// 1/(1-p). The seed is an input tensor (not a constant), so the plan stays the same from step to step;
// the same seed gives the same mask, and the gradient recomputes it instead of storing it.
import { ValueError } from '../core/errors.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { elementwise, f32Literal, withGrad } from './lower.js';

/** Seeds are reduced to 24 bits: they travel as f32, exact below 2^24. */
export const DROPOUT_SEED_MASK = 0xffffff;

export interface DropoutOptions {
  /** Default true (as F.dropout); modules pass their mode. */
  training?: boolean;
  /** A number, or a 1-element tensor holding it (a fresh value per step keeps the plan cached). */
  seed?: number | Tensor;
}

function mask(v: Tensor, seed: Tensor, p: number): Tensor {
  return elementwise(`select(0.0, $0 * ${f32Literal(1 / (1 - p))}, hash_uniform(u32($1), $idx) >= ${f32Literal(p)})`, [v, seed], v.shape);
}

export function dropout(x: Tensor, p = 0.5, o: DropoutOptions = {}): Tensor {
  if (!(p >= 0 && p <= 1)) throw new ValueError(`dropout: probability must be in [0, 1], got ${p}`);
  if (!(o.training ?? true) || p === 0) return x;
  if (p === 1) return x.mul(0);
  const s = o.seed ?? Math.floor(Math.random() * DROPOUT_SEED_MASK);
  const seed = (typeof s === 'number' ? tensor([s & DROPOUT_SEED_MASK]) : s).reshape([]);
  const y = mask(x.detach(), seed, p);
  return withGrad(y, 'dropout', [x], (g) => [mask(g, seed, p)]);
}
