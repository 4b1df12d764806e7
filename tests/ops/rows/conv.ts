// Convolution ops of the table: one line per case, both forward variants of conv2d (im2col, implicit GEMM)
// as separate rows (both run on every adapter: CONV_VARIANTS has no adapter requirement, so no row needs
// `unsupported`), gradients of sum(op * W) against central differences of the float64 reference in
// src/ops/conv.ts; then the bad inputs.
import * as sg from '../../../src/node/index.js';
import { col2im, conv1d, conv2d, conv2dGeometry, convTranspose2d, im2col, type Conv1dOptions, type Conv2dOptions, type ConvTranspose2dOptions } from '../../../src/ops/conv.js';
import { OPS } from '../../../src/ops/table.js';
import { bad, row, SUMS, uni, type BadInput, type OpRow, type RowOptions } from '../../helpers/opcheck.js';
import { disposed, f32 } from './inputs.js';

const C = OPS;
// values in [-1, 1), f32 sums over up to a few hundred taps; gradients at 20 positions of each input
const CONV: RowOptions = { ...SUMS, gradAtol: 1e-3, gradPositions: 20 };
const gens = (n: number) => ({ gens: Array.from({ length: n }, () => uni(-1, 1)) });

//   name                                x              w               options (bias unless said)
const CONV2D: Array<[string, number[], number[], Conv2dOptions, boolean?]> = [
  ['3x3 pad 1', [2, 3, 7, 6], [4, 3, 3, 3], { padding: 1 }],
  ['batch 1, 1 channel, 5x5 no pad', [1, 1, 9, 9], [2, 1, 5, 5], {}, false],
  ['stride 2, odd sizes', [2, 3, 9, 7], [5, 3, 3, 3], { stride: 2, padding: 1 }],
  ['stride [2,1] pad [0,2]', [1, 2, 8, 5], [3, 2, 3, 2], { stride: [2, 1], padding: [0, 2] }],
  ['dilation 2', [2, 2, 9, 9], [3, 2, 3, 3], { dilation: 2, padding: 2 }],
  ["padding 'same' even kernel", [1, 3, 6, 5], [2, 3, 4, 2], { padding: 'same' }],
  ["padding 'same' dilated", [2, 2, 7, 7], [3, 2, 3, 3], { padding: 'same', dilation: [2, 1] }],
  ['groups 2', [2, 4, 6, 6], [6, 2, 3, 3], { groups: 2, padding: 1 }],
  ['depthwise', [2, 3, 7, 5], [3, 1, 3, 3], { groups: 3, padding: 1, stride: 2 }],
  ['depthwise multiplier 2', [1, 2, 5, 5], [4, 1, 3, 3], { groups: 2 }],
  ['1x1 conv', [3, 5, 4, 4], [7, 5, 1, 1], {}],
  ['kernel = input', [2, 3, 4, 4], [2, 3, 4, 4], {}],
  ['resnet-like 16ch stride 2', [2, 16, 9, 9], [24, 16, 3, 3], { stride: 2, padding: 1 }],
];

const conv2dRows = (['im2col', 'implicit'] as const).flatMap((variant) =>
  CONV2D.map(([name, x, w, o, bias = true]) =>
    row('conv2d', `conv2d (${variant}) ${name}`, (x, w, b) => conv2d(x, w, b ?? null, { ...o, variant }), (x, w, b) => C.conv2d.reference(x, w, b ?? null, o), [bias ? [x, w, [w[0]]] : [x, w]], {
      ...CONV, ...gens(bias ? 3 : 2),
    }),
  ),
);

const CONV1D: Array<[string, number[], number[], Conv1dOptions]> = [
  ['k3 pad 1', [2, 3, 11], [4, 3, 3], { padding: 1 }],
  ['stride 2 dilation 2 groups 2', [1, 4, 13], [6, 2, 3], { stride: 2, dilation: 2, groups: 2 }],
];

