// Pooling over NCHW (3-D [C, H, W] inputs get a batch of 1): max (with the argmax indices kept for the
// backward pass), average, adaptive average, global average. Each forward kernel has its backward beside it
// (shaders/pool.wgsl, shaders/pool_bwd.wgsl); the backward kernel is the gradient rule of its entry in
// POOL_OPS. The references are the textbook window loops, written from PyTorch's documented semantics.
import { isContiguous } from '../graph/node.js';
import { poolBackwardKernel, poolForwardKernel, type PoolGeometry, type PoolMode } from '../kernels/pool.js';
import { DTypeError, ShapeError, ValueError } from '../core/errors.js';
import type { Nd } from '../core/nd.js';
import { convOutSize, pair, shapeStr, type Pair } from '../core/shape.js';
import { checkOptions } from '../core/options.js';
import type { Tensor } from '../tensor/tensor.js';
import { contiguous } from './elementwise.js';
import { kernelNode, withGrad } from './record.js';
import { composite, primitive, type OutputSpec, type TensorMeta } from './op.js';


export interface MaxPool2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  name?: string;
}
export interface AvgPool2dOptions {
  stride?: Pair;
  padding?: Pair;
  /** Divide by the whole window (true, PyTorch's default) or only by the taps inside the input. */
  countIncludePad?: boolean;
  name?: string;
}

/** x's shape as 4-D (a 3-D [C, H, W] input gets a batch of 1), after checking its dtype and rank. */
function shape4d(name: string, x: TensorMeta): number[] {
  if (x.dtype !== 'float32') throw new DTypeError(`${name}: input must be float32, got ${x.dtype} tensor of shape ${shapeStr(x.shape)}`);
  if (x.shape.length === 3) return [1, ...x.shape];
  if (x.shape.length !== 4) throw new ShapeError(`${name}: input must be 4-D [N, C, H, W] (or 3-D [C, H, W]), got shape ${shapeStr(x.shape)}`);
  return [...x.shape];
}

/** adaptiveAvgPool2d's output size (positive integers) and options (only `name`), checked without an input. */
export function checkOutputSize(name: string, outputSize: Pair, o: { name?: string } = {}): [number, number] {
  checkOptions(name, o, { name: 'any' });
  const [OH, OW] = pair(outputSize);
  if (![OH, OW].every((d) => Number.isInteger(d) && d >= 1)) throw new ValueError(`${name}: output size must be positive integers, got [${OH}, ${OW}]`);
  return [OH, OW];
}

/** The output shape of a pool of x (batchless when x is). */
const outShape = (x: TensorMeta, g: PoolGeometry): number[] => (x.shape.length === 3 ? [g.C, g.OH, g.OW] : [g.N, g.C, g.OH, g.OW]);

/** Runs `f` on x as 4-D (a 3-D [C, H, W] input gets a batch dim that is removed again). */
const as4d = (x: Tensor, f: (x4: Tensor) => Tensor): Tensor => (x.rank === 3 ? f(x.unsqueeze(0)).squeeze(0) : f(x));

type PoolWindow = Pick<PoolGeometry, 'KH' | 'KW' | 'SH' | 'SW' | 'PH' | 'PW' | 'DH' | 'DW'>;

const POOL_OPTIONS = {
  maxPool2d: { stride: 'any', padding: 'any', dilation: 'any', name: 'any' },
  avgPool2d: { stride: 'any', padding: 'any', countIncludePad: 'boolean', name: 'any' },
} as const;

/**
 * The options and window of a max or average pool, checked without an input (modules call it at
 * construction, the ops on every call): known keys, kernel size, stride and dilation integers >= 1,
 * padding integers >= 0 and at most half the (dilated) kernel, as PyTorch's rule.
 */
export function checkPoolWindow(kind: 'maxPool2d' | 'avgPool2d', name: string, k: Pair, o: MaxPool2dOptions & AvgPool2dOptions): PoolWindow {
  checkOptions(name, o, POOL_OPTIONS[kind]);
  const [KH, KW] = pair(k);
  const [SH, SW] = pair(o.stride ?? k);
  const [PH, PW] = pair(o.padding ?? 0);
  const [DH, DW] = pair(o.dilation ?? 1);
  for (const [what, v, min] of [['kernel size', [KH, KW], 1], ['stride', [SH, SW], 1], ['dilation', [DH, DW], 1], ['padding', [PH, PW], 0]] as const)
    if (v.some((e) => !Number.isInteger(e) || e < min)) throw new ValueError(`${name}: ${what} must be integers >= ${min}, got [${v}]`);
  if (2 * PH > DH * (KH - 1) + 1 || 2 * PW > DW * (KW - 1) + 1)
    throw new ValueError(`${name}: padding [${PH}, ${PW}] must be at most half of the (dilated) kernel ${KH}x${KW}`);
  return { KH, KW, SH, SW, PH, PW, DH, DW };
}

