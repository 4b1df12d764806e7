// Data augmentation on the GPU, as seeded transforms of a batch tensor [N, C, H, W]: random affine
// (rotation / scale / translation through one bilinear resampling kernel), brightness/contrast jitter
// (elementwise), and mixup (a row gather and a blend). Random draws are made on the host from a seeded
// stream and uploaded as small per-sample tensors, so the same seed gives the same batch and the plan
// does not change from step to step.
import { isContiguous } from '../graph/node.js';
import { affineResampleKernel } from '../kernels/resample.js';
import { contiguous } from '../ops/elementwise.js';
import { kernelNode } from '../ops/record.js';
import { oneHot } from '../ops/movement.js';
import { ShapeError, ValueError } from '../core/errors.js';
import { runtime } from '../runtime/runtime.js';
import { tensor } from '../tensor/creation.js';
import { shapeStr } from '../core/shape.js';
import { noGrad, type Tensor } from '../tensor/tensor.js';
import { Random, deriveSeed } from '../core/random.js';
import { checkNumber, checkOptions, POSITIVE_INT, SEED, tupleOf, UNIT_INTERVAL } from '../core/options.js';

function check4d(name: string, x: Tensor): void {
  if (x.rank !== 4) throw new ShapeError(`${name}: expects a batch [N, C, H, W], got shape ${shapeStr(x.shape)}`);
}

/** x resampled through per-sample maps theta [N, 6] (output pixel offset from the centre → input point, in pixels). */
export function affineResample(x: Tensor, theta: Tensor): Tensor {
  check4d('affineResample', x);
  if (theta.rank !== 2 || theta.shape[0] !== x.shape[0] || theta.shape[1] !== 6)
    throw new ShapeError(`affineResample: theta must be [${x.shape[0]}, 6] for input ${shapeStr(x.shape)}, got shape ${shapeStr(theta.shape)}`);
  const t = isContiguous(theta.view) ? theta : contiguous(theta);
  return noGrad(() =>
    kernelNode('affineResample', [x, t], x.shape, 'float32', (node, caps) => [
      { spec: affineResampleKernel(node.inputs[0].view, node.inputs[1].view.offset, caps), bind: [{ input: 0 }, { input: 1 }, { output: true }] },
    ]),
  );
}

export interface RandomAffineOptions {
  /** Rotation drawn from ±degrees. */
  degrees?: number;
  /** Scale factor drawn from [lo, hi]. */
  scale?: [number, number];
  /** Translation drawn from ±(fraction of width, fraction of height). */
  translate?: [number, number];
}

/** A seeded transform: call it once per batch; batch k of a stream with seed s is the same every run. */
export class RandomAffine {
  private calls = 0;
  constructor(readonly options: RandomAffineOptions, readonly seed = 0) {
    // torchvision's rules: degrees >= 0, scale factors > 0 (lo <= hi), translate fractions in [0, 1]
    checkOptions('RandomAffine', options, { degrees: { min: 0 }, scale: tupleOf(2, { min: 0, aboveMin: true }), translate: tupleOf(2, UNIT_INTERVAL) });
    if (options?.scale && options.scale[0] > options.scale[1]) throw new ValueError(`RandomAffine: scale must be [lo, hi] with lo <= hi, got [${options.scale}]`);
    checkNumber('RandomAffine', 'seed', seed, SEED);
  }
  apply(x: Tensor): Tensor {
    check4d('RandomAffine', x);
    const [N, , H, W] = x.shape;
    const r = new Random(deriveSeed(this.seed, this.calls++));
    const deg = this.options.degrees ?? 0;
    const [s0, s1] = this.options.scale ?? [1, 1];
    const [tx, ty] = this.options.translate ?? [0, 0];
    const theta = new Float32Array(N * 6);
    for (let n = 0; n < N; n++) {
      const a = ((r.next() * 2 - 1) * deg * Math.PI) / 180;
      const s = s0 + (s1 - s0) * r.next();
      const dx = (r.next() * 2 - 1) * tx * W;
      const dy = (r.next() * 2 - 1) * ty * H;
      // forward map: p' = s R(a) p + d; the kernel needs its inverse: p = R(-a) (p' - d) / s
      const c = Math.cos(a) / s;
      const si = Math.sin(a) / s;
      theta.set([c, si, -(c * dx + si * dy), -si, c, -(-si * dx + c * dy)], n * 6);
    }
    return affineResample(x, tensor(theta, [N, 6]));
  }
}