const CONV_TRANSPOSE: Array<[string, number[], number[], ConvTranspose2dOptions]> = [
  ['stride 2 k3 pad 1 outputPadding 1', [2, 3, 4, 5], [3, 2, 3, 3], { stride: [2, 2], padding: [1, 1], outputPadding: [1, 1] }],
  ['stride 1 k2', [1, 2, 3, 3], [2, 3, 2, 2], {}],
  ['groups 2, dilation 2, stride [2,1]', [1, 4, 3, 4], [4, 1, 3, 2], { groups: 2, dilation: [2, 2], stride: [2, 1] }],
];

// im2col / col2im geometries: padding; stride, dilation and groups together
const GEOMETRIES: Array<[string, number[], number[], Conv2dOptions]> = [
  ['3x3 pad 1', [2, 3, 7, 6], [4, 3, 3, 3], { padding: 1 }],
  ['stride [2,1] dilation 2 groups 2', [1, 4, 9, 7], [4, 2, 3, 2], { stride: [2, 1], dilation: 2, groups: 2, padding: [1, 0] }],
];
const geometryRows = GEOMETRIES.flatMap(([name, x, w, o]) => {
  const g = conv2dGeometry('test', x, w, o);
  const cols = [g.G, (g.C / g.G) * g.KH * g.KW, g.N * g.OH * g.OW];
  return [
    row('im2col', `im2col ${name}`, (t) => im2col(t, g), (t) => C.im2col.reference(t, g), [[x]], { ...gens(1) }),
    row('col2im', `col2im ${name}`, (t) => col2im(t, g), (t) => C.col2im.reference(t, g), [[cols]], { ...SUMS, ...gens(1) }),
  ];
});

export const rows: OpRow[] = [
  ...geometryRows,
  ...conv2dRows,
  ...CONV1D.map(([name, x, w, o]) => row('conv1d', `conv1d ${name}`, (x, w, b) => conv1d(x, w, b, o), (x, w, b) => C.conv1d.reference(x, w, b, o), [[x, w, [w[0]]]], { ...CONV, ...gens(3) })),
  ...CONV_TRANSPOSE.map(([name, x, w, o]) =>
    row('convTranspose2d', `convTranspose2d ${name}`, (x, w, b) => convTranspose2d(x, w, b, o), (x, w, b) => C.convTranspose2d.reference(x, w, b, o), [[x, w, [w[1] * (o.groups ?? 1)]]], { ...CONV, ...gens(3) }),
  ),
];

const ints = (shape: number[]) => sg.zeros(shape, { dtype: 'int32' });
const g1 = conv2dGeometry('test', [1, 2, 5, 5], [3, 2, 3, 3], {});
const conv = (x: number[], w: number[], o: Conv2dOptions = {}, b: number[] | null = null) => () => conv2d(f32(x), f32(w), b && f32(b), o);
const convT = (x: number[], w: number[], o: ConvTranspose2dOptions = {}, b: number[] | null = null) => () => convTranspose2d(f32(x), f32(w), b && f32(b), o);

