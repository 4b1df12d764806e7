// Reductions of the table: one line per op (or per axis / keepDim case), awkward shapes, and the bad inputs.
import * as sg from '../../../src/node/index.js';
import { SUMS, bad, row, spaced, ties, uni, type BadInput, type OpRow } from '../../helpers/opcheck.js';
import { UNARY } from './elementwise.js';
import { disposed, f32 } from './inputs.js';
import { OPS } from '../../../src/ops/table.js';

const NONEMPTY = (sets: number[][][]) => sets.filter((s) => s.every((shape) => !shape.includes(0)));
const REDUCIBLE = [[[7]], [[3, 5]], [[2, 3, 5]], [[67, 9]]];
const { sum, mean, max, min, argmax, argmin } = OPS;

export const rows: OpRow[] = [
  row('sum', 'sum()', (x) => x.sum(), (x) => sum.reference(x), UNARY, { ...SUMS }),
  row('sum', 'sum(0)', (x) => x.sum(0), (x) => sum.reference(x, 0), [[[7]], [[3, 5]], [[2, 3, 5]], [[0, 3]], [[67, 9]]], { ...SUMS }),
  row('sum', 'sum(1, keepDim)', (x) => x.sum(1, true), (x) => sum.reference(x, 1, true), [[[3, 5]], [[2, 3, 5]], [[0, 3]], [[67, 9]]], { ...SUMS }),
  row('sum', 'sum([0, 2])', (x) => x.sum([0, 2]), (x) => sum.reference(x, [0, 2]), [[[2, 3, 5]], [[4, 1, 33]]], { ...SUMS }),
  row('sum', 'sum(-1) long rows', (x) => x.sum(-1), (x) => sum.reference(x, -1), [[[3, 1000]], [[2, 4099]]], { gens: [uni(0, 1)], ...SUMS }),
  row('mean', 'mean()', (x) => x.mean(), (x) => mean.reference(x), NONEMPTY(UNARY), { ...SUMS }),
  row('mean', 'mean(-1, keepDim)', (x) => x.mean(-1, true), (x) => mean.reference(x, -1, true), REDUCIBLE, { ...SUMS }),
  row('mean', 'mean([0, 1])', (x) => x.mean([0, 1]), (x) => mean.reference(x, [0, 1]), [[[3, 5]], [[2, 3, 5]]], { ...SUMS }),
  row('max', 'max()', (x) => x.max(), (x) => max.reference(x), NONEMPTY(UNARY), { gens: [spaced()] }),
  row('max', 'max(0)', (x) => x.max(0), (x) => max.reference(x, 0), REDUCIBLE, { gens: [spaced()] }),
  row('max', 'max(-1, keepDim)', (x) => x.max(-1, true), (x) => max.reference(x, -1, true), REDUCIBLE, { gens: [spaced()] }),
  row('min', 'min(1)', (x) => x.min(1), (x) => min.reference(x, 1), [[[3, 5]], [[2, 3, 5]], [[67, 9]]], { gens: [spaced()] }),
  row('min', 'min([0, 2], keepDim)', (x) => x.min([0, 2], true), (x) => min.reference(x, [0, 2], true), [[[2, 3, 5]]], { gens: [spaced()] }),
  row('argmax', 'argmax()', (x) => x.argmax(), (x) => argmax.reference(x), NONEMPTY(UNARY), { gens: [ties()], grad: false, exact: true }),
  row('argmax', 'argmax(1) first of ties', (x) => x.argmax(1), (x) => argmax.reference(x, 1), [[[3, 5]], [[2, 3, 5]], [[67, 9]]], { gens: [ties()], grad: false, exact: true }),
  row('argmax', 'argmax(0, keepDim)', (x) => x.argmax(0, true), (x) => argmax.reference(x, 0, true), [[[7]], [[3, 5]], [[2, 3, 5]]], { gens: [ties()], grad: false, exact: true }),
  row('argmin', 'argmin(-1)', (x) => x.argmin(-1), (x) => argmin.reference(x, -1), [[[7]], [[3, 5]], [[2, 3, 5]]], { gens: [ties()], grad: false, exact: true }),

  // reductions of views (strided reads)
  row('sum', 'reduce a permuted view', (x) => x.permute([2, 0, 1]).sum(1), (x) => sum.reference(OPS.permute.reference(x, [2, 0, 1]), 1), [[[2, 3, 5]]], { ...SUMS }),
  row('max', 'max of a transposed view', (x) => x.T.max(-1), (x) => max.reference(OPS.transpose.reference(x), -1), [[[3, 5]], [[67, 9]]], { gens: [spaced()] }),
  row('argmax', 'argmax of a transposed view', (x) => x.T.argmax(-1), (x) => argmax.reference(OPS.transpose.reference(x), -1), [[[3, 5]], [[2, 3, 5]]], { gens: [ties()], grad: false, exact: true }),
];

export const badInputs: BadInput[] = [
  bad('sum', 'axis out of range', () => f32([2, 3]).sum(2), sg.ShapeError, /sum.*axis 2.*\[2, 3\]/),
  bad('mean', 'negative axis out of range', () => f32([2, 3]).mean(-3), sg.ShapeError, /mean.*axis -3.*\[2, 3\]/),
  bad('max', 'repeated axis', () => f32([2, 3]).max([1, -1]), sg.ShapeError, /max.*repeated axis/),
  bad('max', 'empty axis', () => f32([0, 3]).max(0), sg.ShapeError, /max.*empty.*\[0, 3\]/),
  bad('min', 'empty axis', () => f32([2, 0]).min(), sg.ShapeError, /min.*empty.*\[2, 0\]/),
  bad('min', 'axis out of range', () => f32([2, 3]).min(-3), sg.ShapeError, /min.*axis -3.*\[2, 3\]/),
  bad('argmax', 'axis out of range', () => f32([2, 3]).argmax(5), sg.ShapeError, /argmax.*axis 5.*\[2, 3\]/),
  bad('argmax', 'empty tensor', () => f32([0]).argmax(), sg.ShapeError, /argmax.*empty.*\[0\]/),
  bad('argmin', 'empty axis', () => f32([3, 0]).argmin(1), sg.ShapeError, /argmin.*empty.*\[3, 0\]/),
  bad('argmin', 'axis out of range', () => f32([2, 3]).argmin(2), sg.ShapeError, /argmin.*axis 2.*\[2, 3\]/),
  bad('argmin', 'a disposed input', () => disposed([3]).argmin(), sg.DisposedTensorError, /disposed.*\[3\]/),
];