function windowGeometry(name: string, shape: number[], w: PoolWindow, countIncludePad = true): PoolGeometry {
  const [N, C, H, W] = shape;
  const { KH, KW, SH, SW, PH, PW, DH, DW } = w;
  const OH = convOutSize(H, KH, SH, PH, DH);
  const OW = convOutSize(W, KW, SW, PW, DW);
  if (OH < 1 || OW < 1) throw new ShapeError(`${name}: kernel ${KH}x${KW} is larger than the padded input of shape ${shapeStr(shape)} (padding [${PH}, ${PW}])`);
  return { N, C, H, W, OH, OW, KH, KW, SH, SW, PH, PW, DH, DW, countIncludePad };
}

/** The backward kernel node: dx from the contiguous output gradient (and, for max, the packed forward output). */
function poolBackward(mode: PoolMode, g: PoolGeometry, gy: Tensor, aux: Tensor | null = null): Tensor {
  const gc = isContiguous(gy.view) ? gy : contiguous(gy);
  return kernelNode(`${mode}Backward(${Object.values(g).join(',')})`, [gc, aux ?? gc], [g.N, g.C, g.H, g.W], 'float32', (node, caps) => [
    { spec: poolBackwardKernel(mode, g, node.inputs[0].view.offset, node.inputs[1].view.offset, caps), bind: [{ input: 0 }, { input: 1 }, { output: true }] },
  ]);
}

function poolForward(mode: PoolMode, g: PoolGeometry, x: Tensor, outShape: number[]): Tensor {
  return kernelNode(`${mode}Forward(${Object.values(g).join(',')})`, [x.detach()], outShape, 'float32', (node, caps) => [
    { spec: poolForwardKernel(mode, g, node.inputs[0].view, caps), bind: [{ input: 0 }, { output: true }] },
  ]);
}

// ---- float64 references ----------------------------------------------------------------------------

/** Applies `f` to x as 4-D [N, C, H, W] (a 3-D input gets a batch of 1, removed again). */
function ref4d(x: Nd, f: (x4: Nd) => Nd): Nd {
  if (x.shape.length !== 3) return f(x);
  const y = f({ shape: [1, ...x.shape], data: x.data });
  return { shape: y.shape.slice(1), data: y.data };
}

interface WindowRefOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  countIncludePad?: boolean;
}

/** Every window of every plane, in scan order: max (value and flat index iy*W + ix, the first maximum winning) and average. */
function windowReference(x: Nd, kernelSize: Pair, o: WindowRefOptions, kind: 'max' | 'argmax' | 'avg'): Nd {
  return ref4d(x, ({ shape: [N, C, H, W], data }) => {
    const [KH, KW] = pair(kernelSize);
    const [sh, sw] = pair(o.stride ?? kernelSize);
    const [ph, pw] = pair(o.padding ?? 0);
    const [dh, dw] = pair(o.dilation ?? 1);
    const OH = Math.floor((H + 2 * ph - dh * (KH - 1) - 1) / sh) + 1;
    const OW = Math.floor((W + 2 * pw - dw * (KW - 1) - 1) / sw) + 1;
    const out = new Float64Array(N * C * OH * OW);
    for (let nc = 0; nc < N * C; nc++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          let best = -Infinity;
          let arg = -1;
          let sum = 0;
          let count = 0;
          for (let ky = 0; ky < KH; ky++)
            for (let kx = 0; kx < KW; kx++) {
              const iy = oy * sh - ph + ky * dh;
              const ix = ox * sw - pw + kx * dw;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              const v = data[(nc * H + iy) * W + ix];
              if (arg < 0 || v > best) [best, arg] = [v, iy * W + ix];
              sum += v;
              count++;
            }
          const divisor = (o.countIncludePad ?? true) ? KH * KW : count;
          out[(nc * OH + oy) * OW + ox] = kind === 'max' ? best : kind === 'argmax' ? arg : sum / divisor;
        }
    return { shape: [N, C, OH, OW], data: out };
  });
}

