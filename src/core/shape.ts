// Shape rules shared by every op: sizes, strides, NumPy broadcasting, axis normalisation.
import { ShapeError } from './errors.js';

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function shapeStr(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** NumPy broadcasting of any number of shapes; throws a ShapeError naming the op and all shapes. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (let i = 0; i < rank; i++) {
    for (const s of shapes) {
      const d = s[s.length - rank + i] ?? 1;
      if (d === 1) continue;
      if (out[i] !== 1 && out[i] !== d)
        throw new ShapeError(`${op}: shapes ${shapes.map(shapeStr).join(' and ')} cannot be broadcast together (dimension ${i - rank} is ${out[i]} vs ${d})`);
      out[i] = d;
    }
  }
  return out;
}

/**
 * A possibly negative axis of `shape` as an index. `extra` widens the range for ops that insert a
 * dimension (unsqueeze, stack: axes 0..rank). The error names the op, the axis and the shape.
 */
export function normalizeAxis(op: string, axis: number, shape: Shape, extra = 0): number {
  const rank = shape.length + extra;
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1))
    throw new ShapeError(`${op}: axis ${axis} is out of range for a tensor of shape ${shapeStr(shape)} (valid axes ${-rank}..${Math.max(rank, 1) - 1})`);
  return axis < 0 ? axis + rank : axis;
}

/** Normalises `axis` (undefined = all axes) of `shape` to a sorted, de-duplicated list. */
export function normalizeAxes(op: string, axis: number | number[] | undefined, shape: Shape): number[] {
  if (axis === undefined) return [...Array(shape.length).keys()];
  const list = (Array.isArray(axis) ? axis : [axis]).map((a) => normalizeAxis(op, a, shape));
  const set = [...new Set(list)].sort((a, b) => a - b);
  if (set.length !== list.length) throw new ShapeError(`${op}: repeated axis in [${axis}] for a tensor of shape ${shapeStr(shape)}`);
  return set;
}

/** A size given once for both spatial dims or as [height, width] (kernel size, stride, padding, dilation). */
export type Pair = number | [number, number];

export function pair(v: Pair): [number, number] {
  return Array.isArray(v) ? [v[0], v[1]] : [v, v];
}

/** Output size of one spatial dim of a convolution or pooling window (PyTorch's formula; floor). */
export function convOutSize(size: number, k: number, stride: number, pad: number, dilation: number): number {
  return Math.floor((size + 2 * pad - dilation * (k - 1) - 1) / stride) + 1;
}

export function checkShape(op: string, shape: Shape): void {
  if (!Array.isArray(shape)) throw new ShapeError(`${op}: shape must be an array of non-negative integers, got ${shape === null ? 'null' : typeof shape}`);
  for (const d of shape)
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${op}: invalid shape ${shapeStr(shape)} (dimensions must be non-negative integers)`);
}
