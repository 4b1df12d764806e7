// Graph ops of the table: segment sum / max / mean / softmax over an edge list. Awkward cases on purpose:
// 0 edges, 1 node (one segment), empty segments (indices into the first 3 of 7 segments), every edge
// into one segment, repeated indices (random ids over few segments), prime sizes, 1-D and 3-D rows.
import * as sg from '../../../src/node/index.js';
import { OPS } from '../../../src/ops/table.js';
import { bad, ids, row, spaced, uni, type BadInput, type Gen, type OpRow } from '../../helpers/opcheck.js';
import { f32, ints } from './inputs.js';

const G = OPS;
type SegmentOp = 'segmentSum' | 'segmentMax' | 'segmentMean' | 'segmentSoftmax';
const call = { segmentSum: sg.segmentSum, segmentMax: sg.segmentMax, segmentMean: sg.segmentMean, segmentSoftmax: sg.segmentSoftmax };

/** src [E, ...] and index [E]: 0 edges, 1 edge, primes, 1-D rows, 3-D rows. */
const EDGE_SHAPES = [[[0, 3], [0]], [[1, 1], [1]], [[13, 3], [13]], [[7], [7]], [[11, 2, 3], [11]]];

/** One row per op and segment layout: `into` segments reached by the indices, `segments` in the output. */
function segmentRows(op: SegmentOp, src: Gen): OpRow[] {
  const rowOf = (label: string, segments: number, into: number, inputs: number[][][]) =>
    row(op, `${op} ${label}`, (x, i) => call[op](x, i, segments), (x, i) => G[op].reference(x, i, segments), inputs, { gens: [src, ids(into)] });
  return [
    rowOf('into 5 segments (repeated indices)', 5, 5, EDGE_SHAPES),
    rowOf('with empty segments (indices < 3 of 7)', 7, 3, [[[13, 3], [13]], [[0, 2], [0]]]),
    rowOf('one node', 1, 1, [[[7, 2], [7]], [[1, 5], [1]]]),
    rowOf('17 segments, 61 edges', 17, 17, [[[61, 5], [61]]]),
  ];
}

export const rows: OpRow[] = [
  ...segmentRows('segmentSum', uni()),
  // distinct values: no ties within a segment, so central differences see a smooth max
  ...segmentRows('segmentMax', spaced()),
  ...segmentRows('segmentMean', uni()),
  ...segmentRows('segmentSoftmax', uni()),
  row('segmentSum', 'segmentSum of a transposed view', (x, i) => sg.segmentSum(x.T, i, 4), (x, i) => G.segmentSum.reference(G.transpose.reference(x), i, 4), [[[3, 5], [5]]], { gens: [uni(), ids(4)] }),
];

const index = (values: number[]) => ints(values);
const gpuIndex = () => ints([0, 1]).float().int(); // computed on the GPU: no host copy

export const badInputs: BadInput[] = [
  bad('segmentSum', 'index out of range', () => sg.segmentSum(f32([3, 2]), index([0, 4, 1]), 4), sg.ValueError, /segmentSum: index 4 at position 1 is out of range \[0, 4\)/),
  bad('segmentSum', 'negative index', () => sg.segmentSum(f32([2, 2]), index([-1, 0]), 4), sg.ValueError, /segmentSum: index -1 at position 0/),
  bad('segmentSum', 'index length differs from src rows', () => sg.segmentSum(f32([3, 2]), index([0, 1]), 4), sg.ShapeError, /segmentSum: index .* shape \[2\] for src of shape \[3, 2\]/),
  bad('segmentSum', 'float index', () => sg.segmentSum(f32([2, 2]), f32([2]), 4), sg.DTypeError, /segmentSum: index must be int32, got float32 tensor of shape \[2\]/),
  bad('segmentSum', 'int32 src', () => sg.segmentSum(ints([1, 2]), index([0, 1]), 4), sg.DTypeError, /segmentSum: src must be float32, got int32/),
  bad('segmentSum', 'scalar src', () => sg.segmentSum(f32([]), index([]), 4), sg.ShapeError, /segmentSum: src must have at least 1 dimension.*\[\]/),
  bad('segmentSum', 'negative numSegments', () => sg.segmentSum(f32([2, 2]), index([0, 1]), -1), sg.ValueError, /segmentSum: numSegments must be a non-negative integer, got -1/),
  bad('segmentSum', 'index computed on the GPU', () => sg.segmentSum(f32([2, 2]), gpuIndex(), 4), sg.ValueError, /segmentSum: index of shape \[2\] was computed on the GPU/),
  bad('segmentMax', 'index out of range', () => sg.segmentMax(f32([2, 2]), index([0, 2]), 2), sg.ValueError, /segmentMax: index 2 at position 1 is out of range \[0, 2\)/),
  bad('segmentMax', 'fractional numSegments', () => sg.segmentMax(f32([2, 2]), index([0, 1]), 2.5), sg.ValueError, /segmentMax: numSegments .* got 2\.5/),
  bad('segmentMean', 'index out of range', () => sg.segmentMean(f32([2, 2]), index([0, 9]), 3), sg.ValueError, /segmentMean: index 9 at position 1/),
  bad('segmentSoftmax', 'index of rank 2', () => sg.segmentSoftmax(f32([2, 2]), ints([0, 1], [1, 2]), 3), sg.ShapeError, /segmentSoftmax: index must be 1-D.*\[1, 2\]/),
  bad('segmentSoftmax', 'index computed on the GPU', () => sg.segmentSoftmax(f32([2, 2]), gpuIndex(), 3), sg.ValueError, /segmentSoftmax: index .* computed on the GPU/),
];
