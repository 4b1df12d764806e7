// An independent float64 CPU reference for every tensor op, written from NumPy/PyTorch semantics
// (not from the WGSL; the movement ones are the op table's, src/ops/movement.ts): n-d arrays as flat Float64Array + shape, row-major.
// Slow and plain on purpose: each op is the textbook loop, so a disagreement points at the engine.
import { MATMUL_OPS } from '../../src/ops/matmul.js';
import { MOVEMENT_OPS } from '../../src/ops/movement.js';

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

// ---- movement: the op table's references (src/ops/movement.ts), for the rows not yet moved to the table ----

export const reshape = MOVEMENT_OPS.reshape.reference;
export const permute = MOVEMENT_OPS.permute.reference;
export const transpose = MOVEMENT_OPS.transpose.reference;
export const slice = MOVEMENT_OPS.slice.reference;

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
