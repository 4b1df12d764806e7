// Interpolation ops of the table: one line per case (1x1 inputs, primes, non-square planes, up- and
// downsampling to sizes that do not divide, an empty batch), gradients against central differences of
// the float64 references in src/ops/interpolate.ts; then the bad inputs.
import * as sg from '../../../src/node/index.js';
import { interpolate, upsampleBilinear2d, upsampleNearest2d, type InterpolateOptions, type UpsampleBilinear2dOptions, type UpsampleNearest2dOptions } from '../../../src/ops/interpolate.js';
import { OPS } from '../../../src/ops/table.js';
import { bad, row, type BadInput, type OpRow, type RowOptions } from '../../helpers/opcheck.js';
import { disposed, f32 } from './inputs.js';

const P = OPS;
const OPTS: RowOptions = { gradAtol: 1e-3, gradPositions: 40 };

const NEAREST: Array<[string, number[], UpsampleNearest2dOptions]> = [
  ['scale 2', [2, 3, 4, 5], { scaleFactor: 2 }],
  ['scale [3, 2] on 1x1', [1, 2, 1, 1], { scaleFactor: [3, 2] }],
  ['size 7x11 from 3x5 (primes, non-dividing)', [1, 2, 3, 5], { size: [7, 11] }],
  ['downsample 7x6 -> 3x4', [2, 1, 7, 6], { size: [3, 4] }],
  ['same size', [1, 3, 5, 2], { size: [5, 2] }],
  ['empty batch', [0, 2, 3, 3], { scaleFactor: 2 }],
];
const BILINEAR: Array<[string, number[], UpsampleBilinear2dOptions]> = [
  ['scale 2', [2, 3, 4, 5], { scaleFactor: 2 }],
  ['scale 2, alignCorners', [2, 3, 4, 5], { scaleFactor: 2, alignCorners: true }],
  ['1x1 -> 3x2', [1, 2, 1, 1], { size: [3, 2] }],
  ['1x1 -> 3x2, alignCorners', [1, 2, 1, 1], { size: [3, 2], alignCorners: true }],
  ['size 7x11 from 3x5 (primes)', [1, 2, 3, 5], { size: [7, 11] }],
  ['size 7x11 from 3x5, alignCorners', [1, 2, 3, 5], { size: [7, 11], alignCorners: true }],
  ['downsample 7x6 -> 3x4', [2, 1, 7, 6], { size: [3, 4] }],
  ['downsample 13x5 -> 4x1, alignCorners', [1, 2, 13, 5], { size: [4, 1], alignCorners: true }],
  ['scale [1, 3] non-square', [1, 1, 2, 7], { scaleFactor: [1, 3] }],
  ['empty batch', [0, 2, 3, 3], { scaleFactor: 2 }],
];
const FRONT: Array<[string, number[], InterpolateOptions]> = [
  ['default mode (nearest), scale 2', [1, 2, 3, 2], { scaleFactor: 2 }],
  ['bilinear, size 5', [1, 1, 2, 3], { size: 5, mode: 'bilinear' }],
];

export const rows: OpRow[] = [
  ...NEAREST.map(([name, x, o]) => row('upsampleNearest2d', `upsampleNearest2d ${name}`, (t) => upsampleNearest2d(t, o), (t) => P.upsampleNearest2d.reference(t, o), [[x]], OPTS)),
  ...BILINEAR.map(([name, x, o]) => row('upsampleBilinear2d', `upsampleBilinear2d ${name}`, (t) => upsampleBilinear2d(t, o), (t) => P.upsampleBilinear2d.reference(t, o), [[x]], OPTS)),
  ...FRONT.map(([name, x, o]) => row('interpolate', `interpolate ${name}`, (t) => interpolate(t, o), (t) => P.interpolate.reference(t, o), [[x]], OPTS)),
  row('upsampleBilinear2d', 'upsampleBilinear2d of a transposed (strided) view', (t) => upsampleBilinear2d(t.transpose(2, 3), { size: [5, 4] }), (t) => P.upsampleBilinear2d.reference(transposeHW(t), { size: [5, 4] }), [[[2, 2, 3, 2]]], OPTS),
];

/** x [N, C, H, W] with H and W swapped, in float64. */
function transposeHW(x: { shape: number[]; data: Float64Array }) {
  const [N, C, H, W] = x.shape;
  const out = new Float64Array(x.data.length);
  for (let nc = 0; nc < N * C; nc++) for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) out[(nc * W + j) * H + i] = x.data[(nc * H + i) * W + j];
  return { shape: [N, C, W, H], data: out };
}

