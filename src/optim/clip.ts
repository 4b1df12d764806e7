// Gradient clipping by global norm (torch.nn.utils.clip_grad_norm_), lazily: no readback, part of the step's plan.
import type { Parameter } from '../nn/module.js';
import { constant } from '../ops/record.js';
import { noGrad, type Tensor } from '../tensor/tensor.js';
import { checkNumber } from '../core/options.js';

/** Scales all gradients so their global L2 norm is at most maxNorm; returns the norm before clipping (lazy). */
export function clipGradNorm(params: Iterable<Parameter>, maxNorm: number): Tensor {
  checkNumber('clipGradNorm', 'maxNorm', maxNorm, { min: 0 });
  return noGrad(() => {
    const withGrad = [...params].filter((p) => p.grad);
    if (withGrad.length === 0) return constant(0);
    const total = withGrad.map((p) => p.grad!.mul(p.grad!).sum()).reduce((a, b) => a.add(b)).sqrt();
    const coef = total.add(1e-6).pow(-1).mul(maxNorm).minimum(1);
    for (const p of withGrad) p.grad = p.grad!.mul(coef);
    return total;
  });
}
