// Plain float64 n-d arrays (flat Float64Array + shape, row-major) for the CPU references of the op table.
// Slow and textbook on purpose, and independent of the engine's shape code and WGSL: a disagreement
// between an op and its reference then points at the engine.
import { InternalError } from './errors.js';

export interface Nd {
  shape: number[];
  data: Float64Array;
}

export const ndNumel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function nd(data: ArrayLike<number>, shape: number[]): Nd {
  if (ndNumel(shape) !== data.length) throw new InternalError(`reference: ${data.length} values for shape [${shape}]`);
  return { shape: [...shape], data: Float64Array.from(data) };
}

export const ndScalar = (v: number): Nd => nd([v], []);

/** Multi-index of flat position `i` in a row-major array of `shape`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = shape[d] === 0 ? 0 : i % shape[d];
    i = shape[d] === 0 ? 0 : Math.floor(i / shape[d]);
  }
  return idx;
}

export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d] + idx[d];
  return flat;
}

/** NumPy broadcasting of shapes; throws on a mismatch. */
export function broadcastShape(...shapes: number[][]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const e = s[i - (rank - s.length)] ?? 1;
      if (e === 1) continue;
      if (d !== 1 && d !== e) throw new InternalError(`reference: cannot broadcast ${shapes.map((x) => `[${x}]`).join(' ')}`);
      d = e;
    }
    out.push(d);
  }
  return out;
}

/** Element of `x` at the multi-index `idx` of a (larger) broadcast shape: trailing-aligned, size-1 dims pinned to 0. */
export function atBroadcast(x: Nd, idx: readonly number[]): number {
  const lead = idx.length - x.shape.length;
  let flat = 0;
  for (let d = 0; d < x.shape.length; d++) flat = flat * x.shape[d] + (x.shape[d] === 1 ? 0 : idx[d + lead]);
  return x.data[flat];
}

/** f applied elementwise over the broadcast of all inputs. */
export function zipWith(xs: Nd[], f: (...v: number[]) => number): Nd {
  const shape = broadcastShape(...xs.map((x) => x.shape));
  const out = new Float64Array(ndNumel(shape));
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    out[i] = f(...xs.map((x) => atBroadcast(x, idx)));
  }
  return { shape, data: out };
}

export const ndMap = (x: Nd, f: (v: number) => number): Nd => ({ shape: [...x.shape], data: x.data.map(f) });

/** Axes as a sorted list of non-negative indices (all axes when undefined). */
export function axisList(axis: number | number[] | undefined, rank: number): number[] {
  if (axis === undefined) return [...Array(rank).keys()];
  return (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
}

/** Applies `f` to every 1-D row along `axis` (rows keep their length). */
export function alongAxis(x: Nd, axis: number, f: (row: number[]) => number[]): Nd {
  const a = axis < 0 ? axis + x.shape.length : axis;
  const out = new Float64Array(x.data.length);
  const outer = x.shape.map((d, i) => (i === a ? 1 : d));
  for (let o = 0; o < ndNumel(outer); o++) {
    const idx = unravel(o, outer);
    const flats = Array.from({ length: x.shape[a] }, (_, k) => ((idx[a] = k), ravel(idx, x.shape)));
    const ys = f(flats.map((i) => x.data[i]));
    flats.forEach((i, k) => (out[i] = ys[k]));
  }
  return { shape: [...x.shape], data: out };
}