const ints = (shape: number[]) => sg.zeros(shape, { dtype: 'int32' });

export const badInputs: BadInput[] = [
  bad('upsampleNearest2d', 'int32 input', () => upsampleNearest2d(ints([1, 1, 2, 2]), { scaleFactor: 2 }), sg.DTypeError, /upsampleNearest2d: input must be float32, got int32 tensor of shape \[1, 1, 2, 2\]/),
  bad('upsampleNearest2d', '3-D input', () => upsampleNearest2d(f32([1, 2, 2]), { scaleFactor: 2 }), sg.ShapeError, /upsampleNearest2d: input must be 4-D \[N, C, H, W\], got shape \[1, 2, 2\]/),
  bad('upsampleNearest2d', 'empty plane', () => upsampleNearest2d(f32([1, 1, 0, 2]), { scaleFactor: 2 }), sg.ShapeError, /upsampleNearest2d: input must have non-empty C, H and W, got shape \[1, 1, 0, 2\]/),
  bad('upsampleNearest2d', 'neither size nor scaleFactor', () => upsampleNearest2d(f32([1, 1, 2, 2])), sg.ValueError, /upsampleNearest2d: give exactly one of size and scaleFactor, got neither/),
  bad('upsampleNearest2d', 'both size and scaleFactor', () => upsampleNearest2d(f32([1, 1, 2, 2]), { size: 4, scaleFactor: 2 }), sg.ValueError, /upsampleNearest2d: give exactly one of size and scaleFactor, got both/),
  bad('upsampleNearest2d', 'fractional scale factor', () => upsampleNearest2d(f32([1, 1, 2, 2]), { scaleFactor: 1.5 }), sg.ValueError, /upsampleNearest2d: scaleFactor \(only integer factors\) must be a positive integer or a pair of them, got 1.5/),
  bad('upsampleNearest2d', 'size 0', () => upsampleNearest2d(f32([1, 1, 2, 2]), { size: [4, 0] }), sg.ValueError, /upsampleNearest2d: size must be a positive integer or a pair of them, got \[4,0\]/),
  bad('upsampleNearest2d', 'a size of three numbers', () => upsampleNearest2d(f32([1, 1, 2, 2]), { size: [4, 4, 4] as unknown as [number, number] }), sg.ValueError, /upsampleNearest2d: size must be a positive integer or a pair of them, got \[4,4,4\]/),
  bad('upsampleNearest2d', 'a disposed input', () => upsampleNearest2d(disposed([1, 1, 2, 2]), { scaleFactor: 2 }), sg.DisposedTensorError, /disposed.*\[1, 1, 2, 2\]/),
  bad('upsampleBilinear2d', 'int32 input', () => upsampleBilinear2d(ints([1, 1, 2, 2]), { scaleFactor: 2 }), sg.DTypeError, /upsampleBilinear2d: input must be float32.*int32/),
  bad('upsampleBilinear2d', 'alignCorners not a boolean', () => upsampleBilinear2d(f32([1, 1, 2, 2]), { scaleFactor: 2, alignCorners: 1 as unknown as boolean }), sg.ValueError, /upsampleBilinear2d: alignCorners must be a boolean/),
  bad('upsampleBilinear2d', 'empty channels', () => upsampleBilinear2d(f32([1, 0, 2, 2]), { size: 3 }), sg.ShapeError, /upsampleBilinear2d: input must have non-empty C, H and W, got shape \[1, 0, 2, 2\]/),
  bad('interpolate', 'unknown mode', () => interpolate(f32([1, 1, 2, 2]), { scaleFactor: 2, mode: 'bicubic' as 'bilinear' }), sg.ValueError, /interpolate: mode must be 'nearest' or 'bilinear', got string "bicubic"/),
  bad('interpolate', 'alignCorners with nearest', () => interpolate(f32([1, 1, 2, 2]), { scaleFactor: 2, alignCorners: false }), sg.ValueError, /interpolate: alignCorners can only be set with mode 'bilinear', not 'nearest'/),
  bad('interpolate', 'an unknown option', () => interpolate(f32([1, 1, 2, 2]), { scale: 2 } as InterpolateOptions), sg.ValueError, /interpolate: unknown option 'scale'/),
  bad('interpolate', 'bilinear on a 2-D input', () => interpolate(f32([2, 2]), { scaleFactor: 2, mode: 'bilinear' }), sg.ShapeError, /interpolate: input must be 4-D \[N, C, H, W\], got shape \[2, 2\]/),
];
