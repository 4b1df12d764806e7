// An independent float64 CPU reference for every tensor op, written from NumPy/PyTorch semantics
// (not from the WGSL nor from src/): n-d arrays as flat Float64Array + shape, row-major.
// Slow and plain on purpose: each op is the textbook loop, so a disagreement points at the engine.
import { MATMUL_OPS } from '../../src/ops/matmul.js';

export interface Nd {
  shape: number[];
  data: Float64Array;
}

// ---- shapes and indexing -----------------------------------------------------------------------

export const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function nd(data: ArrayLike<number>, shape: number[]): Nd {
  if (numel(shape) !== data.length) throw new Error(`reference: ${data.length} values for shape [${shape}]`);
  return { shape: [...shape], data: Float64Array.from(data) };
}

export const scalar = (v: number): Nd => nd([v], []);

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

/** NumPy broadcasting; throws on a mismatch. */
export function broadcastShape(...shapes: number[][]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const e = s[i - (rank - s.length)] ?? 1;
      if (e === 1) continue;
      if (d !== 1 && d !== e) throw new Error(`reference: cannot broadcast ${shapes.map((x) => `[${x}]`).join(' ')}`);
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
  const out = new Float64Array(numel(shape));
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    out[i] = f(...xs.map((x) => atBroadcast(x, idx)));
  }
  return { shape, data: out };
}

export const map = (x: Nd, f: (v: number) => number): Nd => ({ shape: [...x.shape], data: x.data.map(f) });

// ---- elementwise -------------------------------------------------------------------------------

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export const neg = (x: Nd) => map(x, (v) => -v);
export const exp = (x: Nd) => map(x, Math.exp);
export const log = (x: Nd) => map(x, Math.log);
export const sqrt = (x: Nd) => map(x, Math.sqrt);
export const abs = (x: Nd) => map(x, Math.abs);
export const relu = (x: Nd) => map(x, (v) => (v > 0 ? v : 0));
export const sigmoid = (x: Nd) => map(x, (v) => 1 / (1 + Math.exp(-v)));
export const tanh = (x: Nd) => map(x, Math.tanh);
export const gelu = (x: Nd) => map(x, (v) => 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v ** 3))));
export const leakyRelu = (x: Nd, slope = 0.01) => map(x, (v) => (v > 0 ? v : slope * v));
export const castInt = (x: Nd) => map(x, Math.trunc);

export const add = (a: Nd, b: Nd) => zipWith([a, b], (x, y) => x + y);
export const sub = (a: Nd, b: Nd) => zipWith([a, b], (x, y) => x - y);
export const mul = (a: Nd, b: Nd) => zipWith([a, b], (x, y) => x * y);
export const div = (a: Nd, b: Nd) => zipWith([a, b], (x, y) => x / y);
export const pow = (a: Nd, b: Nd) => zipWith([a, b], (x, y) => x ** y);
export const maximum = (a: Nd, b: Nd) => zipWith([a, b], (x, y) => (x >= y ? x : y));
export const minimum = (a: Nd, b: Nd) => zipWith([a, b], (x, y) => (x <= y ? x : y));
export const lt = (a: Nd, b: Nd) => zipWith([a, b], (x, y) => +(x < y));
export const le = (a: Nd, b: Nd) => zipWith([a, b], (x, y) => +(x <= y));
export const gt = (a: Nd, b: Nd) => zipWith([a, b], (x, y) => +(x > y));
export const ge = (a: Nd, b: Nd) => zipWith([a, b], (x, y) => +(x >= y));
export const eq = (a: Nd, b: Nd) => zipWith([a, b], (x, y) => +(x === y));
export const ne = (a: Nd, b: Nd) => zipWith([a, b], (x, y) => +(x !== y));
/** cond != 0 ? a : b */
export const where = (cond: Nd, a: Nd, b: Nd) => zipWith([cond, a, b], (c, x, y) => (c !== 0 ? x : y));

// ---- matmul ------------------------------------------------------------------------------------

// The reductions, softmax, matmul and the losses have their references in the op table (src/ops/); this
// name stays for the tests that still compose references from this file.
export const matmul = MATMUL_OPS.matmul.reference;

// ---- movement ----------------------------------------------------------------------------------

export function reshape(x: Nd, shape: number[]): Nd {
  const known = numel(shape.filter((d) => d !== -1));
  const s = shape.map((d) => (d === -1 ? x.data.length / known : d));
  if (numel(s) !== x.data.length) throw new Error(`reference reshape: [${x.shape}] to [${shape}]`);
  return { shape: s, data: x.data.slice() };
}

export function permute(x: Nd, perm: number[]): Nd {
  const p = perm.map((a) => (a < 0 ? a + x.shape.length : a));
  const shape = p.map((a) => x.shape[a]);
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    const src = new Array<number>(x.shape.length);
    p.forEach((a, d) => (src[a] = idx[d]));
    out[i] = x.data[ravel(src, x.shape)];
  }
  return { shape, data: out };
}

