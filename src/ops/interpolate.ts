// Interpolation over NCHW (PyTorch's F.interpolate, modes 'nearest' and 'bilinear'): resize [N, C, H, W]
// to [N, C, OH, OW], given the output size or integer scale factors. Each forward kernel has its backward
// beside it (shaders/interpolate.wgsl, shaders/interpolate_bwd.wgsl): the gradient is the forward's
// transpose, a sum over the outputs that read each input, written as a gather so it needs no atomics.
// The references are the textbook loops from PyTorch's documented index rules, in float64.
import { interpolateBackwardKernel, interpolateForwardKernel, type InterpolateGeometry, type InterpolateMode } from '../kernels/interpolate.js';
import { isContiguous } from '../graph/node.js';
import { DTypeError, ShapeError, ValueError } from '../core/errors.js';
import type { Nd } from '../core/nd.js';
import { checkOptions } from '../core/options.js';
import { pair, shapeStr, type Pair } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { contiguous } from './elementwise.js';
import { composite, primitive, type OutputSpec, type TensorMeta } from './op.js';
import { kernelNode, withGrad } from './record.js';

export interface UpsampleNearest2dOptions {
  /** The output's [OH, OW] (a number for both); exactly one of size and scaleFactor. */
  size?: Pair;
  /** Positive integers: OH = H * sh, OW = W * sw. */
  scaleFactor?: Pair;
  /** Names the caller in error messages (a module passes its own). */
  name?: string;
}
export interface UpsampleBilinear2dOptions extends UpsampleNearest2dOptions {
  /** Map the centres of the corner pixels onto each other (PyTorch's align_corners; default false). */
  alignCorners?: boolean;
}
export interface InterpolateOptions extends UpsampleBilinear2dOptions {
  /** 'nearest' (PyTorch's default) or 'bilinear'; alignCorners is only for 'bilinear', as in PyTorch. */
  mode?: InterpolateMode;
}

export const INTERPOLATE_MODES: readonly InterpolateMode[] = ['nearest', 'bilinear'];

const INTERPOLATE_OPTIONS = { size: 'any', scaleFactor: 'any', mode: INTERPOLATE_MODES, alignCorners: 'boolean', name: 'any' } as const;

/** A size or scale-factor pair: positive integers, else a ValueError naming it. */
function positivePair(name: string, what: string, v: Pair): [number, number] {
  const p = typeof v === 'number' || (Array.isArray(v) && v.length === 2) ? pair(v) : null;
  if (!p || !p.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 1))
    throw new ValueError(`${name}: ${what} must be a positive integer or a pair of them, got ${JSON.stringify(v)}`);
  return p;
}

/**
 * The options of an interpolation, checked without an input (the module checks them at construction):
 * known keys, a mode, exactly one of size and scaleFactor (positive integers), alignCorners only with
 * 'bilinear'. Returns the mode and the resolved size or factors.
 */
export function checkInterpolateOptions(name: string, given: InterpolateOptions | undefined): { mode: InterpolateMode; alignCorners: boolean; size: [number, number] | null; scale: [number, number] | null } {
  checkOptions(name, given, INTERPOLATE_OPTIONS);
  const o = given ?? {};
  const mode = o.mode ?? 'nearest';
  if (o.alignCorners !== undefined && mode !== 'bilinear')
    throw new ValueError(`${name}: alignCorners can only be set with mode 'bilinear', not '${mode}' (PyTorch refuses it too)`);
  if ((o.size === undefined) === (o.scaleFactor === undefined))
    throw new ValueError(`${name}: give exactly one of size and scaleFactor, got ${o.size === undefined ? 'neither' : 'both'}`);
  return {
    mode,
    alignCorners: o.alignCorners ?? false,
    size: o.size === undefined ? null : positivePair(name, 'size', o.size),
    scale: o.scaleFactor === undefined ? null : positivePair(name, 'scaleFactor (only integer factors)', o.scaleFactor),
  };
}

