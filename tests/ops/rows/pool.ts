// Pooling ops of the table: one line per case (awkward sizes, padding, dilation, batch 1), distinct
// well-separated inputs (no ties for max pooling, no kinks within the finite-difference step), gradients
// against central differences of the float64 reference in src/ops/pool.ts; then the bad inputs.
import * as sg from '../../../src/node/index.js';
import { adaptiveAvgPool2d, avgPool2d, globalAvgPool2d, maxPool2d, maxPool2dWithIndices, type AvgPool2dOptions, type MaxPool2dOptions } from '../../../src/ops/pool.js';
import { OPS } from '../../../src/ops/table.js';
import { bad, row, spaced, type BadInput, type OpRow, type RowOptions } from '../../helpers/opcheck.js';
import { disposed, f32 } from './inputs.js';

const P = OPS;
const POOL: RowOptions = { gens: [spaced()], gradAtol: 1e-3, gradPositions: 40 };
type K = number | [number, number];

const MAX: Array<[string, number[], K, MaxPool2dOptions]> = [
  ['2x2', [2, 3, 8, 6], 2, {}],
  ['3x3 stride 2 pad 1 odd', [1, 2, 9, 7], 3, { stride: 2, padding: 1 }],
  ['[3,2] stride [1,2] dilation 2', [2, 1, 9, 8], [3, 2], { stride: [1, 2], dilation: 2 }],
  ['overlapping 3x3 stride 1', [1, 2, 5, 5], 3, { stride: 1 }],
];
const AVG: Array<[string, number[], K, AvgPool2dOptions]> = [
  ['2x2', [2, 3, 8, 6], 2, { stride: 2, padding: 0, countIncludePad: true }],
  ['3x3 stride 2 pad 1 (counts padding)', [1, 2, 9, 7], 3, { stride: 2, padding: 1, countIncludePad: true }],
  ['3x3 stride 2 pad 1 (excludes padding)', [1, 2, 9, 7], 3, { stride: 2, padding: 1, countIncludePad: false }],
  ['3x2 stride 1', [2, 1, 5, 6], [3, 2], { stride: 1, padding: 0, countIncludePad: true }],
];
const ADAPTIVE: Array<[string, number[], [number, number]]> = [
  ['7x7 -> 3x3', [2, 2, 7, 7], [3, 3]],
  ['9x5 -> 4x2', [1, 3, 9, 5], [4, 2]],
  ['3x2 -> 5x4 (upsampling)', [1, 2, 3, 2], [5, 4]],
  ['-> 1x1', [2, 3, 5, 6], [1, 1]],
];

export const rows: OpRow[] = [
  ...MAX.map(([name, x, k, o]) => row('maxPool2d', `maxPool2d ${name}`, (t) => maxPool2d(t, k, o), (t) => P.maxPool2d.reference(t, k, o), [[x]], POOL)),
  ...MAX.map(([name, x, k, o]) =>
    row('maxPool2d', `maxPool2d indices ${name}`, (t) => maxPool2dWithIndices(t, k, o)[1], (t) => P.maxPool2d.indicesReference(t, k, o), [[x]], { ...POOL, grad: false, exact: true }),
  ),
  row('maxPool2d', 'maxPool2d 3-D input [C, H, W]', (t) => maxPool2d(t, 2, { stride: 1 }), (t) => P.maxPool2d.reference(t, 2, { stride: 1 }), [[[3, 5, 4]]], POOL),
  ...AVG.map(([name, x, k, o]) => row('avgPool2d', `avgPool2d ${name}`, (t) => avgPool2d(t, k, o), (t) => P.avgPool2d.reference(t, k, o), [[x]], POOL)),
  ...ADAPTIVE.map(([name, x, os]) => row('adaptiveAvgPool2d', `adaptiveAvgPool2d ${name}`, (t) => adaptiveAvgPool2d(t, os), (t) => P.adaptiveAvgPool2d.reference(t, os), [[x]], POOL)),
  row('globalAvgPool2d', null, (t) => globalAvgPool2d(t), P.globalAvgPool2d.reference, [[[2, 3, 5, 4]]], POOL),
];

const ints = (shape: number[]) => sg.zeros(shape, { dtype: 'int32' });