/** PyTorch's adaptive windows: rows [floor(i*H/OH), ceil((i+1)*H/OH)), columns likewise. */
function adaptiveAvgPool2dReference(x: Nd, outputSize: Pair): Nd {
  const [OH, OW] = pair(outputSize);
  return ref4d(x, ({ shape: [N, C, H, W], data }) => {
    const out = new Float64Array(N * C * OH * OW);
    for (let nc = 0; nc < N * C; nc++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          const y0 = Math.floor((oy * H) / OH), y1 = Math.ceil(((oy + 1) * H) / OH);
          const x0 = Math.floor((ox * W) / OW), x1 = Math.ceil(((ox + 1) * W) / OW);
          let s = 0;
          for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) s += data[(nc * H + iy) * W + ix];
          out[(nc * OH + oy) * OW + ox] = s / ((y1 - y0) * (x1 - x0));
        }
    return { shape: [N, C, OH, OW], data: out };
  });
}

/** The mean of each [H, W] plane: [N, C, H, W] -> [N, C, 1, 1]. */
function globalAvgPool2dReference(x: Nd): Nd {
  const [N, C, H, W] = x.shape;
  const out = new Float64Array(N * C);
  for (let nc = 0; nc < N * C; nc++) {
    let s = 0;
    for (let i = 0; i < H * W; i++) s += x.data[nc * H * W + i];
    out[nc] = s / (H * W);
  }
  return { shape: [N, C, 1, 1], data: out };
}

// ---- the table entries -------------------------------------------------------------------------------

const POOL_KERNELS = { module: 'kernels/pool.ts', variants: 'one variant per mode (shaders/pool.wgsl forward, shaders/pool_bwd.wgsl backward)' };

export const POOL_OPS = {
  maxPool2d: primitive({
    doc: 'max over each (dilated) window, with the flat index iy*W + ix of each maximum in its plane (torch.nn.functional.max_pool2d, return_indices)',
    /** The values' shape, the int32 indices' (the same) and the geometry the kernels run with. */
    shape: (x: TensorMeta, kernelSize: Pair, o: MaxPool2dOptions = {}): OutputSpec & { indices: OutputSpec; geometry: PoolGeometry } => {
      const name = o?.name ?? 'maxPool2d';
      const g = windowGeometry(name, shape4d(name, x), checkPoolWindow('maxPool2d', name, kernelSize, o));
      const shape = outShape(x, g);
      return { shape, dtype: 'float32', indices: { shape, dtype: 'int32' }, geometry: g };
    },
    kernel: POOL_KERNELS,
    /** The backward kernel scatters each output gradient to its argmax (read from the packed forward output). */
    grad: (gy: Tensor, g: PoolGeometry, packed: Tensor) => poolBackward('maxPool2d', g, gy, packed),
    reference: (x: Nd, kernelSize: Pair, o: MaxPool2dOptions = {}) => windowReference(x, kernelSize, o, 'max'),
    /** The indices output (as float64 values). */
    indicesReference: (x: Nd, kernelSize: Pair, o: MaxPool2dOptions = {}) => windowReference(x, kernelSize, o, 'argmax'),
  }),
  avgPool2d: primitive({
    doc: 'mean over each window, padding counted in the divisor unless countIncludePad is false (torch.nn.functional.avg_pool2d)',
    shape: (x: TensorMeta, kernelSize: Pair, o: AvgPool2dOptions = {}): OutputSpec & { geometry: PoolGeometry } => {
      const name = o?.name ?? 'avgPool2d';
      const g = windowGeometry(name, shape4d(name, x), checkPoolWindow('avgPool2d', name, kernelSize, o), o.countIncludePad ?? true);
      return { shape: outShape(x, g), dtype: 'float32', geometry: g };
    },
    kernel: POOL_KERNELS,
    /** The backward kernel spreads each output gradient over its window, with the forward divisor. */
    grad: (gy: Tensor, g: PoolGeometry) => poolBackward('avgPool2d', g, gy),
    reference: (x: Nd, kernelSize: Pair, o: AvgPool2dOptions = {}) => windowReference(x, kernelSize, o, 'avg'),
  }),
  adaptiveAvgPool2d: primitive({
    doc: "mean over PyTorch's adaptive windows: [N, C, H, W] -> [N, C, oh, ow] for any input size (torch.nn.functional.adaptive_avg_pool2d)",
    shape: (x: TensorMeta, outputSize: Pair, o: { name?: string } = {}): OutputSpec & { geometry: PoolGeometry } => {
      const name = o?.name ?? 'adaptiveAvgPool2d';
      const [OH, OW] = checkOutputSize(name, outputSize, o);
      const [N, C, H, W] = shape4d(name, x);
      if (H < 1 || W < 1) throw new ShapeError(`${name}: empty input of shape ${shapeStr(x.shape.length === 3 ? [N, C, H, W] : x.shape)}`);
      const g: PoolGeometry = { N, C, H, W, OH, OW, KH: 1, KW: 1, SH: 1, SW: 1, PH: 0, PW: 0, DH: 1, DW: 1, countIncludePad: true };
      return { shape: outShape(x, g), dtype: 'float32', geometry: g };
    },
    kernel: POOL_KERNELS,
    grad: (gy: Tensor, g: PoolGeometry) => poolBackward('adaptiveAvgPool2d', g, gy),
    reference: adaptiveAvgPool2dReference,
  }),
  globalAvgPool2d: composite({
    doc: 'mean over H and W: [N, C, H, W] -> [N, C, 1, 1]',
    of: ['mean'],
    reference: globalAvgPool2dReference,
  }),
};