export const badInputs: BadInput[] = [
  bad('im2col', 'input shape not the geometry', () => im2col(f32([1, 2, 5, 6]), g1), sg.ShapeError, /im2col: input must be \[1, 2, 5, 5\].*\[1, 2, 5, 6\]/),
  bad('im2col', 'int32 input', () => im2col(ints([1, 2, 5, 5]), g1), sg.DTypeError, /im2col: input must be float32.*int32/),
  bad('col2im', 'columns shape not the geometry', () => col2im(f32([1, 18, 8]), g1), sg.ShapeError, /col2im: columns must be \[1, 18, 9\].*\[1, 18, 8\]/),

  bad('conv2d', 'int32 input', () => conv2d(ints([1, 1, 5, 5]), f32([2, 1, 3, 3])), sg.DTypeError, /conv2d: input must be float32.*int32.*\[1, 1, 5, 5\]/),
  bad('conv2d', 'int32 weight', () => conv2d(f32([1, 1, 5, 5]), ints([2, 1, 3, 3])), sg.DTypeError, /conv2d: weight must be float32.*int32/),
  bad('conv2d', 'int32 bias', () => conv2d(f32([1, 1, 5, 5]), f32([2, 1, 3, 3]), ints([2])), sg.DTypeError, /conv2d: bias must be float32/),
  bad('conv2d', 'non-4-D input', conv([1, 784], [2, 1, 3, 3]), sg.ShapeError, /conv2d: input must be 4-D \[N, C, H, W\], got shape \[1, 784\]/),
  bad('conv2d', 'non-4-D weight', conv([1, 1, 5, 5], [2, 9]), sg.ShapeError, /conv2d: weight must be 4-D.*\[2, 9\]/),
  bad('conv2d', 'channel mismatch', conv([1, 2, 5, 5], [4, 3, 3, 3]), sg.ShapeError, /conv2d: weight \[4, 3, 3, 3\].*expects input with 3 channels.*\[1, 2, 5, 5\] has 2 channels/),
  bad('conv2d', 'groups 0', conv([1, 2, 5, 5], [4, 2, 3, 3], { groups: 0 }), sg.ValueError, /conv2d: groups must be a positive integer, got 0/),
  bad('conv2d', 'groups not dividing the output channels', conv([1, 6, 5, 5], [4, 2, 3, 3], { groups: 3 }), sg.ShapeError, /groups \(3\) must divide the output channels of weight \[4, 2, 3, 3\]/),
  bad('conv2d', 'groups not dividing the input channels', conv([1, 6, 5, 5], [4, 2, 3, 3], { groups: 4 }), sg.ShapeError, /conv2d: groups \(4\) must divide the input channels \(6\) of input \[1, 6, 5, 5\]/),
  bad('conv2d', 'stride 0', conv([1, 1, 5, 5], [2, 1, 3, 3], { stride: 0 }), sg.ValueError, /conv2d: stride must be integers >= 1, got \[0,0\]/),
  bad('conv2d', 'fractional dilation', conv([1, 1, 5, 5], [2, 1, 3, 3], { dilation: 1.5 }), sg.ValueError, /conv2d: dilation must be integers >= 1/),
  bad('conv2d', 'negative padding', conv([1, 1, 5, 5], [2, 1, 3, 3], { padding: [-1, 0] }), sg.ValueError, /conv2d: padding must be integers >= 0, got \[-1,0\]/),
  bad('conv2d', 'empty kernel', conv([1, 1, 5, 5], [2, 1, 0, 3]), sg.ShapeError, /conv2d: empty kernel in weight \[2, 1, 0, 3\]/),
  bad('conv2d', "'same' with stride 2", conv([1, 1, 5, 5], [2, 1, 3, 3], { padding: 'same', stride: 2 }), sg.ValueError, /conv2d: padding 'same' needs stride 1/),
  bad('conv2d', 'kernel larger than the padded input', conv([1, 1, 2, 8], [2, 1, 5, 5], { padding: 1 }), sg.ShapeError, /conv2d: kernel 5x5.*larger than the padded input height 4 \(input \[1, 1, 2, 8\], padding 1\)/),
  bad('conv2d', 'bias shape', conv([1, 1, 5, 5], [2, 1, 3, 3], {}, [3]), sg.ShapeError, /conv2d: bias must be \[2\] for weight \[2, 1, 3, 3\], got shape \[3\]/),
  bad('conv2d', 'a disposed input', () => conv2d(disposed([1, 1, 5, 5]), f32([2, 1, 3, 3])), sg.DisposedTensorError, /disposed.*\[1, 1, 5, 5\]/),
  bad('conv2d', 'the name given in the options', conv([1, 4, 8, 8], [8, 3, 3, 3], { name: 'Conv2d(3, 8, kernel 3x3)' }), sg.ShapeError, /Conv2d\(3, 8, kernel 3x3\).*\[1, 4, 8, 8\] has 4 channels/),

  bad('conv1d', 'non-3-D input', () => conv1d(f32([1, 3, 4, 4]), f32([2, 3, 3])), sg.ShapeError, /conv1d: input must be 3-D \[N, C, L\], got shape \[1, 3, 4, 4\]/),
  bad('conv1d', 'non-3-D weight', () => conv1d(f32([1, 3, 9]), f32([2, 3, 1, 3])), sg.ShapeError, /conv1d: weight must be 3-D.*\[2, 3, 1, 3\]/),
  bad('conv1d', 'channel mismatch (named conv1d)', () => conv1d(f32([1, 2, 9]), f32([2, 3, 3])), sg.ShapeError, /conv1d: weight \[2, 3, 1, 3\].*expects input with 3 channels/),
  bad('conv1d', 'stride 0', () => conv1d(f32([1, 3, 9]), f32([2, 3, 3]), null, { stride: 0 }), sg.ValueError, /conv1d: stride must be integers >= 1/),
  bad('conv1d', 'kernel longer than the input', () => conv1d(f32([1, 3, 2]), f32([2, 3, 5])), sg.ShapeError, /conv1d: kernel 1x5.*larger than the padded input width 2/),

  bad('convTranspose2d', 'int32 input', () => convTranspose2d(ints([1, 2, 3, 3]), f32([2, 3, 2, 2])), sg.DTypeError, /convTranspose2d: input must be float32.*int32/),
  bad('convTranspose2d', 'int32 weight', () => convTranspose2d(f32([1, 2, 3, 3]), ints([2, 3, 2, 2])), sg.DTypeError, /convTranspose2d: weight must be float32.*int32/),
  bad('convTranspose2d', 'non-4-D input', convT([2, 3, 3], [2, 3, 2, 2]), sg.ShapeError, /convTranspose2d: input must be 4-D.*\[2, 3, 3\]/),
  bad('convTranspose2d', 'non-4-D weight', convT([1, 2, 3, 3], [2, 3, 2]), sg.ShapeError, /convTranspose2d: weight must be 4-D \[in, out\/groups, kH, kW\].*\[2, 3, 2\]/),
  bad('convTranspose2d', 'groups 0', convT([1, 2, 3, 3], [2, 3, 2, 2], { groups: 0 }), sg.ValueError, /convTranspose2d: groups must be a positive integer, got 0/),
  bad('convTranspose2d', 'groups not dividing the input channels', convT([1, 3, 3, 3], [3, 1, 2, 2], { groups: 2 }), sg.ShapeError, /convTranspose2d: groups \(2\) must divide the input channels \(3\) of input \[1, 3, 3, 3\]/),
  bad('convTranspose2d', 'channel mismatch', convT([1, 2, 3, 3], [3, 3, 2, 2]), sg.ShapeError, /convTranspose2d: weight \[3, 3, 2, 2\] expects input with 3 channels, but input \[1, 2, 3, 3\] has 2 channels/),
  bad('convTranspose2d', 'stride 0', convT([1, 2, 3, 3], [2, 3, 2, 2], { stride: 0 }), sg.ValueError, /convTranspose2d: stride must be integers >= 1/),
  bad('convTranspose2d', 'dilation 0', convT([1, 2, 3, 3], [2, 3, 2, 2], { dilation: [1, 0] }), sg.ValueError, /convTranspose2d: dilation must be integers >= 1/),
  bad('convTranspose2d', 'negative padding', convT([1, 2, 3, 3], [2, 3, 2, 2], { padding: -1 }), sg.ValueError, /convTranspose2d: padding must be integers >= 0/),
  bad('convTranspose2d', 'negative outputPadding', convT([1, 2, 3, 3], [2, 3, 2, 2], { outputPadding: -1 }), sg.ValueError, /convTranspose2d: outputPadding must be integers >= 0/),
  bad('convTranspose2d', 'outputPadding not below stride', convT([1, 2, 3, 3], [2, 3, 2, 2], { stride: 2, outputPadding: 2 }), sg.ValueError, /convTranspose2d: outputPadding \[2, 2\] must be smaller than stride or dilation/),
  bad('convTranspose2d', 'empty output', convT([1, 2, 1, 1], [2, 3, 2, 2], { padding: 1 }), sg.ShapeError, /convTranspose2d: output would be empty \(0x0\) for input \[1, 2, 1, 1\]/),
  bad('convTranspose2d', 'bias shape', convT([1, 2, 3, 3], [2, 3, 2, 2], {}, [2]), sg.ShapeError, /convTranspose2d: bias must be \[3\] for weight \[2, 3, 2, 2\], got shape \[2\]/),
];
