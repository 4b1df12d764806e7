// Elementwise ops: each entry is the WGSL expression the planner fuses, the shape/dtype rule, the gradient
// rule written with other ops, and an independent float64 reference. leakyRelu and square are
// compositions of these and need no gradient code of their own; the other activations (GELU, SiLU, ELU,
// Softplus, ...) are in ./activation.ts.
import type { DType } from '../core/dtype.js';
import { DTypeError } from '../core/errors.js';
import { ndMap, zipWith, type Nd } from '../core/nd.js';
import { broadcastShapes, shapeStr } from '../core/shape.js';
import { checkNumber } from '../core/options.js';
import { erf64 } from '../core/special.js';
import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { asTensor, elementwise, named, unbroadcast, withGrad } from './record.js';
import { NOT_DIFFERENTIABLE, composite, primitive, type KernelChoice, type OutputSpec, type TensorMeta } from './op.js';

/** A fused elementwise kernel: the planner groups chains of these into one shader (graph/plan.ts). */
export const fused = (expr: string): KernelChoice & { expr: string } => ({ module: 'kernels/elementwise.ts', variants: 'one kernel per fused group (graph/plan.ts)', expr });

export const sameAs = (x: TensorMeta): OutputSpec => ({ shape: [...x.shape], dtype: 'float32' });
const broadcastOf = (name: string) => (a: TensorMeta, b: TensorMeta): OutputSpec => ({ shape: broadcastShapes(name, a.shape, b.shape), dtype: 'float32' });

/** d/dx of a unary op given input x, output y and output gradient g. */
type UnaryGrad = (x: Tensor, y: Tensor, g: Tensor) => Tensor;
const unaryOp = (doc: string, expr: string, ref: (v: number) => number, grad: UnaryGrad) =>
  primitive({ doc, shape: sameAs, kernel: fused(expr), grad, reference: (x: Nd) => ndMap(x, ref) });

/** Gradients for a and b before un-broadcasting. */
type BinaryGrad = (a: Tensor, b: Tensor, y: Tensor, g: Tensor) => [Tensor, Tensor];
const binaryOp = (name: string, doc: string, expr: string, ref: (a: number, b: number) => number, grad: BinaryGrad) =>
  primitive({ doc, shape: broadcastOf(name), kernel: fused(expr), grad, reference: (a: Nd, b: Nd) => zipWith([a, b], ref) });
const compareOp = (name: string, op: string, ref: (a: number, b: number) => boolean) =>
  primitive({ doc: `a ${op} b as float32 0/1`, shape: broadcastOf(name), kernel: fused(`select(0.0, 1.0, $0 ${op} $1)`), grad: NOT_DIFFERENTIABLE, reference: (a: Nd, b: Nd) => zipWith([a, b], (x, y) => Number(ref(x, y))) });

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

export const UNARY_OPS = {
  neg: unaryOp('-x', '(-$0)', (x) => -x, (_x, _y, g) => g.neg()),
  exp: unaryOp('e^x', 'exp($0)', Math.exp, (_x, y, g) => g.mul(y)),
  log: unaryOp('natural logarithm', 'log($0)', Math.log, (x, _y, g) => g.div(x)),
  sqrt: unaryOp('square root', 'sqrt($0)', Math.sqrt, (_x, y, g) => g.div(y.mul(2))),
  abs: unaryOp('|x|', 'abs($0)', Math.abs, (x, _y, g) => g.mul(x.gt(0).sub(x.lt(0)))),
  relu: unaryOp('max(x, 0), NaN stays NaN', 'max_nan($0, 0.0)', (x) => (Number.isNaN(x) ? NaN : x > 0 ? x : 0), (x, _y, g) => g.mul(x.gt(0))),
  sigmoid: unaryOp('1 / (1 + e^-x)', '(1.0 / (1.0 + exp(-$0)))', (x) => 1 / (1 + Math.exp(-x)), (_x, y, g) => g.mul(y.mul(y.neg().add(1)))),
  tanh: unaryOp('hyperbolic tangent', 'tanh_safe($0)', Math.tanh, (_x, y, g) => g.mul(y.mul(y).neg().add(1))),
  // erf_f32 (shaders/elementwise.wgsl): series below 0.84375, 1 − erfc beyond; ~1.3e-7 absolute error
  // log1p_f32 / expm1_f32 (shaders/elementwise.wgsl): series near 0, where the naive forms cancel
  log1p: unaryOp('log(1 + x) (torch.log1p), accurate near 0', 'log1p_f32($0)', Math.log1p, (x, _y, g) => g.div(x.add(1))),
  expm1: unaryOp('e^x − 1 (torch.expm1), accurate near 0', 'expm1_f32($0)', Math.expm1, (_x, y, g) => g.mul(y.add(1))),
  erf: unaryOp('the error function (torch.erf), to float32 accuracy', 'erf_f32($0)', erf64, (x, _y, g) => g.mul(x.mul(x).neg().exp().mul(TWO_OVER_SQRT_PI))),
};

