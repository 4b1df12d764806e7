// Activations of the elementwise family (split from ./elementwise.ts for size), with PyTorch's definitions
// and defaults. Most are compositions of elementwise ops (their gradients are those ops'); softplus is a
// primitive so that it is stable for any βx (no exp overflows, in the value or in the gradient) and its
// gradient is exactly sigmoid(βx), also at βx = 0.
import { ShapeError } from '../core/errors.js';
import { ndMap, unravel, type Nd } from '../core/nd.js';
import { checkNumber, checkOptions } from '../core/options.js';
import { shapeStr } from '../core/shape.js';
import { erf64 } from '../core/special.js';
import { f32Literal } from '../kernels/wgsl.js';
import type { Tensor } from '../tensor/tensor.js';
import { sameAs, unary, where } from './elementwise.js';
import { elementwise, withGrad } from './record.js';
import { composite, primitive, type OutputSpec, type TensorMeta } from './op.js';

export type GeluApproximate = 'none' | 'tanh';
export interface GeluOptions {
  /** 'none' (default, as PyTorch): x·Φ(x) with the exact erf; 'tanh': the tanh approximation (GPT-2's). */
  approximate?: GeluApproximate;
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const sigmoid64 = (v: number) => 1 / (1 + Math.exp(-v));
const softplus64 = (v: number, beta = 1, threshold = 20) => (v * beta > threshold ? v : Math.log1p(Math.exp(v * beta)) / beta);
const relu6 = (v: number) => Math.min(Math.max(v, 0), 6);

/** PReLU's float64 reference: weight [C] (or [1]) over channel dim 1 of x (no channel dim below rank 2). */
function preluRef(x: Nd, w: Nd): Nd {
  let i = 0;
  return ndMap(x, (v) => {
    const c = w.data.length === 1 ? 0 : unravel(i, x.shape)[1];
    i++;
    return v > 0 ? v : w.data[c] * v;
  });
}

/** The softplus value (z = βx): max(z, 0) + log1p(e^-|z|), over β; x itself above the threshold. */
function softplusExpr(beta: number, threshold: number): string {
  const z = `($0 * ${f32Literal(beta)})`;
  return `select((max(${z}, 0.0) + log1p_f32(exp(-abs(${z})))) / ${f32Literal(beta)}, $0, ${z} > ${f32Literal(threshold)})`;
}

export const ACTIVATION_OPS = {
  softplus: primitive({
    doc: 'Softplus (F.softplus): log(1 + e^(βx)) / β, and x where βx > threshold',
    shape: (x: TensorMeta, beta: number, threshold: number): OutputSpec => {
      checkNumber('softplus', 'beta', beta, { min: 0, aboveMin: true });
      checkNumber('softplus', 'threshold', threshold);
      return sameAs(x);
    },
    kernel: { module: 'kernels/elementwise.ts', variants: 'one kernel per fused group (graph/plan.ts)' },
    exprFor: softplusExpr,
    /** sigmoid(βx), and 1 where the output is x itself. */
    grad: (x: Tensor, g: Tensor, beta: number, threshold: number): Tensor => {
      const z = x.mul(beta);
      return g.mul(where(z.gt(threshold), 1, z.sigmoid()));
    },
    reference: (x: Nd, beta = 1, threshold = 20) => ndMap(x, (v) => softplus64(v, beta, threshold)),
  }),
  gelu: composite({
    doc: "GELU (F.gelu): x·Φ(x) = x/2·(1 + erf(x/√2)); approximate 'tanh': x/2·(1 + tanh(√(2/π)(x + 0.044715x³)))",
    of: ['mul', 'add', 'erf', 'tanh'],
    reference: (x: Nd, approximate: GeluApproximate = 'none') =>
      ndMap(x, (v) => (approximate === 'tanh' ? 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v ** 3))) : 0.5 * v * (1 + erf64(v / Math.SQRT2)))),
  }),
  silu: composite({ doc: 'SiLU / swish (F.silu): x·sigmoid(x)', of: ['mul', 'sigmoid'], reference: (x: Nd) => ndMap(x, (v) => v * sigmoid64(v)) }),
  elu: composite({
    doc: 'ELU (F.elu): x > 0 ? x : α(e^x − 1)',
    of: ['where', 'gt', 'minimum', 'expm1', 'mul'],
    reference: (x: Nd, alpha = 1) => ndMap(x, (v) => (v > 0 ? v : alpha * Math.expm1(v))),
  }),
  mish: composite({ doc: 'Mish (F.mish): x·tanh(softplus(x))', of: ['mul', 'tanh', 'softplus'], reference: (x: Nd) => ndMap(x, (v) => v * Math.tanh(softplus64(v))) }),
  hardswish: composite({
    doc: 'Hardswish (F.hardswish): x·relu6(x + 3)/6',
    of: ['add', 'maximum', 'minimum', 'mul'],
    reference: (x: Nd) => ndMap(x, (v) => (v * relu6(v + 3)) / 6),
  }),
  hardsigmoid: composite({
    doc: 'Hardsigmoid (F.hardsigmoid): relu6(x + 3)/6',
    of: ['add', 'maximum', 'minimum', 'mul'],
    reference: (x: Nd) => ndMap(x, (v) => relu6(v + 3) / 6),
  }),
  prelu: composite({
    doc: 'PReLU (F.prelu): x > 0 ? x : w·x, w [C] over channel dim 1 (or one w for all)',
    of: ['where', 'gt', 'mul', 'reshape'],
    reference: preluRef,
  }),
};

