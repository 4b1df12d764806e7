// int8 ops of the table: packing (rounding, clamping, the tail of a row), the GEMM in both variants, fake
// quantization per tensor and per channel; and the bad inputs.
import * as sg from '../../../src/node/index.js';
import { hasPackedDot } from '../../../src/kernels/quant.js';
import { OPS } from '../../../src/ops/table.js';
import { fakeQuantize, int8Matmul, int8Pack } from '../../../src/ops/quant.js';
import { runtime } from '../../../src/runtime/runtime.js';
import { bad, fixed, grid, row, type BadInput, type Gen, type OpRow } from '../../helpers/opcheck.js';
import { f32, ints } from './inputs.js';

/** Scales that are powers of two, so x / scale is exact and rounding is the same on every side. */
const pow2: Gen = fixed({ make: (n, r) => Array.from({ length: n }, () => 2 ** (Math.floor(r() * 3) - 1)) });
/** Values near integers (±0.1) from −260 to 260: far from the .5 ties, and past ±127 to clamp. */
const nearInts = fixed(grid(0, -260, 260));
/** Packed words: any 32-bit pattern is four int8 values. */
const words: Gen = { int: true, make: (n, r) => Array.from({ length: n }, () => Math.floor(r() * 2 ** 32) - 2 ** 31) };
const scales = fixed({ make: (n, r) => Array.from({ length: n }, () => 0.01 + 0.1 * r()) });
const noDot4 = () => (hasPackedDot(runtime().caps) ? null : `the adapter's WGSL lacks dot4I8Packed (packed_4x8_integer_dot_product)`);
const mm = (variant: 'dot4' | 'unpack') => (a: sg.Tensor, w: sg.Tensor, as: sg.Tensor, ws: sg.Tensor) => int8Matmul(a, w, as, ws, { variant });
const MM_SHAPES = [[[1, 1], [1, 1], [1], [1]], [[7, 5], [13, 5], [7], [13]], [[64, 97], [10, 97], [64], [10]], [[0, 3], [4, 3], [0], [4]], [[3, 0], [2, 0], [3], [2]]];

export const rows: OpRow[] = [
  row('int8Pack', null, (x, s) => int8Pack(x, s), OPS.int8Pack.reference, [[[1, 1], [1]], [[5, 7], [5]], [[3, 8], [3]], [[2, 131], [2]], [[0, 5], [0]], [[4, 0], [4]]], { gens: [nearInts, pow2], exact: true, grad: false }),
  row('int8Matmul', 'int8Matmul dot4', mm('dot4'), OPS.int8Matmul.reference, MM_SHAPES, { gens: [words, words, scales, scales], grad: false, unsupported: noDot4 }),
  row('int8Matmul', 'int8Matmul unpack', mm('unpack'), OPS.int8Matmul.reference, MM_SHAPES, { gens: [words, words, scales, scales], grad: false }),
  row('fakeQuantize', 'fakeQuantize per tensor', (x, s) => fakeQuantize(x, s), OPS.fakeQuantize.reference, [[[1], [1]], [[3, 7], []], [[2, 3, 5], [1]], [[0, 4], []]], { gens: [nearInts, pow2], grad: false }),
  row('fakeQuantize', 'fakeQuantize per channel', (x, s) => fakeQuantize(x, s), OPS.fakeQuantize.reference, [[[6, 4], [6, 1]], [[2, 3, 5, 5], [3, 1, 1]]], { gens: [nearInts, pow2], grad: false }),
];

export const badInputs: BadInput[] = [
  bad('int8Pack', 'int32 input', () => int8Pack(ints([1, 2]).reshape([1, 2]), f32([1])), sg.DTypeError, /int8Pack: input must be float32, got int32/),
  bad('int8Pack', '1-D input', () => int8Pack(f32([4]), f32([4])), sg.ShapeError, /int8Pack: input must be \[rows, k\], got shape \[4\]/),
  bad('int8Pack', 'scale length', () => int8Pack(f32([3, 4]), f32([4])), sg.ShapeError, /int8Pack: scale must be \[3\].*got \[4\]/),
  bad('int8Matmul', 'float a', () => int8Matmul(f32([2, 2]), ints([1, 2]).reshape([1, 2]), f32([2]), f32([1])), sg.DTypeError, /int8Matmul: a must be int32/),
  bad('int8Matmul', 'different K', () => int8Matmul(ints([1, 2]).reshape([1, 2]), ints([1, 2, 3]).reshape([1, 3]), f32([1]), f32([1])), sg.ShapeError, /int8Matmul: a \[M, K\/4\] and w \[N, K\/4\] must be packed along the same K, got shapes \[1, 2\] and \[1, 3\]/),
  bad('int8Matmul', 'wScale length', () => int8Matmul(ints([1, 2]).reshape([1, 2]), ints([1, 2]).reshape([1, 2]), f32([1]), f32([2])), sg.ShapeError, /int8Matmul: wScale must be \[1\], got \[2\]/),
  bad('int8Matmul', 'unknown variant', () => int8Matmul(ints([1]).reshape([1, 1]), ints([1]).reshape([1, 1]), f32([1]), f32([1]), { variant: 'fast' as never }), sg.ValueError, /int8Matmul: variant must be one of dot4, unpack, got "fast"/),
  bad('fakeQuantize', 'scale does not broadcast', () => fakeQuantize(f32([2, 3]), f32([2])), sg.ShapeError, /fakeQuantize: scale of shape \[2\] does not broadcast to input \[2, 3\]/),
  bad('fakeQuantize', 'int32 scale', () => fakeQuantize(f32([2]), ints([1])), sg.DTypeError, /fakeQuantize: scale must be float32/),
];
