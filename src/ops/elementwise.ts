// Elementwise ops: each is one entry — WGSL expression, float64 CPU reference, gradient rule.
// Ops that are compositions (gelu, leakyRelu, where) need no gradient rule of their own.
import { DTypeError } from '../core/errors.js';
import { broadcastShapes, shapeStr } from '../core/shape.js';
import type { Tensor, TensorLike } from '../tensor/tensor.js';
import type { DType } from '../core/dtype.js';
import { asTensor, elementwise, unbroadcast, withGrad } from './lower.js';

interface UnaryDef {
  wgsl: string; // over $0
  ref: (x: number) => number;
  /** d/dx given input x, output y and output gradient g. */
  grad: (x: Tensor, y: Tensor, g: Tensor) => Tensor;
}

export const UNARY = {
  neg: { wgsl: '(-$0)', ref: (x) => -x, grad: (_x, _y, g) => g.neg() },
  exp: { wgsl: 'exp($0)', ref: Math.exp, grad: (_x, y, g) => g.mul(y) },
  log: { wgsl: 'log($0)', ref: Math.log, grad: (x, _y, g) => g.div(x) },
  sqrt: { wgsl: 'sqrt($0)', ref: Math.sqrt, grad: (_x, y, g) => g.div(y.mul(2)) },
  abs: { wgsl: 'abs($0)', ref: Math.abs, grad: (x, _y, g) => g.mul(x.gt(0).sub(x.lt(0))) },
  relu: { wgsl: 'max($0, 0.0)', ref: (x) => Math.max(x, 0), grad: (x, _y, g) => g.mul(x.gt(0)) },
  sigmoid: { wgsl: '(1.0 / (1.0 + exp(-$0)))', ref: (x) => 1 / (1 + Math.exp(-x)), grad: (_x, y, g) => g.mul(y.mul(y.neg().add(1))) },
  tanh: { wgsl: 'tanh_safe($0)', ref: Math.tanh, grad: (_x, y, g) => g.mul(y.mul(y).neg().add(1)) },
} satisfies Record<string, UnaryDef>;

export type UnaryName = keyof typeof UNARY;

interface BinaryDef {
  wgsl: string; // over $0, $1
  ref: (a: number, b: number) => number;
  /** Gradients for a and b (before un-broadcasting); null for ops without a gradient (comparisons). */
  grad: ((a: Tensor, b: Tensor, y: Tensor, g: Tensor) => [Tensor, Tensor]) | null;
}

const cmp = (op: string, ref: (a: number, b: number) => boolean): BinaryDef => ({ wgsl: `select(0.0, 1.0, $0 ${op} $1)`, ref: (a, b) => Number(ref(a, b)), grad: null });

export const BINARY = {
  add: { wgsl: '($0 + $1)', ref: (a, b) => a + b, grad: (_a, _b, _y, g) => [g, g] },
  sub: { wgsl: '($0 - $1)', ref: (a, b) => a - b, grad: (_a, _b, _y, g) => [g, g.neg()] },
  mul: { wgsl: '($0 * $1)', ref: (a, b) => a * b, grad: (a, b, _y, g) => [g.mul(b), g.mul(a)] },
  div: { wgsl: '($0 / $1)', ref: (a, b) => a / b, grad: (a, b, _y, g) => [g.div(b), g.mul(a).neg().div(b.mul(b))] },
  // d/db a^b = a^b ln a: only meaningful for a > 0; elsewhere 0 (as PyTorch does for a == 0)
  pow: {
    wgsl: 'pow_real($0, $1)',
    ref: (a, b) => Math.pow(a, b),
    grad: (a, b, y, g) => [g.mul(b).mul(a.pow(b.sub(1))), g.mul(y).mul(a.maximum(1e-30).log()).mul(a.gt(0))],
  },
  // ties send the gradient to the first argument
  maximum: { wgsl: 'max($0, $1)', ref: Math.max, grad: (a, b, _y, g) => { const m = a.ge(b); return [g.mul(m), g.mul(m.neg().add(1))]; } },
  minimum: { wgsl: 'min($0, $1)', ref: Math.min, grad: (a, b, _y, g) => { const m = a.le(b); return [g.mul(m), g.mul(m.neg().add(1))]; } },
  lt: cmp('<', (a, b) => a < b),
  le: cmp('<=', (a, b) => a <= b),
  gt: cmp('>', (a, b) => a > b),
  ge: cmp('>=', (a, b) => a >= b),
  eq: cmp('==', (a, b) => a === b),
  ne: cmp('!=', (a, b) => a !== b),
} satisfies Record<string, BinaryDef>;

export type BinaryName = keyof typeof BINARY;

export function unary(name: UnaryName, x: Tensor): Tensor {
  const def: UnaryDef = UNARY[name];
  const y = elementwise(def.wgsl, [x], x.shape);
  return withGrad(y, name, [x], (g) => [def.grad(x, y.detach(), g)]);
}

export function binary(name: BinaryName, a: Tensor, bLike: TensorLike): Tensor {
  const b = asTensor(bLike);
  const def: BinaryDef = BINARY[name];
  const shape = broadcastShapes(name, a.shape, b.shape);
  const y = elementwise(def.wgsl, [a, b], shape);
  if (!def.grad) return y;
  const grad = def.grad;
  return withGrad(y, name, [a, b], (g) => {
    const [ga, gb] = grad(a.detach(), b.detach(), y.detach(), g);
    return [a.requiresGrad ? unbroadcast(ga, a.shape) : null, b.requiresGrad ? unbroadcast(gb, b.shape) : null];
  });
}

/** cond ? a : b, elementwise with broadcasting (cond nonzero = true). */
export function where(cond: Tensor, aLike: TensorLike, bLike: TensorLike): Tensor {
  const a = asTensor(aLike);
  const b = asTensor(bLike);
  const shape = broadcastShapes('where', cond.shape, a.shape, b.shape);
  const y = elementwise('select($2, $1, $0 != 0.0)', [cond, a, b], shape);
  return withGrad(y, 'where', [a, b], (g) => {
    const c = cond.detach().ne(0);
    return [a.requiresGrad ? unbroadcast(g.mul(c), a.shape) : null, b.requiresGrad ? unbroadcast(g.mul(c.neg().add(1)), b.shape) : null];
  });
}

export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  if (dtype !== 'float32' && dtype !== 'int32') throw new DTypeError(`cast: unsupported dtype ${dtype} for tensor of shape ${shapeStr(x.shape)}`);
  // int32 outputs are rounded on store; truncate toward zero first, as a C cast (and PyTorch) would
  const y = elementwise(dtype === 'int32' ? 'trunc($0)' : '$0', [x], x.shape, dtype);
  return dtype === 'float32' ? withGrad(y, 'cast', [x], (g) => [g]) : y;
}

/** GELU, tanh approximation (PyTorch's gelu(approximate='tanh')): a composition, so no gradient code. */
export function gelu(x: Tensor): Tensor {
  const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
  return x.mul(0.5).mul(inner.tanh().add(1));
}

export function leakyRelu(x: Tensor, slope: number): Tensor {
  return where(x.gt(0), x, x.mul(slope));
}

/** The identity, materialised contiguously (reads any strided view). */
export function contiguous(x: Tensor): Tensor {
  const y = elementwise('$0', [x], x.shape, x.dtype);
  return withGrad(y, 'contiguous', [x], (g) => [g]);
}
