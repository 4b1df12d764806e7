// softmax and logSoftmax of the table: along any axis, of views, with large logits; and the bad inputs.
import * as sg from '../../../src/node/index.js';
import { OPS } from '../../../src/ops/table.js';
import { bad, row, uni, type BadInput, type OpRow } from '../../helpers/opcheck.js';
import { disposed, f32 } from './inputs.js';

const ROWS = [[[1]], [[7]], [[3, 5]], [[2, 3, 5]], [[67, 9]], [[0, 3]]];
const { softmax, logSoftmax } = OPS;

export const rows: OpRow[] = [
  row('softmax', 'softmax(-1)', (x) => x.softmax(-1), (x) => softmax.reference(x, -1), ROWS),
  row('softmax', 'softmax(0)', (x) => x.softmax(0), (x) => softmax.reference(x, 0), [[[7]], [[3, 5]], [[2, 3, 5]]]),
  row('softmax', 'softmax(1) of 3-D', (x) => x.softmax(1), (x) => softmax.reference(x, 1), [[[2, 3, 5]]]),
  row('softmax', 'softmax large logits', (x) => x.softmax(-1), (x) => softmax.reference(x, -1), [[[3, 5]], [[67, 9]]], { gens: [uni(-40, 60)] }),
  row('logSoftmax', 'logSoftmax(-1)', (x) => x.logSoftmax(-1), (x) => logSoftmax.reference(x, -1), ROWS),
  row('logSoftmax', 'logSoftmax(0)', (x) => x.logSoftmax(0), (x) => logSoftmax.reference(x, 0), [[[7]], [[3, 5]], [[2, 3, 5]]]),
  row('logSoftmax', 'logSoftmax large logits', (x) => x.logSoftmax(-1), (x) => logSoftmax.reference(x, -1), [[[3, 5]], [[67, 9]]], { gens: [uni(1000, 1010)], atol: 1e-3 }),
  row('softmax', 'softmax of a transposed view', (x) => x.T.softmax(-1), (x) => softmax.reference(OPS.transpose.reference(x), -1), [[[3, 5]], [[2, 3, 5]]]),
];

export const badInputs: BadInput[] = [
  bad('softmax', 'axis out of range', () => f32([2, 3]).softmax(2), sg.ShapeError, /softmax.*axis 2.*\[2, 3\]/),
  bad('logSoftmax', 'axis out of range', () => f32([4]).logSoftmax(1), sg.ShapeError, /logSoftmax.*axis 1.*\[4\]/),
  bad('softmax', 'a disposed input', () => disposed([3]).softmax(), sg.DisposedTensorError, /disposed.*\[3\]/),
  bad('logSoftmax', 'a disposed input', () => disposed([3]).logSoftmax(), sg.DisposedTensorError, /disposed.*\[3\]/),
];
