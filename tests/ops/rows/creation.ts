// Creation ops recorded as kernels (full, arange): values from the fused kernel, against the reference.
// Their one input only gives the output shape (its values are not read), so the rows cover awkward shapes.
import * as sg from '../../../src/node/index.js';
import { ndNumel } from '../../../src/core/nd.js';
import { OPS } from '../../../src/ops/table.js';
import { bad, row, type BadInput, type OpRow } from '../../helpers/opcheck.js';

const C = OPS;
const SHAPES = [[[]], [[1]], [[2, 3, 5]], [[0, 3]], [[67, 9]]];
const SIZES = [[[0]], [[1]], [[7]], [[603]]];

export const rows: OpRow[] = [
  row('full', null, (x) => sg.full(x.shape, 1.5), (x) => C.full.reference(x.shape, 1.5), SHAPES, { grad: false }),
  row('full', 'full of a value f32 rounds', (x) => sg.full(x.shape, 0.1), (x) => C.full.reference(x.shape, 0.1), [[[7]]], { grad: false }),
  row('full', 'full int32 (truncates)', (x) => sg.full(x.shape, -2.7, { dtype: 'int32' }), (x) => C.full.reference(x.shape, -2.7, 'int32'), [[[]], [[2, 3, 5]]], { grad: false, exact: true }),
  row('full', 'zeros and ones', (x) => sg.zeros(x.shape).add(sg.ones(x.shape).mul(2)), (x) => C.full.reference(x.shape, 2), [[[3, 5]]], { grad: false }),
  row('arange', 'arange(n) int32', (x) => sg.arange(x.size), (x) => C.arange.reference(0, ndNumel(x.shape), 1), SIZES, { grad: false, exact: true }),
  row('arange', 'arange(n) float32', (x) => sg.arange(x.size, undefined, 1, { dtype: 'float32' }), (x) => C.arange.reference(0, ndNumel(x.shape), 1), SIZES, { grad: false }),
  row('arange', 'arange(-1.5, 2.2, 0.25)', () => sg.arange(-1.5, 2.2, 0.25), () => C.arange.reference(-1.5, 2.2, 0.25), [[]], { grad: false }),
  row('arange', 'arange(5, -4, -2) int32', () => sg.arange(5, -4, -2), () => C.arange.reference(5, -4, -2), [[]], { grad: false, exact: true }),
];

export const badInputs: BadInput[] = [
  bad('full', 'negative dimension', () => sg.full([2, -1], 0), sg.ShapeError, /full.*\[2, -1\]/),
  bad('full', 'unsupported dtype', () => sg.full([2], 0, { dtype: 'float16' as 'float32' }), sg.DTypeError, /full.*float16/),
  bad('full', 'NaN into int32', () => sg.full([2], NaN, { dtype: 'int32' }), sg.ValueError, /full.*int32.*NaN/),
  bad('arange', 'NaN end', () => sg.arange(NaN), sg.ValueError, /arange.*end.*NaN/),
  bad('arange', 'infinite start', () => sg.arange(-Infinity, 3), sg.ValueError, /arange.*start.*-Infinity/),
  bad('arange', 'negative size', () => sg.arange(-3), sg.ValueError, /arange.*end -3.*start 0.*step 1/),
  bad('arange', 'step against the range', () => sg.arange(0, 5, -1), sg.ValueError, /arange.*end 5.*start 0.*step -1/),
  bad('arange', 'zero step', () => sg.arange(0, 5, 0), sg.ShapeError, /arange.*step/),
];