export function gelu(x: Tensor, options: GeluOptions = {}): Tensor {
  checkOptions('gelu', options, { approximate: ['none', 'tanh'] });
  if (options.approximate === 'tanh') {
    const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(SQRT_2_OVER_PI);
    return x.mul(0.5).mul(inner.tanh().add(1));
  }
  return x.mul(0.5).mul(x.mul(Math.SQRT1_2).erf().add(1));
}

export const log1p = (x: Tensor): Tensor => unary('log1p', x);
export const expm1 = (x: Tensor): Tensor => unary('expm1', x);

export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  const def = ACTIVATION_OPS.softplus;
  const out = def.shape(x, beta, threshold);
  const y = elementwise(def.exprFor(beta, threshold), [x], out.shape);
  return withGrad(y, 'softplus', [x], (g) => [def.grad(x.detach(), g, beta, threshold)]);
}

export const silu = (x: Tensor): Tensor => x.mul(x.sigmoid());

export function elu(x: Tensor, alpha = 1): Tensor {
  checkNumber('elu', 'alpha', alpha);
  return where(x.gt(0), x, expm1(x.minimum(0)).mul(alpha));
}

export const mish = (x: Tensor): Tensor => x.mul(softplus(x).tanh());

export const hardsigmoid = (x: Tensor): Tensor => x.add(3).maximum(0).minimum(6).mul(1 / 6);

export const hardswish = (x: Tensor): Tensor => x.mul(hardsigmoid(x));

/** x > 0 ? x : w·x with weight [C] broadcast over dim 1 of x (PyTorch's channel dim), or weight [1] for any x. */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  if (weight.rank !== 1) throw new ShapeError(`prelu: weight must be 1-D [C], got shape ${shapeStr(weight.shape)}`);
  const C = weight.shape[0];
  if (C !== 1 && (x.rank < 2 || x.shape[1] !== C))
    throw new ShapeError(`prelu: weight of ${C} parameters needs input with ${C} channels in dim 1, got input shape ${shapeStr(x.shape)}`);
  const w = C === 1 ? weight.reshape([]) : weight.reshape([C, ...x.shape.slice(2).map(() => 1)]);
  return where(x.gt(0), x, x.mul(w));
}