/** Per-sample brightness (multiply by b) and contrast (scale about the sample's mean by c), clamped to [0, 1]. */
export class ColorJitter {
  private calls = 0;
  constructor(readonly options: { brightness?: number; contrast?: number }, readonly seed = 0) {
    // factors 1 ± U(0, b) must stay >= 0: brightness and contrast in [0, 1]
    checkOptions('ColorJitter', options, { brightness: UNIT_INTERVAL, contrast: UNIT_INTERVAL });
    checkNumber('ColorJitter', 'seed', seed, SEED);
  }
  apply(x: Tensor): Tensor {
    check4d('ColorJitter', x);
    const N = x.shape[0];
    const r = new Random(deriveSeed(this.seed, this.calls++));
    const b = this.options.brightness ?? 0;
    const c = this.options.contrast ?? 0;
    const bf = Float32Array.from({ length: N }, () => 1 + (r.next() * 2 - 1) * b);
    const cf = Float32Array.from({ length: N }, () => 1 + (r.next() * 2 - 1) * c);
    return noGrad(() => {
      const bright = x.mul(tensor(bf, [N, 1, 1, 1]));
      const mean = bright.mean([1, 2, 3], true);
      return bright.sub(mean).mul(tensor(cf, [N, 1, 1, 1])).add(mean).maximum(0).minimum(1);
    });
  }
}

/** Mixup: x' = λ x + (1 - λ) x[perm], targets λ onehot(y) + (1 - λ) onehot(y[perm]), λ ~ Beta(α, α) per batch. */
export class Mixup {
  private calls = 0;
  constructor(readonly alpha = 0.2, readonly seed = 0) {
    checkNumber('Mixup', 'alpha', alpha, { min: 0, aboveMin: true });
    checkNumber('Mixup', 'seed', seed, SEED);
  }
  apply(x: Tensor, labels: Tensor, classes: number): { x: Tensor; targets: Tensor; lambda: number; perm: Int32Array } {
    checkNumber('Mixup.apply', 'classes', classes, POSITIVE_INT);
    const N = x.shape[0];
    if (labels.rank !== 1 || labels.shape[0] !== N) throw new ShapeError(`Mixup: labels must be [${N}] for input ${shapeStr(x.shape)}, got shape ${shapeStr(labels.shape)}`);
    const r = new Random(deriveSeed(this.seed, this.calls++));
    const g1 = gamma(this.alpha, r);
    const lam = g1 / (g1 + gamma(this.alpha, r));
    const perm = Int32Array.from({ length: N }, (_, i) => i);
    for (let i = N - 1; i > 0; i--) {
      const j = Math.floor(r.next() * (i + 1));
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    const p = tensor(perm, [N], { dtype: 'int32' });
    return noGrad(() => {
      const flat = x.reshape([N, -1]);
      const mixed = flat.mul(lam).add(flat.gather(p).mul(1 - lam)).reshape(x.shape);
      const y = oneHot(labels, classes);
      const targets = y.mul(lam).add(y.gather(p).mul(1 - lam));
      return { x: mixed, targets, lambda: lam, perm };
    });
  }
}

/** Cross-entropy with soft targets [N, C] (rows summing to 1), e.g. from Mixup. */
export function softCrossEntropy(logits: Tensor, targets: Tensor): Tensor {
  if (logits.rank !== 2 || targets.shape.join() !== logits.shape.join())
    throw new ShapeError(`softCrossEntropy: logits ${shapeStr(logits.shape)} and targets ${shapeStr(targets.shape)} must both be [N, C]`);
  return logits.logSoftmax(1).mul(targets).sum(1).neg().mean();
}

/** Gamma(k, 1) by Marsaglia and Tsang (k < 1 through the boost k+1 and u^(1/k)). */
function gamma(k: number, r: Random): number {
  if (k < 1) return gamma(k + 1, r) * Math.pow(1 - r.next(), 1 / k);
  const d = k - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let z: number, v: number;
    do {
      const u1 = 1 - r.next();
      z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * r.next());
      v = 1 + c * z;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - r.next();
    if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}