export type UnaryName = keyof typeof UNARY_OPS;

export const BINARY_OPS = {
  add: binaryOp('add', 'a + b (broadcasting)', '($0 + $1)', (a, b) => a + b, (_a, _b, _y, g) => [g, g]),
  sub: binaryOp('sub', 'a - b', '($0 - $1)', (a, b) => a - b, (_a, _b, _y, g) => [g, g.neg()]),
  mul: binaryOp('mul', 'a * b', '($0 * $1)', (a, b) => a * b, (a, b, _y, g) => [g.mul(b), g.mul(a)]),
  div: binaryOp('div', 'a / b (IEEE division by zero: ±Inf, NaN for 0/0)', 'div_ieee($0, $1)', (a, b) => a / b, (a, b, _y, g) => [g.div(b), g.mul(a).neg().div(b.mul(b))]),
  // d/db a^b = a^b ln a: only meaningful for a > 0; elsewhere 0 (as PyTorch does for a == 0)
  pow: binaryOp('pow', 'a ** b (negative a with integer b as real powers)', 'pow_real($0, $1)', (a, b) => a ** b, (a, b, y, g) => [
    g.mul(b).mul(a.pow(b.sub(1))),
    g.mul(y).mul(a.maximum(1e-30).log()).mul(a.gt(0)),
  ]),
  // ties send the gradient to the first argument
  maximum: binaryOp('maximum', 'elementwise max (NaN propagates)', 'max_nan($0, $1)', (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a >= b ? a : b), (a, b, _y, g) => {
    const m = a.ge(b);
    return [g.mul(m), g.mul(m.neg().add(1))];
  }),
  minimum: binaryOp('minimum', 'elementwise min (NaN propagates)', 'min_nan($0, $1)', (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a <= b ? a : b), (a, b, _y, g) => {
    const m = a.le(b);
    return [g.mul(m), g.mul(m.neg().add(1))];
  }),
  lt: compareOp('lt', '<', (a, b) => a < b),
  le: compareOp('le', '<=', (a, b) => a <= b),
  gt: compareOp('gt', '>', (a, b) => a > b),
  ge: compareOp('ge', '>=', (a, b) => a >= b),
  eq: compareOp('eq', '==', (a, b) => a === b),
  ne: compareOp('ne', '!=', (a, b) => a !== b),
};

export type BinaryName = keyof typeof BINARY_OPS;

