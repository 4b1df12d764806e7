// Convolutions (NCHW). Two primitives, each the other's gradient: im2col (the column matrix of a
// convolution) and col2im (its adjoint). conv2d = matmul(weight, im2col(x)) per group, or the implicit-GEMM
// kernel (same gradient rule); conv1d is conv2d over a height of 1; convTranspose2d = col2im(weightᵀ @ x),
// so its gradients come from the primitives with no code of its own.
import { isContiguous } from '../graph/node.js';
import { chooseConvVariant, col2imKernel, colsShape, convImplicitKernel, convOutSize, im2colKernel, type ConvGeometry, type ConvVariant } from '../kernels/conv.js';
import { DTypeError, ShapeError, ValueError } from '../core/errors.js';
import { runtime } from '../runtime/runtime.js';
import { shapeStr } from '../core/shape.js';
import { noGrad, type Tensor } from '../tensor/tensor.js';
import { contiguous } from './elementwise.js';
import { kernelNode, withGrad } from './lower.js';

export type Pair = number | [number, number];
export type Padding = Pair | 'same' | 'valid';

export interface Conv2dOptions {
  stride?: Pair;
  /** Zeros on each side, 'valid' (0) or 'same' (output size = input size; stride 1; extra zero at the end when odd). */
  padding?: Padding;
  dilation?: Pair;
  groups?: number;
  /** Forward kernel: 'im2col' or 'implicit' (default: chooseConvVariant by shape). */
  variant?: ConvVariant;
  /** Name used in error messages (modules pass their own, e.g. "Conv2d(1, 6, kernel 5x5)"). */
  name?: string;
}

export interface ConvTranspose2dOptions {
  stride?: Pair;
  padding?: Pair;
  outputPadding?: Pair;
  dilation?: Pair;
  groups?: number;
  name?: string;
}

const pair = (v: Pair): [number, number] => (Array.isArray(v) ? [v[0], v[1]] : [v, v]);

function checkInts(name: string, what: string, v: [number, number], min: number): void {
  if (v.some((d) => !Number.isInteger(d) || d < min)) throw new ValueError(`${name}: ${what} must be integers >= ${min}, got [${v}]`);
}

function checkFloat(name: string, arg: string, t: Tensor): void {
  if (t.dtype !== 'float32') throw new DTypeError(`${name}: ${arg} must be float32, got ${t.dtype} tensor of shape ${shapeStr(t.shape)}`);
}

// ---- the two primitives ------------------------------------------------------------------------

/** Plans are cached by structure: a kernel node's key must carry every attribute of its kernel. */
const geometryKey = (g: ConvGeometry): string => `(${Object.values(g).join(',')})`;

/** The column matrix [G, C/G*KH*KW, N*OH*OW] of x [N, C, H, W] under geometry `g`. */
export function im2col(x: Tensor, g: ConvGeometry): Tensor {
  const cols = kernelNode(`im2col${geometryKey(g)}`, [x], colsShape(g), 'float32', (node, caps) => [
    { spec: im2colKernel(g, node.inputs[0].view, caps), bind: [{ input: 0 }, { output: true }] },
  ]);
  return withGrad(cols, 'im2col', [x], (gc) => [col2im(gc, g)]);
}

/** The adjoint of im2col: cols [G, C/G*KH*KW, N*OH*OW] summed back onto [N, C, H, W]. */
export function col2im(cols: Tensor, g: ConvGeometry): Tensor {
  const src = isContiguous(cols.view) ? cols : contiguous(cols);
  const x = kernelNode(`col2im${geometryKey(g)}`, [src], [g.N, g.C, g.H, g.W], 'float32', (node, caps) => [
    { spec: col2imKernel(g, node.inputs[0].view.offset, caps), bind: [{ input: 0 }, { output: true }] },
  ]);
  return withGrad(x, 'col2im', [cols], (gx) => [im2col(gx, g)]);
}

// ---- conv2d --------------------------------------------------------------------------------------