export function transpose(x: Nd, a = -2, b = -1): Nd {
  const r = x.shape.length;
  if (r < 2) return x;
  const perm = [...Array(r).keys()];
  const i = a < 0 ? a + r : a;
  const j = b < 0 ? b + r : b;
  [perm[i], perm[j]] = [perm[j], perm[i]];
  return permute(x, perm);
}

export function expand(x: Nd, shape: number[]): Nd {
  const target = shape.map((d, i) => (d === -1 ? x.shape[i - (shape.length - x.shape.length)] : d));
  return zipWith([x, { shape: target, data: new Float64Array(numel(target)) }], (v) => v);
}

export function squeeze(x: Nd, axis?: number): Nd {
  if (axis === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const a = axis < 0 ? axis + x.shape.length : axis;
  return x.shape[a] === 1 ? reshape(x, x.shape.filter((_, i) => i !== a)) : x;
}

export function unsqueeze(x: Nd, axis: number): Nd {
  const a = axis < 0 ? axis + x.shape.length + 1 : axis;
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

export function flatten(x: Nd, start = 0, end = -1): Nd {
  if (x.shape.length === 0) return reshape(x, [1]);
  const r = x.shape.length;
  const s = start < 0 ? start + r : start;
  const e = end < 0 ? end + r : end;
  return reshape(x, [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

/** Python slicing x[s0:e0, s1:e1, ...]: negative indices from the end, clamped; missing axes whole. */
export function slice(x: Nd, starts: number[], ends?: number[]): Nd {
  const clamp = (i: number, d: number) => Math.min(Math.max(i < 0 ? i + d : i, 0), d);
  const lo = x.shape.map((d, i) => clamp(starts[i] ?? 0, d));
  const hi = x.shape.map((d, i) => clamp(ends?.[i] ?? d, d));
  const shape = lo.map((l, i) => Math.max(hi[i] - l, 0));
  const out = new Float64Array(numel(shape));
  for (let i = 0; i < out.length; i++) out[i] = x.data[ravel(unravel(i, shape).map((v, d) => v + lo[d]), x.shape)];
  return { shape, data: out };
}

export function cat(xs: Nd[], axis = 0): Nd {
  const a = axis < 0 ? axis + xs[0].shape.length : axis;
  const shape = [...xs[0].shape];
  shape[a] = xs.reduce((s, x) => s + x.shape[a], 0);
  const out = new Float64Array(numel(shape));
  let at = 0;
  for (const x of xs) {
    for (let i = 0; i < x.data.length; i++) {
      const idx = unravel(i, x.shape);
      idx[a] += at;
      out[ravel(idx, shape)] = x.data[i];
    }
    at += x.shape[a];
  }
  return { shape, data: out };
}

export const stack = (xs: Nd[], axis = 0): Nd => cat(xs.map((x) => unsqueeze(x, axis < 0 ? axis + x.shape.length + 1 : axis)), axis < 0 ? axis + xs[0].shape.length + 1 : axis);

/** Rows of `table` picked by integer `indices` (any shape): [...indices.shape, ...table.shape.slice(1)]. */
export function gather(table: Nd, indices: Nd): Nd {
  const rest = table.shape.slice(1);
  const row = numel(rest);
  const out = new Float64Array(indices.data.length * row);
  indices.data.forEach((r, i) => out.set(table.data.subarray(r * row, (r + 1) * row), i * row));
  return { shape: [...indices.shape, ...rest], data: out };
}

export function oneHot(labels: Nd, classes: number): Nd {
  const out = new Float64Array(labels.data.length * classes);
  labels.data.forEach((c, i) => (out[i * classes + c] = 1));
  return { shape: [labels.data.length, classes], data: out };
}

// ---- gradient checking -------------------------------------------------------------------------

/**
 * Central differences of L(xs) = sum(f(xs) * R) with respect to xs[which], in float64.
 * `at` lists the flat positions to differentiate (all by default: big inputs pass a sample).
 */
export function numericGrad(f: (...xs: Nd[]) => Nd, xs: Nd[], R: Nd, which: number, at?: number[], eps = 1e-4): Float64Array {
  const positions = at ?? [...Array(xs[which].data.length).keys()];
  const loss = () => {
    const y = f(...xs);
    let s = 0;
    for (let i = 0; i < y.data.length; i++) s += y.data[i] * R.data[i];
    return s;
  };
  const x = xs[which];
  const out = new Float64Array(positions.length);
  positions.forEach((p, k) => {
    const v = x.data[p];
    x.data[p] = v + eps;
    const up = loss();
    x.data[p] = v - eps;
    const down = loss();
    x.data[p] = v;
    out[k] = (up - down) / (2 * eps);
  });
  return out;
}