export const ELEMENTWISE_OPS = {
  ...UNARY_OPS,
  ...BINARY_OPS,
  where: primitive({
    doc: 'cond ? a : b with broadcasting (cond nonzero = true)',
    shape: (cond: TensorMeta, a: TensorMeta, b: TensorMeta): OutputSpec => ({ shape: broadcastShapes('where', cond.shape, a.shape, b.shape), dtype: 'float32' }),
    kernel: fused('select($2, $1, $0 != 0.0)'),
    grad: (cond: Tensor, g: Tensor): [Tensor, Tensor] => {
      const c = cond.ne(0);
      return [g.mul(c), g.mul(c.neg().add(1))];
    },
    reference: (cond: Nd, a: Nd, b: Nd) => zipWith([cond, a, b], (c, x, y) => (c !== 0 ? x : y)),
  }),
  cast: primitive({
    doc: 'float32 <-> int32; to int32 truncates toward zero (a C cast, as PyTorch)',
    shape: (x: TensorMeta, dtype: DType): OutputSpec => {
      if (dtype !== 'float32' && dtype !== 'int32') throw new DTypeError(`cast: unsupported dtype ${dtype} for tensor of shape ${shapeStr(x.shape)}`);
      return { shape: [...x.shape], dtype };
    },
    kernel: { module: 'kernels/elementwise.ts', variants: 'one kernel per fused group (graph/plan.ts)' },
    // int32 outputs are rounded on store: truncate first
    exprByDtype: { int32: 'trunc($0)', float32: '$0' } satisfies Record<DType, string>,
    /** To float32 the gradient passes through; int32 outputs carry none. */
    grad: (g: Tensor, dtype: DType): Tensor | null => (dtype === 'float32' ? g : null),
    reference: (x: Nd, dtype: DType) => (dtype === 'int32' ? ndMap(x, Math.trunc) : ndMap(x, (v) => v)),
  }),
  contiguous: primitive({
    doc: 'the identity, materialised contiguously (reads any strided view)',
    shape: (x: TensorMeta): OutputSpec => ({ shape: [...x.shape], dtype: x.dtype }),
    kernel: fused('$0'),
    grad: (g: Tensor) => g,
    reference: (x: Nd) => ndMap(x, (v) => v),
  }),
  leakyRelu: composite({
    doc: 'x > 0 ? x : slope * x',
    of: ['where', 'gt', 'mul'],
    reference: (x: Nd, slope = 0.01) => ndMap(x, (v) => (v > 0 ? v : slope * v)),
  }),
  square: composite({ doc: 'x * x', of: ['mul'], reference: (x: Nd) => ndMap(x, (v) => v * v) }),
};

export function unary(name: UnaryName, x: Tensor): Tensor {
  const def = UNARY_OPS[name];
  const out = def.shape(x);
  const y = elementwise(def.kernel.expr, [x], out.shape, out.dtype);
  return withGrad(y, name, [x], (g) => [def.grad(x.detach(), y.detach(), g)]);
}

export function binary(name: BinaryName, a: Tensor, bLike: TensorLike): Tensor {
  const b = asTensor(bLike);
  const def = BINARY_OPS[name];
  const out = def.shape(a, b);
  const y = elementwise(def.kernel.expr, [a, b], out.shape, out.dtype);
  const grad = def.grad;
  if (grad === NOT_DIFFERENTIABLE) return named(y, name, [a, b]);
  return withGrad(y, name, [a, b], (g) => {
    const [ga, gb] = grad(a.detach(), b.detach(), y.detach(), g);
    return [a.requiresGrad ? unbroadcast(ga, a.shape) : null, b.requiresGrad ? unbroadcast(gb, b.shape) : null];
  });
}

/** cond ? a : b, elementwise with broadcasting (cond nonzero = true). */
export function where(cond: Tensor, aLike: TensorLike, bLike: TensorLike): Tensor {
  const a = asTensor(aLike);
  const b = asTensor(bLike);
  const def = ELEMENTWISE_OPS.where;
  const out = def.shape(cond, a, b);
  const y = elementwise(def.kernel.expr, [cond, a, b], out.shape, out.dtype);
  return withGrad(y, 'where', [a, b], (g) => {
    const [ga, gb] = def.grad(cond.detach(), g);
    return [a.requiresGrad ? unbroadcast(ga, a.shape) : null, b.requiresGrad ? unbroadcast(gb, b.shape) : null];
  });
}

export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const def = ELEMENTWISE_OPS.cast;
  const out = def.shape(x, dtype);
  const y = elementwise(def.exprByDtype[dtype], [x], out.shape, out.dtype);
  return dtype === 'float32' ? withGrad(y, 'cast', [x], (g) => [def.grad(g, dtype)]) : named(y, 'cast', [x]);
}

export function leakyRelu(x: Tensor, slope: number): Tensor {
  checkNumber('leakyRelu', 'negativeSlope', slope);
  return where(x.gt(0), x, x.mul(slope));
}

/** The identity, materialised contiguously (reads any strided view). */
export function contiguous(x: Tensor): Tensor {
  const def = ELEMENTWISE_OPS.contiguous;
  const out = def.shape(x);
  const y = elementwise(def.kernel.expr, [x], out.shape, out.dtype);
  return withGrad(y, 'contiguous', [x], (g) => [def.grad(g)]);
}
