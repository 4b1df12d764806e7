// Normalization ops of the table (batchNorm, layerNorm, groupNorm): one line per case, awkward shapes, and the bad inputs.
import * as sg from '../../../src/node/index.js';
import { batchNorm, groupNorm, layerNorm } from '../../../src/ops/norm.js';
import { OPS } from '../../../src/ops/table.js';
import { bad, fixed, row, spaced, uni, type BadInput, type Gen, type OpRow } from '../../helpers/opcheck.js';
import { f32 } from './inputs.js';

const N = OPS;
/** These exact values (a hand-checked case). */
const given = (values: number[]): Gen => ({ make: () => values });

// batch norm: distinct, well-separated values; statistics summed over N·inner values
const BN_TRAIN = { gens: [spaced(), spaced(), spaced()], gradRtol: 1e-3, gradAtol: 1e-3, gradPositions: 40 };
const BN_EVAL = { gens: [uni(), fixed(uni()), fixed(uni(0.5, 2)), uni(0.5, 1.5), uni()], gradRtol: 1e-3, gradAtol: 1e-3, gradPositions: 40 };
const withC = (xs: number[][]) => xs.map((x) => [x, [x[1]], [x[1]]]);
const evalShapes = (xs: number[][]) => xs.map((x) => [x, [x[1]], [x[1]], [x[1]], [x[1]]]);

// layer norm: x in [-2, 2), weight in [0.5, 1.5), bias in [-1, 1)
const LN = { gens: [uni(-2, 2), uni(0.5, 1.5), uni(-1, 1)], atol: 2e-5, gradRtol: 3e-3, gradAtol: 3e-4, gradPositions: 30 };
const lastDim = (xs: number[][]) => xs.map((x) => [x, [x[x.length - 1]], [x[x.length - 1]]]);

// group norm: the layer-norm inputs, weight and bias per channel
const GN = LN;
const perChannel = (xs: number[][]) => xs.map((x) => [x, [x[1]], [x[1]]]);

export const rows: OpRow[] = [
  row('batchNorm', 'batchNorm training, affine', (x, w, b) => batchNorm(x, null, null, { weight: w, bias: b }), (x, w, b) => N.batchNorm.reference(x, null, null, { weight: w, bias: b }),
    withC([[5, 3], [3, 2, 7], [1, 3, 4, 5], [4, 2, 3, 3]]), BN_TRAIN),
  row('batchNorm', 'batchNorm training, no affine', (x) => batchNorm(x, null, null), (x) => N.batchNorm.reference(x, null, null), [[[3, 4, 5]]], BN_TRAIN),
  row('batchNorm', 'batchNorm evaluation (running statistics), affine',
    (x, m, v, w, b) => batchNorm(x, m, v, { training: false, weight: w, bias: b }), (x, m, v, w, b) => N.batchNorm.reference(x, m, v, { training: false, weight: w, bias: b }),
    evalShapes([[2, 2], [2, 3, 4, 5]]), BN_EVAL),
  row('batchNorm', 'batchNorm evaluation, eps 0, hand-checked values',
    (x, m, v, w, b) => batchNorm(x, m, v, { training: false, eps: 0, weight: w, bias: b }), (x, m, v, w, b) => N.batchNorm.reference(x, m, v, { training: false, eps: 0, weight: w, bias: b }),
    evalShapes([[2, 2]]), { gens: [given([1, 2, 3, 5]), fixed(given([1, 2])), fixed(given([4, 9])), given([2, 1]), given([0, 1])] }),

  row('layerNorm', 'layerNorm over the last dim, affine', (x, w, b) => layerNorm(x, [w.shape[0]], w, b), (x, w, b) => N.layerNorm.reference(x, w.shape, w, b), lastDim([[1, 5], [3, 7], [2, 3, 16]]), LN),
  row('layerNorm', 'layerNorm over the last two dims, affine', (x, w, b) => layerNorm(x, w.shape, w, b), (x, w, b) => N.layerNorm.reference(x, w.shape, w, b), [[[2, 3, 5], [3, 5], [3, 5]]], LN),
  row('layerNorm', 'layerNorm, no affine, eps 0.1', (x) => layerNorm(x, [9], null, null, 0.1), (x) => N.layerNorm.reference(x, [9], null, null, 0.1), [[[4, 9]], [[9]]], LN),

  row('groupNorm', 'groupNorm 2 groups, 4-D, affine', (x, w, b) => groupNorm(x, 2, w, b), (x, w, b) => N.groupNorm.reference(x, 2, w, b), perChannel([[2, 6, 3, 5], [1, 4, 7, 1]]), GN),
  row('groupNorm', 'groupNorm 3 groups, 3-D (prime length), affine', (x, w, b) => groupNorm(x, 3, w, b), (x, w, b) => N.groupNorm.reference(x, 3, w, b), perChannel([[3, 9, 13]]), GN),
  row('groupNorm', 'groupNorm 1 group (layer norm over C and space)', (x, w, b) => groupNorm(x, 1, w, b), (x, w, b) => N.groupNorm.reference(x, 1, w, b), perChannel([[2, 5, 4]]), GN),
  row('groupNorm', 'groupNorm one channel per group (instance norm), no affine, eps 0.1', (x) => groupNorm(x, 4, null, null, 0.1), (x) => N.groupNorm.reference(x, 4, null, null, 0.1), [[[3, 4, 2, 3]]], GN),
];