/** Geometry of conv2d(x, w) with the options, after checking everything; errors name `name` and the shapes. */
export function conv2dGeometry(name: string, xShape: number[], wShape: number[], o: Conv2dOptions): ConvGeometry {
  if (xShape.length !== 4) throw new ShapeError(`${name}: input must be 4-D [N, C, H, W], got shape ${shapeStr(xShape)}`);
  if (wShape.length !== 4) throw new ShapeError(`${name}: weight must be 4-D [out, in/groups, kH, kW], got shape ${shapeStr(wShape)}`);
  const [N, C, H, W] = xShape;
  const [O, CG, KH, KW] = wShape;
  const G = o.groups ?? 1;
  if (!Number.isInteger(G) || G < 1) throw new ValueError(`${name}: groups must be a positive integer, got ${G}`);
  if (O % G !== 0) throw new ShapeError(`${name}: groups (${G}) must divide the output channels of weight ${shapeStr(wShape)}`);
  if (C % G !== 0) throw new ShapeError(`${name}: groups (${G}) must divide the input channels (${C}) of input ${shapeStr(xShape)}`);
  if (CG * G !== C)
    throw new ShapeError(`${name}: weight ${shapeStr(wShape)} with groups=${G} expects input with ${CG * G} channels, but input ${shapeStr(xShape)} has ${C} channels`);
  const [SH, SW] = pair(o.stride ?? 1);
  const [DH, DW] = pair(o.dilation ?? 1);
  checkInts(name, 'stride', [SH, SW], 1);
  checkInts(name, 'dilation', [DH, DW], 1);
  if ([KH, KW].some((k) => k < 1)) throw new ShapeError(`${name}: empty kernel in weight ${shapeStr(wShape)}`);
  const pad = o.padding ?? 0;
  let PH: number, PW: number, OH: number, OW: number;
  if (pad === 'same') {
    if (SH !== 1 || SW !== 1) throw new ValueError(`${name}: padding 'same' needs stride 1, got stride [${SH}, ${SW}]`);
    // total padding d*(k-1), the odd one on the bottom/right (as PyTorch); the output keeps the input size
    [PH, PW] = [Math.floor((DH * (KH - 1)) / 2), Math.floor((DW * (KW - 1)) / 2)];
    [OH, OW] = [H, W];
  } else {
    [PH, PW] = pad === 'valid' ? [0, 0] : pair(pad);
    checkInts(name, 'padding', [PH, PW], 0);
    for (const [size, k, p, d, dim] of [[H, KH, PH, DH, 'height'], [W, KW, PW, DW, 'width']] as const)
      if (size + 2 * p < d * (k - 1) + 1)
        throw new ShapeError(`${name}: kernel ${KH}x${KW} (dilation [${DH}, ${DW}]) is larger than the padded input ${dim} ${size + 2 * p} (input ${shapeStr(xShape)}, padding ${p})`);
    OH = convOutSize(H, KH, SH, PH, DH);
    OW = convOutSize(W, KW, SW, PW, DW);
  }
  return { N, C, H, W, O, G, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW };
}

/** 2-D convolution: x [N, C, H, W], w [O, C/groups, kH, kW], b [O] or null → [N, O, OH, OW]. */
export function conv2d(x: Tensor, w: Tensor, b: Tensor | null = null, o: Conv2dOptions = {}): Tensor {
  const name = o.name ?? 'conv2d';
  checkFloat(name, 'input', x);
  checkFloat(name, 'weight', w);
  const g = conv2dGeometry(name, x.shape, w.shape, o);
  if (b) {
    checkFloat(name, 'bias', b);
    if (b.rank !== 1 || b.shape[0] !== g.O) throw new ShapeError(`${name}: bias must be [${g.O}] for weight ${shapeStr(w.shape)}, got shape ${shapeStr(b.shape)}`);
  }
  const variant = o.variant ?? chooseConvVariant(g, runtime().caps);
  const { G, O, N, OH, OW } = g;
  const OG = O / G;
  const L = N * OH * OW;
  const ck = (g.C / G) * g.KH * g.KW;
  const wc = isContiguous(w.view) ? w.detach() : noGrad(() => contiguous(w));
  const w3 = wc.reshape([G, OG, ck]);
  let cols: Tensor | null = null;
  const y = noGrad(() => {
    let out: Tensor;
    if (variant === 'im2col') {
      cols = im2col(x.detach(), g);
      out = w3.matmul(cols).reshape([O, N, OH, OW]).permute([1, 0, 2, 3]);
    } else {
      out = kernelNode(`conv2dImplicitGemm${geometryKey(g)}`, [x.detach(), wc], [N, O, OH, OW], 'float32', (node, caps) => [
        { spec: convImplicitKernel(g, node.inputs[0].view, node.inputs[1].view.offset, caps), bind: [{ input: 0 }, { input: 1 }, { output: true }] },
      ]);
    }
    return b ? out.add(b.detach().reshape([1, O, 1, 1])) : out;
  });
  return withGrad(y, 'conv2d', b ? [x, w, b] : [x, w], (gy) => {
    // the output gradient as the matmul's output: [G, O/G, N*OH*OW]
    const gF = gy.permute([1, 0, 2, 3]).reshape([G, OG, L]);
    return [
      x.requiresGrad ? col2im(w3.transpose(-2, -1).matmul(gF), g) : null,
      w.requiresGrad ? gF.matmul((cols ?? im2col(x.detach(), g)).transpose(-2, -1)).reshape(w.shape) : null,
      b?.requiresGrad ? gy.sum([0, 2, 3]) : null,
    ];
  });
}