function geometry(name: string, x: TensorMeta, o: InterpolateOptions): InterpolateGeometry {
  const { mode, alignCorners, size, scale } = checkInterpolateOptions(name, o);
  if (x.dtype !== 'float32') throw new DTypeError(`${name}: input must be float32, got ${x.dtype} tensor of shape ${shapeStr(x.shape)}`);
  if (x.shape.length !== 4) throw new ShapeError(`${name}: input must be 4-D [N, C, H, W], got shape ${shapeStr(x.shape)}`);
  const [N, C, H, W] = x.shape;
  // as PyTorch: an empty batch is fine, empty channels or planes are not
  if (C < 1 || H < 1 || W < 1) throw new ShapeError(`${name}: input must have non-empty C, H and W, got shape ${shapeStr(x.shape)}`);
  const [OH, OW] = size ?? [H * scale![0], W * scale![1]];
  return { N, C, H, W, OH, OW, mode, alignCorners };
}

const outputSpec = (g: InterpolateGeometry): OutputSpec & { geometry: InterpolateGeometry } => ({ shape: [g.N, g.C, g.OH, g.OW], dtype: 'float32', geometry: g });

// ---- float64 references ----------------------------------------------------------------------------

/** Per output index along one axis: the input indices it reads and their weights. */
type AxisTaps = (o: number, inSize: number, outSize: number) => Array<[number, number]>;

const nearestAxis: AxisTaps = (o, inSize, outSize) => [[Math.min(Math.floor((o * inSize) / outSize), inSize - 1), 1]];

function bilinearAxis(alignCorners: boolean): AxisTaps {
  return (o, inSize, outSize) => {
    const src = alignCorners ? (outSize > 1 ? (o * (inSize - 1)) / (outSize - 1) : 0) : Math.max(((o + 0.5) * inSize) / outSize - 0.5, 0);
    const i0 = Math.min(Math.floor(src), inSize - 1);
    const i1 = Math.min(i0 + 1, inSize - 1);
    const l1 = Math.min(Math.max(src - i0, 0), 1);
    return [[i0, 1 - l1], [i1, l1]];
  };
}

function resizeReference(x: Nd, o: InterpolateOptions, axis: AxisTaps): Nd {
  const [N, C, H, W] = x.shape;
  const [OH, OW] = o.size !== undefined ? pair(o.size) : [H * pair(o.scaleFactor!)[0], W * pair(o.scaleFactor!)[1]];
  const out = new Float64Array(N * C * OH * OW);
  for (let nc = 0; nc < N * C; nc++)
    for (let oy = 0; oy < OH; oy++)
      for (let ox = 0; ox < OW; ox++) {
        let s = 0;
        for (const [iy, wy] of axis(oy, H, OH)) for (const [ix, wx] of axis(ox, W, OW)) s += wy * wx * x.data[(nc * H + iy) * W + ix];
        out[(nc * OH + oy) * OW + ox] = s;
      }
  return { shape: [N, C, OH, OW], data: out };
}

// ---- the table entries -------------------------------------------------------------------------------

const INTERPOLATE_KERNELS = { module: 'kernels/interpolate.ts', variants: 'one variant per mode (shaders/interpolate.wgsl forward, shaders/interpolate_bwd.wgsl backward)' };

/** The backward kernel node: dx [N, C, H, W] from the contiguous output gradient. */
function interpolateBackward(g: InterpolateGeometry, gy: Tensor): Tensor {
  const gc = isContiguous(gy.view) ? gy : contiguous(gy);
  return kernelNode(`interpolateBackward(${Object.values(g).join(',')})`, [gc], [g.N, g.C, g.H, g.W], 'float32', (node, caps) => [
    { spec: interpolateBackwardKernel(g, node.inputs[0].view.offset, caps), bind: [{ input: 0 }, { output: true }] },
  ]);
}

