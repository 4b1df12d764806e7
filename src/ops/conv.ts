// Convolutions (NCHW). Two primitives, each the other's gradient: im2col (the column matrix of a
// convolution) and col2im (its adjoint). conv2d = matmul(weight, im2col(x)) per group, or the implicit-GEMM
// kernel (same gradient rule); conv1d is conv2d over a height of 1; convTranspose2d = col2im(weightᵀ @ x),
// so its gradients come from the primitives with no code of its own. Each entry of CONV_OPS holds the shape
// rule the op functions below use, the gradient rule, and an independent float64 reference (the textbook
// loops, written from PyTorch's documented semantics, not from the kernels).
import { isContiguous } from '../graph/node.js';
import { CONV_VARIANTS, chooseConvVariant, col2imKernel, colsShape, convImplicitKernel, im2colKernel, type ConvGeometry, type ConvVariant } from '../kernels/conv.js';
import { DTypeError, ShapeError, ValueError } from '../core/errors.js';
import type { Nd } from '../core/nd.js';
import { runtime } from '../runtime/runtime.js';
import { convOutSize, pair, sameShape, shapeStr, type Pair } from '../core/shape.js';
import { checkOptions, type OptionRule } from '../core/options.js';
import { noGrad, type Tensor } from '../tensor/tensor.js';
import { contiguous } from './elementwise.js';
import { kernelNode, withGrad } from './record.js';
import { composite, primitive, type OutputSpec, type TensorMeta } from './op.js';

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