/** 1-D convolution: x [N, C, L], w [O, C/groups, k] → [N, O, L'] (conv2d over a height of 1). */
export function conv1d(x: Tensor, w: Tensor, b: Tensor | null = null, o: { stride?: number; padding?: number | 'same' | 'valid'; dilation?: number; groups?: number; variant?: ConvVariant; name?: string } = {}): Tensor {
  const name = o.name ?? 'conv1d';
  if (x.rank !== 3) throw new ShapeError(`${name}: input must be 3-D [N, C, L], got shape ${shapeStr(x.shape)}`);
  if (w.rank !== 3) throw new ShapeError(`${name}: weight must be 3-D [out, in/groups, k], got shape ${shapeStr(w.shape)}`);
  const p = o.padding ?? 0;
  const y = conv2d(x.unsqueeze(2), w.unsqueeze(2), b, {
    stride: [1, o.stride ?? 1], dilation: [1, o.dilation ?? 1], groups: o.groups, variant: o.variant, name,
    padding: typeof p === 'number' ? [0, p] : p,
  });
  return y.squeeze(2);
}

/**
 * Transposed convolution (the gradient of conv2d with respect to its input): x [N, Cin, H, W],
 * w [Cin, Cout/groups, kH, kW] → [N, Cout, (H-1)*s - 2p + d*(k-1) + outputPadding + 1, ...].
 */
export function convTranspose2d(x: Tensor, w: Tensor, b: Tensor | null = null, o: ConvTranspose2dOptions = {}): Tensor {
  const name = o.name ?? 'convTranspose2d';
  checkFloat(name, 'input', x);
  checkFloat(name, 'weight', w);
  if (x.rank !== 4) throw new ShapeError(`${name}: input must be 4-D [N, C, H, W], got shape ${shapeStr(x.shape)}`);
  if (w.rank !== 4) throw new ShapeError(`${name}: weight must be 4-D [in, out/groups, kH, kW], got shape ${shapeStr(w.shape)}`);
  const [N, CIN, H, W] = x.shape;
  const [WIN, OG, KH, KW] = w.shape;
  const G = o.groups ?? 1;
  if (!Number.isInteger(G) || G < 1) throw new ValueError(`${name}: groups must be a positive integer, got ${G}`);
  if (CIN % G !== 0) throw new ShapeError(`${name}: groups (${G}) must divide the input channels (${CIN}) of input ${shapeStr(x.shape)}`);
  if (WIN !== CIN) throw new ShapeError(`${name}: weight ${shapeStr(w.shape)} expects input with ${WIN} channels, but input ${shapeStr(x.shape)} has ${CIN} channels`);
  const [SH, SW] = pair(o.stride ?? 1);
  const [PH, PW] = pair(o.padding ?? 0);
  const [OPH, OPW] = pair(o.outputPadding ?? 0);
  const [DH, DW] = pair(o.dilation ?? 1);
  checkInts(name, 'stride', [SH, SW], 1);
  checkInts(name, 'dilation', [DH, DW], 1);
  checkInts(name, 'padding', [PH, PW], 0);
  checkInts(name, 'outputPadding', [OPH, OPW], 0);
  if (OPH >= Math.max(SH, DH) || OPW >= Math.max(SW, DW))
    throw new ValueError(`${name}: outputPadding [${OPH}, ${OPW}] must be smaller than stride or dilation ([${SH}, ${SW}], [${DH}, ${DW}])`);
  const HO = (H - 1) * SH - 2 * PH + DH * (KH - 1) + OPH + 1;
  const WO = (W - 1) * SW - 2 * PW + DW * (KW - 1) + OPW + 1;
  if (HO < 1 || WO < 1) throw new ShapeError(`${name}: output would be empty (${HO}x${WO}) for input ${shapeStr(x.shape)} and weight ${shapeStr(w.shape)}`);
  const COUT = OG * G;
  if (b && (b.rank !== 1 || b.shape[0] !== COUT)) throw new ShapeError(`${name}: bias must be [${COUT}] for weight ${shapeStr(w.shape)}, got shape ${shapeStr(b.shape)}`);
  // the convolution whose input gradient this is: input [N, COUT, HO, WO] -> output [N, CIN, H, W]
  const g: ConvGeometry = { N, C: COUT, H: HO, W: WO, O: CIN, G, KH, KW, SH, SW, PH, PW, DH, DW, OH: H, OW: W };
  const cg = CIN / G;
  const xF = x.permute([1, 0, 2, 3]).reshape([G, cg, N * H * W]);
  const cols = w.reshape([G, cg, OG * KH * KW]).transpose(-2, -1).matmul(xF);
  const y = col2im(cols, g);
  return b ? y.add(b.reshape([1, COUT, 1, 1])) : y;
}
