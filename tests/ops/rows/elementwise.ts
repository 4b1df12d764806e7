// Elementwise ops of the table: one line per op (or per special case), awkward shapes, and the bad inputs.
import * as sg from '../../../src/node/index.js';
import { ndMap, ndScalar } from '../../../src/core/nd.js';
import { OPS } from '../../../src/ops/table.js';
import { away0, bad, grid, ids, row, ties, uni, type BadInput, type OpRow } from '../../helpers/opcheck.js';
import { f32, ints, disposed } from './inputs.js';

// awkward shapes: scalar, a single element, a prime, non-multiples of any tile or workgroup, empty
// (each distinct shape compiles new pipelines: on lavapipe that is most of the time these tests take)
export const UNARY = [[[]], [[1]], [[2, 3, 5]], [[0, 3]], [[67, 9]]];
export const BINARY = [[[], []], [[7], [7]], [[3, 1], [1, 4]], [[5], [2, 3, 5]], [[0, 3], [1, 3]], [[67, 9], [9]]];
export const FEW = [[[]], [[67, 9]]];
const CMP = [[[7], [7]], [[3, 1], [1, 4]], [[0, 3], [1, 3]], [[67, 9], [9]]];
const E = OPS;
const scalarRef = (f: (v: number) => number) => (x: Parameters<typeof ndMap>[0]) => ndMap(x, f);

export const rows: OpRow[] = [
  // unary
  row('neg', null, (x) => x.neg(), E.neg.reference, UNARY),
  row('exp', null, (x) => x.exp(), E.exp.reference, UNARY, { gens: [uni(-3, 3)] }),
  row('log', null, (x) => x.log(), E.log.reference, UNARY, { gens: [uni(0.1, 4)] }),
  row('sqrt', null, (x) => x.sqrt(), E.sqrt.reference, UNARY, { gens: [uni(0.1, 4)] }),
  row('abs', null, (x) => x.abs(), E.abs.reference, UNARY, { gens: [away0()] }),
  row('relu', null, (x) => x.relu(), E.relu.reference, UNARY, { gens: [away0()] }),
  row('sigmoid', null, (x) => x.sigmoid(), E.sigmoid.reference, UNARY, { gens: [uni(-6, 6)] }),
  row('tanh', null, (x) => x.tanh(), E.tanh.reference, UNARY, { gens: [uni(-3, 3)] }),
  row('erf', null, (x) => x.erf(), E.erf.reference, UNARY, { gens: [uni(-4, 4)] }),
  row('erf', 'erf saturated and near 0', (x) => x.erf(), E.erf.reference, [[[67]]], { gens: [uni(-30, 30)], grad: false }),
  row('leakyRelu', 'leakyRelu(0.1)', (x) => x.leakyRelu(0.1), (x) => E.leakyRelu.reference(x, 0.1), UNARY, { gens: [away0()] }),
  row('square', null, (x) => x.square(), E.square.reference, FEW),
  row('tanh', 'tanh saturated', (x) => x.tanh(), E.tanh.reference, [[[67]]], { gens: [uni(-60, 60)], grad: false }),
  row('sigmoid', 'sigmoid saturated', (x) => x.sigmoid(), E.sigmoid.reference, [[[67]]], { gens: [uni(-80, 80)], grad: false }),
  row('cast', 'cast int32 (truncates)', (x) => x.cast('int32'), (x) => E.cast.reference(x, 'int32'), UNARY, { gens: [uni(-5, 5)], grad: false, exact: true }),
  row('cast', 'cast int32 -> float32', (x) => x.cast('int32').cast('float32').add(0.5), (x) => E.add.reference(E.cast.reference(E.cast.reference(x, 'int32'), 'float32'), ndScalar(0.5)), [[[7]]], { gens: [uni(-5, 5)], grad: false }),
  row('cast', 'cast keeps the gradient to float32', (x) => x.cast('float32').mul(3), scalarRef((v) => 3 * v), [[[7]]]),
  row('contiguous', 'contiguous of permuted', (x) => x.permute([1, 2, 0]).contiguous(), (x) => E.permute.reference(x, [1, 2, 0]), [[[2, 3, 5]]]),

  // binary (broadcasting)
  row('add', null, (a, b) => a.add(b), E.add.reference, BINARY),
  row('sub', null, (a, b) => a.sub(b), E.sub.reference, BINARY),
  row('mul', null, (a, b) => a.mul(b), E.mul.reference, BINARY),
  row('div', null, (a, b) => a.div(b), E.div.reference, BINARY, { gens: [uni(), away0(0.5, 2)] }),
  row('pow', null, (a, b) => a.pow(b), E.pow.reference, BINARY, { gens: [uni(0.2, 3), uni(-2, 2)] }),
  row('pow', 'pow (negative base, integer exponent)', (a, b) => a.pow(b), E.pow.reference, [[[7], [7]], [[3, 1], [1, 4]]], { gens: [uni(-3, -0.2), ties(0, 3)] }),
  row('maximum', null, (a, b) => a.maximum(b), E.maximum.reference, BINARY, { gens: [grid(0.25), grid(0.75)] }),
  row('minimum', null, (a, b) => a.minimum(b), E.minimum.reference, BINARY, { gens: [grid(0.25), grid(0.75)] }),
  row('lt', null, (a, b) => a.lt(b), E.lt.reference, CMP, { gens: [ties(), ties()], grad: false }),
  row('le', null, (a, b) => a.le(b), E.le.reference, CMP, { gens: [ties(), ties()], grad: false }),
  row('gt', null, (a, b) => a.gt(b), E.gt.reference, CMP, { gens: [ties(), ties()], grad: false }),
  row('ge', null, (a, b) => a.ge(b), E.ge.reference, CMP, { gens: [ties(), ties()], grad: false }),
  row('eq', null, (a, b) => a.eq(b), E.eq.reference, CMP, { gens: [ties(), ties()], grad: false }),
  row('ne', null, (a, b) => a.ne(b), E.ne.reference, CMP, { gens: [ties(), ties()], grad: false }),
  row('add', 'add scalar', (x) => x.add(3), scalarRef((v) => v + 3), FEW),
  row('sub', 'rsub scalar', (x) => x.sub(1.5).neg(), scalarRef((v) => 1.5 - v), FEW),
  row('div', 'div scalar', (x) => x.div(3), scalarRef((v) => v / 3), FEW),
  row('pow', 'pow 2 (any sign)', (x) => x.pow(2), scalarRef((v) => v ** 2), FEW),
  row('pow', 'pow 3 (any sign)', (x) => x.pow(3), scalarRef((v) => v ** 3), FEW),
  row('where', null, (c, a, b) => sg.where(c, a, b), E.where.reference, [[[7], [7], [7]], [[3, 1], [1, 4], []], [[2, 3, 5], [5], [3, 1]], [[0, 3], [3], [1]]], { gens: [ties(0, 1), uni(), uni()] }),
  row('where', 'x.where(cond, scalar)', (x, c) => x.where(c, -1), (x, c) => E.where.reference(c, x, ndScalar(-1)), [[[3, 5], [3, 5]], [[2, 3, 5], [3, 1]]], { gens: [uni(), ties(0, 1)] }),

  // the planner: one node read twice through two fused (inlined) consumers, then two live intermediates
  row('exp', 'fused diamond', (x) => {
    const a = x.exp();
    const d = a.mul(a.neg()).neg();
    const [e, f] = [d.exp(), d.sqrt()];
    return e.mul(f).add(e).add(f);
  }, (x) => {
    const d = ndMap(x, (v) => Math.exp(v) ** 2);
    const [e, f] = [E.exp.reference(d), E.sqrt.reference(d)];
    return E.add.reference(E.add.reference(E.mul.reference(e, f), e), f);
  }, [[[3]], [[67, 9]]], { gens: [uni(-1, 0.5)], grad: false }),
  row('mul', 'elementwise on views', (x, y) => x.T.mul(y.slice([1])).add(x.T.exp()), (x, y) => E.add.reference(E.mul.reference(E.transpose.reference(x), E.slice.reference(y, [1])), E.exp.reference(E.transpose.reference(x))), [[[5, 3], [4, 3, 5]]]),
];

