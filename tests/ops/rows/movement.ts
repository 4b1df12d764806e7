// Movement ops of the table: one line per op (or per special case), awkward shapes, and the bad inputs.
import * as sg from '../../../src/node/index.js';
import { pad } from '../../../src/ops/movement.js';
import { OPS } from '../../../src/ops/table.js';
import { bad, ids, row, uni, type BadInput, type OpRow } from '../../helpers/opcheck.js';
import { f32, ints } from './inputs.js';

const M = OPS;
const rowIds = ids((s) => s[0][0]); // row indices into a table
/** pad(x) into a shape larger by i + 2 on axis i, written at 1 on every axis. */
const grown = (shape: number[]) => shape.map((d, i) => d + 2 + i);
const ones = (shape: number[]) => shape.map(() => 1);

export const rows: OpRow[] = [
  row('reshape', null, (x) => x.reshape([6, 5]), (x) => M.reshape.reference(x, [6, 5]), [[[2, 3, 5]], [[30]]]),
  row('reshape', 'reshape(-1)', (x) => x.reshape([-1]), (x) => M.reshape.reference(x, [-1]), [[[]], [[2, 3, 5]], [[0, 3]]]),
  row('reshape', 'reshape of a transposed view', (x) => x.T.reshape([-1]), (x) => M.reshape.reference(M.transpose.reference(x), [-1]), [[[3, 5]], [[2, 3, 5]]]),
  row('flatten', 'flatten(1)', (x) => x.flatten(1), (x) => M.flatten.reference(x, 1), [[[2, 3, 5]], [[7, 1]]]),
  row('transpose', 'transpose(0, 2)', (x) => x.transpose(0, 2), (x) => M.transpose.reference(x, 0, 2), [[[2, 3, 5]]]),
  row('transpose', '.T', (x) => x.T, (x) => M.transpose.reference(x), [[[3, 5]], [[7]], [[0, 3]], [[67, 9]]]),
  row('permute', null, (x) => x.permute([2, 0, 1]), (x) => M.permute.reference(x, [2, 0, 1]), [[[2, 3, 5]], [[1, 7, 2]]]),
  row('expand', null, (x) => x.expand([3, 4]), (x) => M.expand.reference(x, [3, 4]), [[[3, 1]], [[1, 4]], [[4]], [[]]]),
  row('expand', 'expand to [2, 3, 5]', (x) => x.expand([2, 3, 5]), (x) => M.expand.reference(x, [2, 3, 5]), [[[5]], [[3, 1]], [[1, 3, 5]]]),
  row('expand', 'expand with -1', (x) => x.expand([2, -1, 5]), (x) => M.expand.reference(x, [2, -1, 5]), [[[3, 1]], [[1, 3, 5]]]),
  row('squeeze', null, (x) => x.squeeze(), (x) => M.squeeze.reference(x), [[[1, 7, 1]], [[1]], [[3, 5]]]),
  row('squeeze', 'squeeze(1)', (x) => x.squeeze(1), (x) => M.squeeze.reference(x, 1), [[[3, 1, 5]], [[3, 5]]]),
  row('unsqueeze', null, (x) => x.unsqueeze(-1), (x) => M.unsqueeze.reference(x, -1), [[[]], [[7]], [[3, 5]]]),
  row('slice', null, (x) => x.slice([1, -4], [-1, 8]), (x) => M.slice.reference(x, [1, -4], [-1, 8]), [[[3, 5]], [[7, 9]], [[4, 3, 5]]]),
  row('slice', 'slice to an empty strided view', (x) => x.slice([0, 2], [2, 1]), (x) => M.slice.reference(x, [0, 2], [2, 1]), [[[2, 3]], [[7, 9]]]),
  row('slice', 'slice empty and clamped', (x) => x.slice([2, 0], [2, 99]), (x) => M.slice.reference(x, [2, 0], [2, 99]), [[[3, 5]]]),
  row('slice', 'slice of a slice then exp', (x) => x.slice([1]).slice([0, 1], [2, 4]).exp(), (x) => M.exp.reference(M.slice.reference(M.slice.reference(x, [1]), [0, 1], [2, 4])), [[[4, 5]]]),
  row('pad', null, (x) => pad(x, grown(x.shape), ones(x.shape)), (x) => M.pad.reference(x, grown(x.shape), ones(x.shape)), [[[]], [[7]], [[2, 3, 5]], [[0, 3]]]),
  row('pad', 'pad of a transposed view', (x) => pad(x.T, [6, 4], [1, 0]), (x) => M.pad.reference(M.transpose.reference(x), [6, 4], [1, 0]), [[[3, 5]]]),
  row('cat', 'cat(0)', (a, b, c) => sg.cat([a, b, c], 0), (a, b, c) => M.cat.reference([a, b, c], 0), [[[2, 3], [0, 3], [5, 3]], [[1], [7], [2]]]),
  row('cat', 'cat(-1)', (a, b) => sg.cat([a, b], -1), (a, b) => M.cat.reference([a, b], -1), [[[2, 3, 5], [2, 3, 2]], [[3, 1], [3, 4]]]),
  row('cat', 'cat of views', (a, b) => sg.cat([a.T, b.slice([1])], 0), (a, b) => M.cat.reference([M.transpose.reference(a), M.slice.reference(b, [1])], 0), [[[5, 3], [4, 5]]]),
  row('stack', 'stack(1)', (a, b) => sg.stack([a, b], 1), (a, b) => M.stack.reference([a, b], 1), [[[3, 5], [3, 5]], [[7], [7]]]),
  row('stack', 'stack(0)', (a, b, c) => sg.stack([a, b, c]), (a, b, c) => M.stack.reference([a, b, c]), [[[], [], []], [[2, 3], [2, 3], [2, 3]]]),
  row('gather', null, (t, i) => t.gather(i), M.gather.reference, [[[10, 4], [7]], [[10, 4], [2, 3]], [[5], [9]], [[7, 2, 3], [4]], [[10, 4], [0]]], { gens: [uni(), rowIds] }),
  row('gather', 'gather from a sliced table', (t, i) => t.slice([2]).gather(i), (t, i) => M.gather.reference(M.slice.reference(t, [2]), i), [[[10, 4], [6]]], { gens: [uni(), ids(8)] }),
  row('gather', 'gather by indices computed on the GPU (one-hot gradient)', (t, i) => t.gather(i.float().int()), M.gather.reference, [[[10, 4], [7]], [[5], [2, 3]]], { gens: [uni(), rowIds] }),
  row('oneHot', null, (i) => sg.oneHot(i, 5), (i) => M.oneHot.reference(i, 5), [[[7]], [[1]], [[0]]], { gens: [ids(5)], grad: false }),
];

