// Dropout: the GPU mask against the same documented hash computed in JS (so exactly the same elements are
// kept), its gradient (the same mask applied to g), and the bad inputs.
import * as sg from '../../../src/node/index.js';
import { ndMap } from '../../../src/core/nd.js';
import { OPS } from '../../../src/ops/table.js';
import { away0, bad, row, type BadInput, type OpRow } from '../../helpers/opcheck.js';
import { f32 } from './inputs.js';

const { dropout } = sg.nn.functional;
const D = OPS.dropout;
const SHAPES = [[[]], [[7]], [[2, 3, 5]], [[0, 3]], [[67, 9]]];

export const rows: OpRow[] = [
  row('dropout', 'dropout(0.25)', (x) => dropout(x, 0.25, { seed: 1234 }), (x) => D.reference(x, 1234, 0.25), SHAPES),
  row('dropout', 'dropout(0.5) seeded by a tensor', (x) => dropout(x, 0.5, { seed: sg.tensor([777]) }), (x) => D.reference(x, 777, 0.5), [[[3, 5]], [[67, 9]]]),
  row('dropout', 'dropout seed reduced to 24 bits', (x) => dropout(x, 0.5, { seed: 0x12345678 }), (x) => D.reference(x, 0x12345678, 0.5), [[[67, 9]]]),
  // which elements are kept, compared exactly (nonzero inputs: a kept element is never 0)
  row('dropout', 'dropout(0.3) keeps exactly the reference mask', (x) => dropout(x, 0.3, { seed: 99 }).ne(0).cast('int32'), (x) => ndMap(D.reference(x, 99, 0.3), (v) => Number(v !== 0)), [[[67, 9]], [[4099]]], { gens: [away0()], grad: false, exact: true }),
  row('dropout', 'dropout(1) drops everything', (x) => dropout(x, 1, { seed: 5 }), (x) => D.reference(x, 5, 1), [[[7]]]),
  row('dropout', 'dropout(0) and eval mode are the identity', (x) => dropout(dropout(x, 0, { seed: 5 }), 0.5, { training: false }), (x) => D.reference(x, 5, 0), [[[7]]]),
];

export const badInputs: BadInput[] = [
  bad('dropout', 'probability above 1', () => dropout(f32([3]), 1.5), sg.ValueError, /dropout.*probability.*1\.5/),
  bad('dropout', 'negative probability', () => dropout(f32([3]), -0.1), sg.ValueError, /dropout.*probability.*-0\.1/),
  bad('dropout', 'NaN probability', () => dropout(f32([3]), NaN), sg.ValueError, /dropout.*probability.*NaN/),
];