const unaryDisposed = (op: keyof typeof OPS & keyof sg.Tensor) => bad(op, 'a disposed input', () => (disposed([3])[op] as () => sg.Tensor)(), sg.DisposedTensorError, /disposed.*\[3\]/);

export const badInputs: BadInput[] = [
  ...(['neg', 'exp', 'log', 'sqrt', 'abs', 'relu', 'sigmoid', 'tanh', 'erf', 'square', 'contiguous'] as const).map(unaryDisposed),
  bad('leakyRelu', 'a disposed input', () => disposed([3]).leakyRelu(0.1), sg.DisposedTensorError, /disposed.*\[3\]/),
  bad('add', 'broadcast mismatch', () => f32([3]).add(f32([4])), sg.ShapeError, /add.*\[3\].*\[4\]/),
  bad('mul', 'broadcast mismatch 2-D', () => f32([2, 3]).mul(f32([3, 2])), sg.ShapeError, /mul.*\[2, 3\].*\[3, 2\]/),
  ...(['sub', 'div', 'pow', 'maximum', 'minimum', 'lt', 'le', 'gt', 'ge', 'eq', 'ne'] as const).map((op) =>
    bad(op, 'broadcast mismatch', () => (f32([2, 3])[op] as (o: sg.Tensor) => sg.Tensor)(f32([4])), sg.ShapeError, new RegExp(`${op}.*\\[2, 3\\].*\\[4\\]`)),
  ),
  bad('where', 'broadcast mismatch', () => sg.where(f32([2]), f32([3]), f32([2])), sg.ShapeError, /where.*\[2\].*\[3\]/),
  bad('cast', 'unknown dtype', () => f32([2]).cast('float16' as 'float32'), sg.DTypeError, /cast.*float16.*\[2\]/),
];