export const badInputs: BadInput[] = [
  bad('batchNorm', 'input of rank 1', () => batchNorm(f32([3]), null, null), sg.ShapeError, /batchNorm: input must be \[N, C, \.\.\.\], got shape \[3\]/),
  bad('batchNorm', 'weight of another channel count', () => batchNorm(f32([2, 3]), null, null, { weight: f32([4]) }), sg.ShapeError, /batchNorm: weight must be \[3\] for input \[2, 3\] \(3 channels\), got shape \[4\]/),
  bad('batchNorm', 'running mean of another channel count', () => batchNorm(f32([2, 3, 4]), f32([2]), f32([3]), { training: false }), sg.ShapeError, /batchNorm: runningMean must be \[3\].*got shape \[2\]/),
  bad('batchNorm', 'one value per channel when training', () => batchNorm(f32([1, 3]), null, null), sg.ValueError, /batchNorm: expected more than 1 value per channel when training, got input of shape \[1, 3\]/),
  bad('batchNorm', 'evaluation without running statistics', () => batchNorm(f32([2, 3]), null, null, { training: false }), sg.ValueError, /batchNorm: evaluation mode needs running statistics/),
  bad('layerNorm', 'input not ending with the normalized shape', () => layerNorm(f32([2, 3, 4]), [3]), sg.ShapeError, /layerNorm: input of shape \[2, 3, 4\] does not end with the normalized shape \[3\]/),
  bad('layerNorm', 'normalized shape longer than the input', () => layerNorm(f32([4]), [2, 4]), sg.ShapeError, /layerNorm: input of shape \[4\] does not end with the normalized shape \[2, 4\]/),
  bad('layerNorm', 'empty normalized shape', () => layerNorm(f32([4]), []), sg.ShapeError, /layerNorm: input of shape \[4\] does not end with the normalized shape \[\]/),
  bad('layerNorm', 'weight of another shape', () => layerNorm(f32([2, 4]), [4], f32([2, 2])), sg.ShapeError, /layerNorm: weight must have the normalized shape \[4\], got \[2, 2\]/),
  bad('layerNorm', 'bias of another shape', () => layerNorm(f32([2, 4]), [4], null, f32([3])), sg.ShapeError, /layerNorm: bias must have the normalized shape \[4\], got \[3\]/),
  bad('layerNorm', 'negative eps', () => layerNorm(f32([2, 4]), [4], null, null, -1), sg.ValueError, /layerNorm: eps must be a finite number >= 0, got -1/),
  bad('groupNorm', 'groups that do not divide the channels', () => groupNorm(f32([2, 6, 4]), 4), sg.ShapeError, /groupNorm: numGroups \(4\) must divide the channels \(6\) of input \[2, 6, 4\]/),
  bad('groupNorm', 'zero groups', () => groupNorm(f32([2, 6, 4]), 0), sg.ValueError, /groupNorm: numGroups must be a positive integer, got 0/),
  bad('groupNorm', 'weight of another channel count', () => groupNorm(f32([2, 6, 4]), 3, f32([4])), sg.ShapeError, /groupNorm: weight must be \[6\] for input \[2, 6, 4\], got shape \[4\]/),
  bad('groupNorm', 'input of rank 1', () => groupNorm(f32([6]), 3), sg.ShapeError, /groupNorm: input must be \[N, C, \.\.\.\], got shape \[6\]/),
];