// ---- the ops ---------------------------------------------------------------------------------------

/** Max pooling with the flat index (iy * W + ix within each [H, W] plane, as PyTorch) of every maximum. */
export function maxPool2dWithIndices(xIn: Tensor, kernelSize: Pair, o: MaxPool2dOptions = {}): [Tensor, Tensor] {
  const def = POOL_OPS.maxPool2d;
  const { geometry: g } = def.shape(xIn, kernelSize, o);
  let indices: Tensor | null = null;
  const y = as4d(xIn, (x) => {
    const out = [g.N, g.C, g.OH, g.OW];
    const packed = poolForward('maxPool2d', g, x, [2, ...out]);
    indices = packed.slice([1]).reshape(out);
    const values = packed.slice([0], [1]).reshape(out);
    return withGrad(values, 'maxPool2d', [x], (gy) => [def.grad(gy, g, packed)]);
  });
  const idx = (indices as unknown as Tensor).cast('int32');
  return [y, xIn.rank === 3 ? idx.squeeze(0) : idx];
}

export function maxPool2d(x: Tensor, kernelSize: Pair, o: MaxPool2dOptions = {}): Tensor {
  return maxPool2dWithIndices(x, kernelSize, o)[0];
}

export function avgPool2d(xIn: Tensor, kernelSize: Pair, o: AvgPool2dOptions = {}): Tensor {
  const def = POOL_OPS.avgPool2d;
  const { geometry: g } = def.shape(xIn, kernelSize, o);
  return as4d(xIn, (x) => {
    const y = poolForward('avgPool2d', g, x, [g.N, g.C, g.OH, g.OW]);
    return withGrad(y, 'avgPool2d', [x], (gy) => [def.grad(gy, g)]);
  });
}

/** Average over PyTorch's adaptive windows: output [N, C, oh, ow] for any input size. */
export function adaptiveAvgPool2d(xIn: Tensor, outputSize: Pair, o: { name?: string } = {}): Tensor {
  const def = POOL_OPS.adaptiveAvgPool2d;
  const { geometry: g } = def.shape(xIn, outputSize, o);
  return as4d(xIn, (x) => {
    const y = poolForward('adaptiveAvgPool2d', g, x, [g.N, g.C, g.OH, g.OW]);
    return withGrad(y, 'adaptiveAvgPool2d', [x], (gy) => [def.grad(gy, g)]);
  });
}

/** Mean over H and W: [N, C, H, W] → [N, C, 1, 1] (a composition: its gradient comes from mean). */
export function globalAvgPool2d(x: Tensor): Tensor {
  if (x.rank !== 4) throw new ShapeError(`globalAvgPool2d: input must be 4-D [N, C, H, W], got shape ${shapeStr(x.shape)}`);
  return x.mean([2, 3], true);
}