export const badInputs: BadInput[] = [
  bad('reshape', 'wrong size', () => f32([2, 3]).reshape([4, 2]), sg.ShapeError, /reshape.*\[2, 3\].*\[4, 2\]/),
  bad('reshape', 'two -1', () => f32([2, 3]).reshape([-1, -1]), sg.ShapeError, /reshape.*\[-1, -1\]/),
  bad('reshape', '-1 that does not divide', () => f32([2, 3]).reshape([4, -1]), sg.ShapeError, /reshape.*\[2, 3\].*\[4, -1\]/),
  bad('flatten', 'axis out of range', () => f32([2, 3]).flatten(2), sg.ShapeError, /flatten.*axis 2.*\[2, 3\]/),
  bad('transpose', 'axis out of range', () => f32([2, 3]).transpose(0, 2), sg.ShapeError, /transpose.*axis 2.*\[2, 3\]/),
  bad('permute', 'not a permutation', () => f32([2, 3, 4]).permute([0, 0, 1]), sg.ShapeError, /permute.*\[0,0,1\].*\[2, 3, 4\]/),
  bad('permute', 'wrong length', () => f32([2, 3, 4]).permute([1, 0]), sg.ShapeError, /permute.*\[1,0\].*\[2, 3, 4\]/),
  bad('expand', 'incompatible', () => f32([3, 2]).expand([3, 4]), sg.ShapeError, /expand.*\[3, 2\].*\[3, 4\]/),
  bad('squeeze', 'axis out of range', () => f32([1, 3]).squeeze(2), sg.ShapeError, /squeeze.*axis 2.*\[1, 3\]/),
  bad('unsqueeze', 'axis out of range', () => f32([3]).unsqueeze(3), sg.ShapeError, /unsqueeze.*axis 3.*\[3\]/),
  bad('slice', 'too many starts', () => f32([3]).slice([0, 0]), sg.ShapeError, /slice.*\[3\]/),
  bad('pad', 'does not fit', () => pad(f32([2, 3]), [3, 3], [0, 1]), sg.ShapeError, /pad.*\[2, 3\].*\[0,1\].*\[3, 3\]/),
  bad('pad', 'rank differs', () => pad(f32([2, 3]), [6], [0]), sg.ShapeError, /pad.*\[2, 3\].*\[6\]/),
  bad('cat', 'shapes differ', () => sg.cat([f32([2, 3]), f32([2, 4])], 0), sg.ShapeError, /cat.*\[2, 3\].*\[2, 4\]/),
  bad('cat', 'axis out of range', () => sg.cat([f32([2, 3]), f32([2, 3])], 2), sg.ShapeError, /cat.*axis 2.*\[2, 3\]/),
  bad('cat', 'no tensors', () => sg.cat([]), sg.ShapeError, /cat/),
  bad('cat', 'mixed dtypes', () => sg.cat([f32([2]), ints([1, 2])]), sg.DTypeError, /cat.*float32.*int32/),
  bad('stack', 'shapes differ', () => sg.stack([f32([2]), f32([3])]), sg.ShapeError, /(stack|cat).*\[1, 2\].*\[1, 3\]|stack.*\[2\].*\[3\]/),
  bad('gather', 'index out of range', () => f32([4, 2]).gather(ints([0, 4])), sg.ValueError, /gather.*4.*\[4, 2\]/),
  bad('gather', 'negative index', () => f32([4, 2]).gather(ints([-1])), sg.ValueError, /gather.*-1.*\[4, 2\]/),
  bad('gather', 'float indices', () => f32([4, 2]).gather(f32([2])), sg.DTypeError, /gather.*indices.*float32.*\[2\]/),
  bad('gather', 'scalar table', () => f32([]).gather(ints([0])), sg.ShapeError, /gather.*\[\]/),
  bad('oneHot', 'negative class count', () => sg.oneHot(ints([0, 1]), -2), sg.ValueError, /oneHot.*classes.*-2.*\[2\]/),
  bad('oneHot', 'fractional class count', () => sg.oneHot(ints([0, 1]), 2.5), sg.ValueError, /oneHot.*classes.*2\.5/),
];
