// Activations (src/ops/activation.ts): one line per op or special case, awkward shapes, the bad inputs.
import * as sg from '../../../src/node/index.js';
import { OPS } from '../../../src/ops/table.js';
import { away0, bad, fixed, row, uni, type BadInput, type OpRow } from '../../helpers/opcheck.js';
import { UNARY, FEW } from './elementwise.js';
import { disposed, f32 } from './inputs.js';

const E = OPS;
const F = sg.nn.functional;

export const rows: OpRow[] = [
  row('gelu', 'gelu exact (erf)', (x) => x.gelu(), (x) => E.gelu.reference(x), UNARY, { gens: [uni(-5, 5)] }),
  row('gelu', "gelu approximate 'tanh'", (x) => F.gelu(x, { approximate: 'tanh' }), (x) => E.gelu.reference(x, 'tanh'), UNARY, { gens: [uni(-4, 4)] }),
  row('log1p', null, (x) => F.log1p(x), E.log1p.reference, UNARY, { gens: [uni(-0.9, 3)] }),
  // relative accuracy near 0, where log(1 + x) would lose every digit
  row('log1p', 'log1p of tiny values', (x) => F.log1p(x).mul(1e6), (x) => E.mul.reference(E.log1p.reference(x), { shape: [], data: Float64Array.of(1e6) }), [[[67]]], { gens: [uni(-1e-6, 1e-6)], grad: false }),
  row('expm1', null, (x) => F.expm1(x), E.expm1.reference, UNARY, { gens: [uni(-3, 2)] }),
  row('expm1', 'expm1 of tiny values', (x) => F.expm1(x).mul(1e6), (x) => E.mul.reference(E.expm1.reference(x), { shape: [], data: Float64Array.of(1e6) }), [[[67]]], { gens: [uni(-1e-6, 1e-6)], grad: false }),
  row('softplus', null, (x) => F.softplus(x), (x) => E.softplus.reference(x), UNARY, { gens: [uni(-6, 6)] }),
  row('softplus', 'softplus beta 2 threshold 3 (both sides of it)', (x) => F.softplus(x, 2, 3), (x) => E.softplus.reference(x, 2, 3), [[[67, 9]]], { gens: [away0(0.1, 4)] }),
  // no overflow anywhere: huge inputs pass through, very negative ones give ~e^x (finite gradients too)
  row('softplus', 'softplus far from 0, threshold 1000', (x) => F.softplus(x, 1, 1000), (x) => E.softplus.reference(x, 1, 1000), [[[67]]], { gens: [away0(30, 200)] }),
  row('silu', null, (x) => F.silu(x), E.silu.reference, UNARY, { gens: [uni(-6, 6)] }),
  row('elu', null, (x) => F.elu(x), (x) => E.elu.reference(x), UNARY, { gens: [away0(0.05, 4)] }),
  row('elu', 'elu alpha 0.5, large inputs', (x) => F.elu(x, 0.5), (x) => E.elu.reference(x, 0.5), FEW, { gens: [away0(0.5, 100)] }),
  row('mish', null, (x) => F.mish(x), E.mish.reference, UNARY, { gens: [uni(-6, 6)] }),
  row('hardswish', null, (x) => F.hardswish(x), E.hardswish.reference, UNARY, { gens: [away0(0.1, 2.9)] }),
  row('hardswish', 'hardswish outside ±3', (x) => F.hardswish(x), E.hardswish.reference, FEW, { gens: [away0(3.1, 8)] }),
  row('hardsigmoid', null, (x) => F.hardsigmoid(x), E.hardsigmoid.reference, UNARY, { gens: [away0(0.1, 2.9)] }),
  row('hardsigmoid', 'hardsigmoid outside ±3', (x) => F.hardsigmoid(x), E.hardsigmoid.reference, FEW, { gens: [away0(3.1, 8)] }),
  row('prelu', 'prelu per channel', (x, w) => F.prelu(x, w), E.prelu.reference, [[[2, 3, 5], [3]], [[4, 7], [7]], [[2, 3, 2, 3], [3]]], { gens: [away0(), uni(-1, 1)] }),
  row('prelu', 'prelu one parameter', (x, w) => F.prelu(x, w), E.prelu.reference, [[[], [1]], [[5], [1]], [[2, 3, 5], [1]]], { gens: [away0(), fixed(uni(0, 1))] }),
];

const disposedInput = (op: 'gelu' | 'silu' | 'elu' | 'softplus' | 'mish' | 'hardswish' | 'hardsigmoid' | 'log1p' | 'expm1') =>
  bad(op, 'a disposed input', () => (F[op] as (x: sg.Tensor) => sg.Tensor)(disposed([3])), sg.DisposedTensorError, /disposed.*\[3\]/);

export const badInputs: BadInput[] = [
  ...(['gelu', 'silu', 'elu', 'softplus', 'mish', 'hardswish', 'hardsigmoid', 'log1p', 'expm1'] as const).map(disposedInput),
  bad('gelu', 'an unknown approximation', () => F.gelu(f32([3]), { approximate: 'erf' as 'none' }), sg.ValueError, /gelu: approximate must be one of 'none', 'tanh'|gelu: approximate must be 'none' or 'tanh'/),
  bad('softplus', 'beta 0', () => F.softplus(f32([3]), 0), sg.ValueError, /softplus: beta must be a finite number > 0, got 0/),
  bad('softplus', 'a NaN threshold', () => F.softplus(f32([3]), 1, NaN), sg.ValueError, /softplus: threshold must be a finite number, got NaN/),
  bad('elu', 'a NaN alpha', () => F.elu(f32([3]), NaN), sg.ValueError, /elu: alpha must be a finite number, got NaN/),
  bad('prelu', 'weight for another channel count', () => F.prelu(f32([2, 4, 5]), f32([3])), sg.ShapeError, /prelu: weight of 3 parameters needs input with 3 channels in dim 1, got input shape \[2, 4, 5\]/),
  bad('prelu', 'a 2-D weight', () => F.prelu(f32([2, 4]), f32([1, 4])), sg.ShapeError, /prelu: weight must be 1-D \[C\], got shape \[1, 4\]/),
  bad('prelu', 'per-channel weight on a 1-D input', () => F.prelu(f32([4]), f32([4])), sg.ShapeError, /prelu: weight of 4 parameters needs input with 4 channels in dim 1, got input shape \[4\]/),
];