export interface Conv1dOptions {
  stride?: number;
  padding?: number | 'same' | 'valid';
  dilation?: number;
  groups?: number;
  variant?: ConvVariant;
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


/**
 * The option keys of conv2d and conv1d besides `name` (the values are checked by the geometry rule), variant
 * one of CONV_VARIANTS; and those of convTranspose2d. The layers take these plus bias and seed.
 */
export const CONV_OPTIONS: Record<Exclude<keyof Conv2dOptions, 'name'>, OptionRule> = {
  stride: 'any', padding: 'any', dilation: 'any', groups: 'any', variant: CONV_VARIANTS.map((v) => v.name),
};
export const CONV_TRANSPOSE_OPTIONS: Record<Exclude<keyof ConvTranspose2dOptions, 'name'>, OptionRule> = {
  stride: 'any', padding: 'any', outputPadding: 'any', dilation: 'any', groups: 'any',
};

function checkInts(name: string, what: string, v: [number, number], min: number): void {
  if (v.some((d) => !Number.isInteger(d) || d < min)) throw new ValueError(`${name}: ${what} must be integers >= ${min}, got [${v}]`);
}

function checkFloat(name: string, arg: string, t: TensorMeta): void {
  if (t.dtype !== 'float32') throw new DTypeError(`${name}: ${arg} must be float32, got ${t.dtype} tensor of shape ${shapeStr(t.shape)}`);
}

/** The input of im2col / col2im must be the shape the geometry says (they are only ever called by the convolutions). */
function checkGeometryShape(op: string, arg: string, t: TensorMeta, want: number[]): void {
  checkFloat(op, arg, t);
  if (!sameShape(t.shape, want)) throw new ShapeError(`${op}: ${arg} must be ${shapeStr(want)} for its geometry, got shape ${shapeStr(t.shape)}`);
}

/** Geometry of conv2d(x, w) with the options, after checking everything; errors name `name` and the shapes. */
export function conv2dGeometry(name: string, xShape: number[], wShape: number[], o: Conv2dOptions): ConvGeometry {
  checkOptions(name, o, { ...CONV_OPTIONS, name: 'any' });
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

/** Plans are cached by structure: a kernel node's key must carry every attribute of its kernel. */
const geometryKey = (g: ConvGeometry): string => `(${Object.values(g).join(',')})`;

// ---- float64 references ----------------------------------------------------------------------------

/** Visits every (column-matrix index, input index) pair of im2col under `g` whose input position lies inside the input. */
function forEachTap(g: ConvGeometry, visit: (col: number, input: number) => void): void {
  const { N, C, H, W, G, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW } = g;
  const CG = C / G;
  const K = CG * KH * KW;
  const L = N * OH * OW;
  for (let grp = 0; grp < G; grp++)
    for (let cg = 0; cg < CG; cg++)
      for (let ky = 0; ky < KH; ky++)
        for (let kx = 0; kx < KW; kx++) {
          const row = (grp * K + (cg * KH + ky) * KW + kx) * L;
          for (let n = 0; n < N; n++)
            for (let oy = 0; oy < OH; oy++) {
              const iy = oy * SH - PH + ky * DH;
              if (iy < 0 || iy >= H) continue;
              for (let ox = 0; ox < OW; ox++) {
                const ix = ox * SW - PW + kx * DW;
                if (ix < 0 || ix >= W) continue;
                visit(row + (n * OH + oy) * OW + ox, ((n * C + grp * CG + cg) * H + iy) * W + ix);
              }
            }
        }
}

/** cols[grp, (cg*KH + ky)*KW + kx, (n*OH + oy)*OW + ox] = x[n, grp*C/G + cg, oy*SH - PH + ky*DH, ox*SW - PW + kx*DW] (0 outside). */
function im2colReference(x: Nd, g: ConvGeometry): Nd {
  const { N, C, H, W, G, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW } = g;
  const CG = C / G;
  const K = CG * KH * KW;
  const L = N * OH * OW;
  const out = new Float64Array(G * K * L);
  forEachTap(g, (col, input) => (out[col] = x.data[input]));
  return { shape: [G, K, L], data: out };
}

/** The adjoint of im2colReference: every column entry added back at the input position it was read from. */
function col2imReference(cols: Nd, g: ConvGeometry): Nd {
  const { N, C, H, W, G, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW } = g;
  const CG = C / G;
  const K = CG * KH * KW;
  const L = N * OH * OW;
  const out = new Float64Array(N * C * H * W);
  forEachTap(g, (col, input) => (out[input] += cols.data[col]));
  return { shape: [N, C, H, W], data: out };
}

/** y[n, o, oy, ox] = b[o] + sum_{c in group, ky, kx} x[n, c, oy*s - p + ky*d, ...] * w[o, c - g*Cg, ky, kx]. */
function conv2dReference(x: Nd, w: Nd, b: Nd | null, o: Conv2dOptions = {}): Nd {
  const [N, C, H, W] = x.shape;
  const [O, CG, KH, KW] = w.shape;
  const G = o.groups ?? 1;
  const [sh, sw] = pair(o.stride ?? 1);
  const [dh, dw] = pair(o.dilation ?? 1);
  let ph: number, pw: number, OH: number, OW: number;
  if (o.padding === 'same') {
    ph = Math.floor((dh * (KH - 1)) / 2);
    pw = Math.floor((dw * (KW - 1)) / 2);
    [OH, OW] = [H, W];
  } else {
    [ph, pw] = o.padding === 'valid' ? [0, 0] : pair(o.padding ?? 0);
    OH = Math.floor((H + 2 * ph - dh * (KH - 1) - 1) / sh) + 1;
    OW = Math.floor((W + 2 * pw - dw * (KW - 1) - 1) / sw) + 1;
  }
  const OG = O / G;
  const out = new Float64Array(N * O * OH * OW);
  for (let n = 0; n < N; n++)
    for (let oc = 0; oc < O; oc++) {
      const grp = Math.floor(oc / OG);
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          let acc = b ? b.data[oc] : 0;
          for (let cg = 0; cg < CG; cg++) {
            const c = grp * CG + cg;
            for (let ky = 0; ky < KH; ky++) {
              const iy = oy * sh - ph + ky * dh;
              if (iy < 0 || iy >= H) continue;
              for (let kx = 0; kx < KW; kx++) {
                const ix = ox * sw - pw + kx * dw;
                if (ix < 0 || ix >= W) continue;
                acc += x.data[((n * C + c) * H + iy) * W + ix] * w.data[((oc * CG + cg) * KH + ky) * KW + kx];
              }
            }
          }
          out[((n * O + oc) * OH + oy) * OW + ox] = acc;
        }
    }
  return { shape: [N, O, OH, OW], data: out };
}

/** conv1d via the 2-D loops: x [N, C, L], w [O, C/G, k]. */
function conv1dReference(x: Nd, w: Nd, b: Nd | null, o: Conv1dOptions = {}): Nd {
  const p = o.padding ?? 0;
  const y = conv2dReference({ shape: [x.shape[0], x.shape[1], 1, x.shape[2]], data: x.data }, { shape: [w.shape[0], w.shape[1], 1, w.shape[2]], data: w.data }, b, {
    stride: [1, o.stride ?? 1], padding: typeof p === 'number' ? [0, p] : p, dilation: [1, o.dilation ?? 1], groups: o.groups,
  });
  return { shape: [y.shape[0], y.shape[1], y.shape[3]], data: y.data };
}

/** Transposed convolution by scattering: every x[n, ci, iy, ix] adds x * w[ci, co', ky, kx] at (iy*s - p + ky*d, ...). */
function convTranspose2dReference(x: Nd, w: Nd, b: Nd | null, o: ConvTranspose2dOptions = {}): Nd {
  const [N, CIN, H, W] = x.shape;
  const [, OG, KH, KW] = w.shape;
  const G = o.groups ?? 1;
  const [sh, sw] = pair(o.stride ?? 1);
  const [ph, pw] = pair(o.padding ?? 0);
  const [oph, opw] = pair(o.outputPadding ?? 0);
  const [dh, dw] = pair(o.dilation ?? 1);
  const HO = (H - 1) * sh - 2 * ph + dh * (KH - 1) + oph + 1;
  const WO = (W - 1) * sw - 2 * pw + dw * (KW - 1) + opw + 1;
  const COUT = OG * G;
  const CG = CIN / G;
  const out = new Float64Array(N * COUT * HO * WO);
  if (b) for (let n = 0; n < N; n++) for (let c = 0; c < COUT; c++) out.fill(b.data[c], (n * COUT + c) * HO * WO, (n * COUT + c + 1) * HO * WO);
  for (let n = 0; n < N; n++)
    for (let ci = 0; ci < CIN; ci++) {
      const grp = Math.floor(ci / CG);
      for (let iy = 0; iy < H; iy++)
        for (let ix = 0; ix < W; ix++) {
          const v = x.data[((n * CIN + ci) * H + iy) * W + ix];
          for (let og = 0; og < OG; og++)
            for (let ky = 0; ky < KH; ky++) {
              const y = iy * sh - ph + ky * dh;
              if (y < 0 || y >= HO) continue;
              for (let kx = 0; kx < KW; kx++) {
                const xx = ix * sw - pw + kx * dw;
                if (xx < 0 || xx >= WO) continue;
                out[((n * COUT + grp * OG + og) * HO + y) * WO + xx] += v * w.data[((ci * OG + og) * KH + ky) * KW + kx];
              }
            }
        }
    }
  return { shape: [N, COUT, HO, WO], data: out };
}

// ---- the table entries -------------------------------------------------------------------------------

const IM2COL_KERNELS = { module: 'kernels/conv.ts', variants: 'one variant (shaders/conv_im2col.wgsl, direction im2col / col2im)' };

/** What conv2d's forward pass keeps for its gradient rule. */
export interface Conv2dSaved {
  x: Tensor;
  /** The weight as the matmul's [G, O/G, C/G*KH*KW] (contiguous, detached). */
  w3: Tensor;
  wShape: number[];
  g: ConvGeometry;
  /** The forward column matrix when the im2col variant ran (the weight gradient reuses it). */
  cols: Tensor | null;
}

export const CONV_OPS = {
  im2col: primitive({
    doc: 'the column matrix [G, C/G*KH*KW, N*OH*OW] of x [N, C, H, W] under a convolution geometry (torch.nn.functional.unfold, per group)',
    shape: (x: TensorMeta, g: ConvGeometry): OutputSpec => {
      checkGeometryShape('im2col', 'input', x, [g.N, g.C, g.H, g.W]);
      return { shape: colsShape(g), dtype: 'float32' };
    },
    kernel: IM2COL_KERNELS,
    grad: (gc: Tensor, g: ConvGeometry) => col2im(gc, g),
    reference: im2colReference,
  }),
  col2im: primitive({
    doc: 'the adjoint of im2col: a column matrix summed back onto [N, C, H, W] (torch.nn.functional.fold, per group)',
    shape: (cols: TensorMeta, g: ConvGeometry): OutputSpec => {
      checkGeometryShape('col2im', 'columns', cols, colsShape(g));
      return { shape: [g.N, g.C, g.H, g.W], dtype: 'float32' };
    },
    kernel: IM2COL_KERNELS,
    grad: (gx: Tensor, g: ConvGeometry) => im2col(gx, g),
    reference: col2imReference,
  }),
  conv2d: primitive({
    doc: 'x [N, C, H, W] * w [O, C/groups, kH, kW] + b [O] -> [N, O, OH, OW] (cross-correlation, as torch.nn.functional.conv2d)',
    /** The output and the geometry conv2d runs with; every check of the inputs and options. */
    shape: (x: TensorMeta, w: TensorMeta, b: TensorMeta | null, o: Conv2dOptions = {}): OutputSpec & { geometry: ConvGeometry } => {
      const name = o?.name ?? 'conv2d';
      checkFloat(name, 'input', x);
      checkFloat(name, 'weight', w);
      const g = conv2dGeometry(name, x.shape, w.shape, o);
      if (b) {
        checkFloat(name, 'bias', b);
        if (b.shape.length !== 1 || b.shape[0] !== g.O) throw new ShapeError(`${name}: bias must be [${g.O}] for weight ${shapeStr(w.shape)}, got shape ${shapeStr(b.shape)}`);
      }
      return { shape: [g.N, g.O, g.OH, g.OW], dtype: 'float32', geometry: g };
    },
    kernel: {
      module: 'kernels/conv.ts',
      variants:
        "chooseConvVariant (kernels/conv.ts, measured there): 'implicit' (implicit GEMM, shaders/conv_implicit.wgsl) on software adapters " +
        "when the column depth (C/groups)*kH*kW <= IMPLICIT_MAX_DEPTH (160), else 'im2col' (im2col then the tiled matmul); options.variant overrides",
    },
    /** Input gradient col2im(w3ᵀ @ gF), weight gradient gF @ colsᵀ, bias gradient the sum over N, OH, OW. */
    grad: (gy: Tensor, s: Conv2dSaved, needs: { x: boolean; w: boolean; b: boolean }): [Tensor | null, Tensor | null, Tensor | null] => {
      const { G, O, N, OH, OW } = s.g;
      // the output gradient as the matmul's output: [G, O/G, N*OH*OW]
      const gF = gy.permute([1, 0, 2, 3]).reshape([G, O / G, N * OH * OW]);
      return [
        needs.x ? col2im(s.w3.transpose(-2, -1).matmul(gF), s.g) : null,
        needs.w ? gF.matmul((s.cols ?? im2col(s.x, s.g)).transpose(-2, -1)).reshape(s.wShape) : null,
        needs.b ? gy.sum([0, 2, 3]) : null,
      ];
    },
    reference: conv2dReference,
  }),
  conv1d: composite({
    doc: 'x [N, C, L] * w [O, C/groups, k] + b [O] -> [N, O, L\'] (conv2d over a height of 1)',
    of: ['conv2d', 'reshape'],
    reference: conv1dReference,
  }),
  convTranspose2d: composite({
    doc: 'transposed convolution, the input gradient of conv2d: x [N, Cin, H, W], w [Cin, Cout/groups, kH, kW] -> [N, Cout, HO, WO] (col2im(wᵀ @ x))',
    of: ['matmul', 'col2im', 'reshape', 'permute', 'add'],
    reference: convTranspose2dReference,
  }),
};

// ---- the two primitives ------------------------------------------------------------------------

/** The column matrix [G, C/G*KH*KW, N*OH*OW] of x [N, C, H, W] under geometry `g`. */
export function im2col(x: Tensor, g: ConvGeometry): Tensor {
  const def = CONV_OPS.im2col;
  const out = def.shape(x, g);
  const cols = kernelNode(`im2col${geometryKey(g)}`, [x], out.shape, out.dtype, (node, caps) => [
    { spec: im2colKernel(g, node.inputs[0].view, caps), bind: [{ input: 0 }, { output: true }] },
  ]);
  return withGrad(cols, 'im2col', [x], (gc) => [def.grad(gc, g)]);
}

/** The adjoint of im2col: cols [G, C/G*KH*KW, N*OH*OW] summed back onto [N, C, H, W]. */
export function col2im(cols: Tensor, g: ConvGeometry): Tensor {
  const def = CONV_OPS.col2im;
  const out = def.shape(cols, g);
  const src = isContiguous(cols.view) ? cols : contiguous(cols);
  const x = kernelNode(`col2im${geometryKey(g)}`, [src], out.shape, out.dtype, (node, caps) => [
    { spec: col2imKernel(g, node.inputs[0].view.offset, caps), bind: [{ input: 0 }, { output: true }] },
  ]);
  return withGrad(x, 'col2im', [cols], (gx) => [def.grad(gx, g)]);
}

// ---- conv2d --------------------------------------------------------------------------------------

/** 2-D convolution: x [N, C, H, W], w [O, C/groups, kH, kW], b [O] or null → [N, O, OH, OW]. */
export function conv2d(x: Tensor, w: Tensor, b: Tensor | null = null, o: Conv2dOptions = {}): Tensor {
  const def = CONV_OPS.conv2d;
  const { geometry: g, shape } = def.shape(x, w, b, o);
  const variant = o.variant ?? chooseConvVariant(g, runtime().caps);
  const { G, O } = g;
  const wc = isContiguous(w.view) ? w.detach() : noGrad(() => contiguous(w));
  const w3 = wc.reshape([G, O / G, (g.C / G) * g.KH * g.KW]);
  let cols: Tensor | null = null;
  const y = noGrad(() => {
    let out: Tensor;
    if (variant === 'im2col') {
      cols = im2col(x.detach(), g);
      out = w3.matmul(cols).reshape([O, g.N, g.OH, g.OW]).permute([1, 0, 2, 3]);
    } else {
      out = kernelNode(`conv2dImplicitGemm${geometryKey(g)}`, [x.detach(), wc], shape, 'float32', (node, caps) => [
        { spec: convImplicitKernel(g, node.inputs[0].view, node.inputs[1].view.offset, caps), bind: [{ input: 0 }, { input: 1 }, { output: true }] },
      ]);
    }
    return b ? out.add(b.detach().reshape([1, O, 1, 1])) : out;
  });
  return withGrad(y, 'conv2d', b ? [x, w, b] : [x, w], (gy) =>
    def.grad(gy, { x: x.detach(), w3, wShape: w.shape, g, cols }, { x: x.requiresGrad, w: w.requiresGrad, b: b?.requiresGrad ?? false }),
  );
}

/** 1-D convolution: x [N, C, L], w [O, C/groups, k] → [N, O, L'] (conv2d over a height of 1). */
export function conv1d(x: Tensor, w: Tensor, b: Tensor | null = null, o: Conv1dOptions = {}): Tensor {
  const name = o?.name ?? 'conv1d';
  checkOptions(name, o, { ...CONV_OPTIONS, name: 'any' });
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
/**
 * The options of a transposed convolution, checked without an input (ConvTranspose2d calls it at
 * construction): known keys; stride and dilation integers >= 1, padding and outputPadding integers >= 0,
 * outputPadding smaller than stride or dilation (PyTorch's rule); groups a positive integer.
 */
export function convTranspose2dWindow(name: string, o: ConvTranspose2dOptions) {
  checkOptions(name, o, { ...CONV_TRANSPOSE_OPTIONS, name: 'any' });
  const G = o.groups ?? 1;
  if (!Number.isInteger(G) || G < 1) throw new ValueError(`${name}: groups must be a positive integer, got ${G}`);
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
  return { G, SH, SW, PH, PW, OPH, OPW, DH, DW };
}

export function convTranspose2d(x: Tensor, w: Tensor, b: Tensor | null = null, o: ConvTranspose2dOptions = {}): Tensor {
  const name = o?.name ?? 'convTranspose2d';
  const { G, SH, SW, PH, PW, OPH, OPW, DH, DW } = convTranspose2dWindow(name, o);
  checkFloat(name, 'input', x);
  checkFloat(name, 'weight', w);
  if (x.rank !== 4) throw new ShapeError(`${name}: input must be 4-D [N, C, H, W], got shape ${shapeStr(x.shape)}`);
  if (w.rank !== 4) throw new ShapeError(`${name}: weight must be 4-D [in, out/groups, kH, kW], got shape ${shapeStr(w.shape)}`);
  const [N, CIN, H, W] = x.shape;
  const [WIN, OG, KH, KW] = w.shape;
  if (CIN % G !== 0) throw new ShapeError(`${name}: groups (${G}) must divide the input channels (${CIN}) of input ${shapeStr(x.shape)}`);
  if (WIN !== CIN) throw new ShapeError(`${name}: weight ${shapeStr(w.shape)} expects input with ${WIN} channels, but input ${shapeStr(x.shape)} has ${CIN} channels`);
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
