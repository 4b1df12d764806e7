// Pooling over NCHW (3-D [C, H, W] inputs get a batch of 1): max (with the argmax indices kept for the
// backward pass), average, adaptive average, global average. Each forward kernel has its backward beside it
// (shaders/pool.wgsl, shaders/pool_bwd.wgsl).
import { isContiguous } from '../graph/node.js';
import { poolBackwardKernel, poolForwardKernel, type PoolGeometry, type PoolMode } from '../kernels/pool.js';
import { DTypeError, ShapeError, ValueError } from '../core/errors.js';
import { runtime } from '../runtime/runtime.js';
import { shapeStr } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { contiguous } from './elementwise.js';
import { kernelNode, withGrad } from './lower.js';

type Pair = number | [number, number];
const pair = (v: Pair): [number, number] => (Array.isArray(v) ? [v[0], v[1]] : [v, v]);

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

/** Runs `f` on x as 4-D (a 3-D [C, H, W] input gets a batch dim that is removed again). */
function as4d(name: string, x: Tensor, f: (x4: Tensor) => Tensor): Tensor {
  if (x.dtype !== 'float32') throw new DTypeError(`${name}: input must be float32, got ${x.dtype} tensor of shape ${shapeStr(x.shape)}`);
  if (x.rank === 3) return f(x.unsqueeze(0)).squeeze(0);
  if (x.rank !== 4) throw new ShapeError(`${name}: input must be 4-D [N, C, H, W] (or 3-D [C, H, W]), got shape ${shapeStr(x.shape)}`);
  return f(x);
}

function windowGeometry(name: string, x: Tensor, k: Pair, s: Pair | undefined, p: Pair, d: Pair, countIncludePad = true): PoolGeometry {
  const [N, C, H, W] = x.shape;
  const [KH, KW] = pair(k);
  const [SH, SW] = pair(s ?? k);
  const [PH, PW] = pair(p);
  const [DH, DW] = pair(d);
  for (const [what, v, min] of [['kernel size', [KH, KW], 1], ['stride', [SH, SW], 1], ['dilation', [DH, DW], 1], ['padding', [PH, PW], 0]] as const)
    if (v.some((e) => !Number.isInteger(e) || e < min)) throw new ValueError(`${name}: ${what} must be integers >= ${min}, got [${v}]`);
  if (2 * PH > DH * (KH - 1) + 1 || 2 * PW > DW * (KW - 1) + 1)
    throw new ValueError(`${name}: padding [${PH}, ${PW}] must be at most half of the (dilated) kernel ${KH}x${KW}`);
  const OH = Math.floor((H + 2 * PH - DH * (KH - 1) - 1) / SH) + 1;
  const OW = Math.floor((W + 2 * PW - DW * (KW - 1) - 1) / SW) + 1;
  if (OH < 1 || OW < 1) throw new ShapeError(`${name}: kernel ${KH}x${KW} is larger than the padded input of shape ${shapeStr(x.shape)} (padding [${PH}, ${PW}])`);
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

/** Max pooling with the flat index (iy * W + ix within each [H, W] plane, as PyTorch) of every maximum. */
export function maxPool2dWithIndices(xIn: Tensor, kernelSize: Pair, o: MaxPool2dOptions = {}): [Tensor, Tensor] {
  const name = o.name ?? 'maxPool2d';
  let indices: Tensor | null = null;
  const y = as4d(name, xIn, (x) => {
    const g = windowGeometry(name, x, kernelSize, o.stride, o.padding ?? 0, o.dilation ?? 1);
    const out = [g.N, g.C, g.OH, g.OW];
    const packed = poolForward('maxPool2d', g, x, [2, ...out]);
    indices = packed.slice([1]).reshape(out);
    const values = packed.slice([0], [1]).reshape(out);
    return withGrad(values, 'maxPool2d', [x], (gy) => [poolBackward('maxPool2d', g, gy, packed)]);
  });
  const idx = (indices as unknown as Tensor).cast('int32');
  return [y, xIn.rank === 3 ? idx.squeeze(0) : idx];
}

export function maxPool2d(x: Tensor, kernelSize: Pair, o: MaxPool2dOptions = {}): Tensor {
  return maxPool2dWithIndices(x, kernelSize, o)[0];
}

export function avgPool2d(xIn: Tensor, kernelSize: Pair, o: AvgPool2dOptions = {}): Tensor {
  const name = o.name ?? 'avgPool2d';
  return as4d(name, xIn, (x) => {
    const g = windowGeometry(name, x, kernelSize, o.stride, o.padding ?? 0, 1, o.countIncludePad ?? true);
    const y = poolForward('avgPool2d', g, x, [g.N, g.C, g.OH, g.OW]);
    return withGrad(y, 'avgPool2d', [x], (gy) => [poolBackward('avgPool2d', g, gy)]);
  });
}

/** Average over PyTorch's adaptive windows: output [N, C, oh, ow] for any input size. */
export function adaptiveAvgPool2d(xIn: Tensor, outputSize: Pair, o: { name?: string } = {}): Tensor {
  const name = o.name ?? 'adaptiveAvgPool2d';
  return as4d(name, xIn, (x) => {
    const [OH, OW] = pair(outputSize);
    if (![OH, OW].every((d) => Number.isInteger(d) && d >= 1)) throw new ValueError(`${name}: output size must be positive integers, got [${OH}, ${OW}]`);
    const [N, C, H, W] = x.shape;
    if (H < 1 || W < 1) throw new ShapeError(`${name}: empty input of shape ${shapeStr(x.shape)}`);
    const g: PoolGeometry = { N, C, H, W, OH, OW, KH: 1, KW: 1, SH: 1, SW: 1, PH: 0, PW: 0, DH: 1, DW: 1, countIncludePad: true };
    const y = poolForward('adaptiveAvgPool2d', g, x, [N, C, OH, OW]);
    return withGrad(y, 'adaptiveAvgPool2d', [x], (gy) => [poolBackward('adaptiveAvgPool2d', g, gy)]);
  });
}

/** Mean over H and W: [N, C, H, W] → [N, C, 1, 1] (a composition: its gradient comes from mean). */
export function globalAvgPool2d(x: Tensor): Tensor {
  if (x.rank !== 4) throw new ShapeError(`globalAvgPool2d: input must be 4-D [N, C, H, W], got shape ${shapeStr(x.shape)}`);
  return x.mean([2, 3], true);
}