export const INTERPOLATE_OPS = {
  upsampleNearest2d: primitive({
    doc: 'nearest-neighbour resize of [N, C, H, W]: input row floor(oy * H / OH), column likewise (F.interpolate mode nearest, exact integer indices)',
    shape: (x: TensorMeta, o: UpsampleNearest2dOptions = {}) => outputSpec(geometry(o?.name ?? 'upsampleNearest2d', x, { ...o, mode: 'nearest' })),
    kernel: INTERPOLATE_KERNELS,
    /** Each input gets the sum of the gradients of the outputs that copy it. */
    grad: (gy: Tensor, g: InterpolateGeometry) => interpolateBackward(g, gy),
    reference: (x: Nd, o: UpsampleNearest2dOptions = {}) => resizeReference(x, o, nearestAxis),
  }),
  upsampleBilinear2d: primitive({
    doc: "bilinear resize of [N, C, H, W], PyTorch's source index (align_corners true: o·(In−1)/(Out−1); false: (o+½)·In/Out−½ clamped at 0) and edge clamping (F.interpolate mode bilinear)",
    shape: (x: TensorMeta, o: UpsampleBilinear2dOptions = {}) => outputSpec(geometry(o?.name ?? 'upsampleBilinear2d', x, { ...o, mode: 'bilinear' })),
    kernel: INTERPOLATE_KERNELS,
    /** Each input gets the gradients of the outputs that read it, times the weights they read it with. */
    grad: (gy: Tensor, g: InterpolateGeometry) => interpolateBackward(g, gy),
    reference: (x: Nd, o: UpsampleBilinear2dOptions = {}) => resizeReference(x, o, bilinearAxis(o.alignCorners ?? false)),
  }),
  interpolate: composite({
    doc: "F.interpolate(x, { size | scaleFactor, mode: 'nearest' | 'bilinear', alignCorners }) on [N, C, H, W]: one of the two resizes",
    of: ['upsampleNearest2d', 'upsampleBilinear2d'],
    reference: (x: Nd, o: InterpolateOptions = {}) => {
      const { mode, ...rest } = o;
      return (mode ?? 'nearest') === 'bilinear' ? resizeReference(x, rest, bilinearAxis(o.alignCorners ?? false)) : resizeReference(x, rest, nearestAxis);
    },
  }),
};

// ---- the ops ---------------------------------------------------------------------------------------

function resize(x: Tensor, g: InterpolateGeometry, op: 'upsampleNearest2d' | 'upsampleBilinear2d'): Tensor {
  const y = kernelNode(`interpolateForward(${Object.values(g).join(',')})`, [x.detach()], [g.N, g.C, g.OH, g.OW], 'float32', (node, caps) => [
    { spec: interpolateForwardKernel(g, node.inputs[0].view, caps), bind: [{ input: 0 }, { output: true }] },
  ]);
  return withGrad(y, op, [x], (gy) => [INTERPOLATE_OPS[op].grad(gy, g)]);
}

/** Nearest-neighbour resize of [N, C, H, W] to `size` or by integer `scaleFactor`. */
export function upsampleNearest2d(x: Tensor, o: UpsampleNearest2dOptions = {}): Tensor {
  return resize(x, INTERPOLATE_OPS.upsampleNearest2d.shape(x, o).geometry, 'upsampleNearest2d');
}

/** Bilinear resize of [N, C, H, W] to `size` or by integer `scaleFactor` (alignCorners default false). */
export function upsampleBilinear2d(x: Tensor, o: UpsampleBilinear2dOptions = {}): Tensor {
  return resize(x, INTERPOLATE_OPS.upsampleBilinear2d.shape(x, o).geometry, 'upsampleBilinear2d');
}

/** PyTorch's F.interpolate for 4-D inputs, modes 'nearest' (default) and 'bilinear'. */
export function interpolate(x: Tensor, o: InterpolateOptions = {}): Tensor {
  const name = o?.name ?? 'interpolate';
  const { mode, ...rest } = o ?? {};
  checkInterpolateOptions(name, o);
  return mode === 'bilinear' ? upsampleBilinear2d(x, { ...rest, name }) : upsampleNearest2d(x, { ...rest, name });
}