export const badInputs: BadInput[] = [
  bad('maxPool2d', 'int32 input', () => maxPool2d(ints([1, 1, 4, 4]), 2), sg.DTypeError, /maxPool2d: input must be float32, got int32 tensor of shape \[1, 1, 4, 4\]/),
  bad('maxPool2d', '2-D input', () => maxPool2d(f32([4, 4]), 2), sg.ShapeError, /maxPool2d: input must be 4-D \[N, C, H, W\] \(or 3-D \[C, H, W\]\), got shape \[4, 4\]/),
  bad('maxPool2d', 'kernel size 0', () => maxPool2d(f32([1, 1, 4, 4]), 0), sg.ValueError, /maxPool2d: kernel size must be integers >= 1, got \[0,0\]/),
  bad('maxPool2d', 'stride 0', () => maxPool2d(f32([1, 1, 4, 4]), 2, { stride: [1, 0] }), sg.ValueError, /maxPool2d: stride must be integers >= 1/),
  bad('maxPool2d', 'dilation 0', () => maxPool2d(f32([1, 1, 4, 4]), 2, { dilation: 0 }), sg.ValueError, /maxPool2d: dilation must be integers >= 1/),
  bad('maxPool2d', 'negative padding', () => maxPool2d(f32([1, 1, 4, 4]), 2, { padding: -1 }), sg.ValueError, /maxPool2d: padding must be integers >= 0/),
  bad('maxPool2d', 'padding over half the kernel', () => maxPool2d(f32([1, 1, 4, 4]), 2, { padding: 2 }), sg.ValueError, /maxPool2d: padding \[2, 2\] must be at most half of the \(dilated\) kernel 2x2/),
  bad('maxPool2d', 'kernel larger than the input', () => maxPool2d(f32([1, 1, 2, 2]), 3), sg.ShapeError, /maxPool2d: kernel 3x3 is larger than the padded input of shape \[1, 1, 2, 2\]/),
  bad('maxPool2d', 'the name given in the options', () => maxPool2d(f32([1, 1, 2, 2]), 3, { name: 'MaxPool2d(3x3)' }), sg.ShapeError, /MaxPool2d\(3x3\).*\[1, 1, 2, 2\]/),
  bad('maxPool2d', 'a disposed input', () => maxPool2d(disposed([1, 1, 4, 4]), 2), sg.DisposedTensorError, /disposed.*\[1, 1, 4, 4\]/),

  bad('avgPool2d', 'int32 input', () => avgPool2d(ints([1, 1, 4, 4]), 2), sg.DTypeError, /avgPool2d: input must be float32.*int32/),
  bad('avgPool2d', '5-D input', () => avgPool2d(f32([1, 1, 1, 4, 4]), 2), sg.ShapeError, /avgPool2d: input must be 4-D.*\[1, 1, 1, 4, 4\]/),
  bad('avgPool2d', 'fractional kernel size', () => avgPool2d(f32([1, 1, 4, 4]), 1.5), sg.ValueError, /avgPool2d: kernel size must be integers >= 1/),
  bad('avgPool2d', 'padding over half the kernel', () => avgPool2d(f32([1, 1, 4, 4]), 3, { padding: 2 }), sg.ValueError, /avgPool2d: padding \[2, 2\] must be at most half/),
  bad('avgPool2d', 'kernel larger than the input (3-D)', () => avgPool2d(f32([2, 3, 3]), 4), sg.ShapeError, /avgPool2d: kernel 4x4 is larger than the padded input of shape \[1, 2, 3, 3\]/),

  bad('adaptiveAvgPool2d', 'int32 input', () => adaptiveAvgPool2d(ints([1, 1, 4, 4]), 2), sg.DTypeError, /adaptiveAvgPool2d: input must be float32.*int32/),
  bad('adaptiveAvgPool2d', '2-D input', () => adaptiveAvgPool2d(f32([4, 4]), 2), sg.ShapeError, /adaptiveAvgPool2d: input must be 4-D.*\[4, 4\]/),
  bad('adaptiveAvgPool2d', 'output size 0', () => adaptiveAvgPool2d(f32([1, 1, 4, 4]), [2, 0]), sg.ValueError, /adaptiveAvgPool2d: output size must be positive integers, got \[2, 0\]/),
  bad('adaptiveAvgPool2d', 'empty input', () => adaptiveAvgPool2d(f32([1, 1, 0, 4]), 2), sg.ShapeError, /adaptiveAvgPool2d: empty input of shape \[1, 1, 0, 4\]/),

  bad('globalAvgPool2d', '3-D input', () => globalAvgPool2d(f32([2, 3, 3])), sg.ShapeError, /globalAvgPool2d: input must be 4-D \[N, C, H, W\], got shape \[2, 3, 3\]/),
];
