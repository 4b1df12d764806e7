// An independent float64 CPU reference for every tensor op, written from NumPy/PyTorch semantics
// (not from the WGSL; the movement ones are the op table's, src/ops/movement.ts): n-d arrays as flat Float64Array + shape, row-major.
// Slow and plain on purpose: each op is the textbook loop, so a disagreement points at the engine.
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

function axisList(axis: number | number[] | undefined, rank: number): number[] {
  if (axis === undefined) return [...Array(rank).keys()];
  return (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
}

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

// ---- reductions --------------------------------------------------------------------------------

function reduceWith(x: Nd, axis: number | number[] | undefined, keepDim: boolean, init: number, f: (acc: number, v: number) => number): Nd {
  const axes = axisList(axis, x.shape.length);
  const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = new Float64Array(numel(keptShape)).fill(init);
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape).map((v, d) => (axes.includes(d) ? 0 : v));
    const o = ravel(idx, keptShape);
    out[o] = f(out[o], x.data[i]);
  }
  return { shape: keepDim ? keptShape : x.shape.filter((_, i) => !axes.includes(i)), data: out };
}

export const sum = (x: Nd, axis?: number | number[], keepDim = false) => reduceWith(x, axis, keepDim, 0, (a, v) => a + v);
export const max = (x: Nd, axis?: number | number[], keepDim = false) => reduceWith(x, axis, keepDim, -Infinity, (a, v) => (v > a ? v : a));
export const min = (x: Nd, axis?: number | number[], keepDim = false) => reduceWith(x, axis, keepDim, Infinity, (a, v) => (v < a ? v : a));
export function mean(x: Nd, axis?: number | number[], keepDim = false): Nd {
  const axes = axisList(axis, x.shape.length);
  const count = numel(axes.map((a) => x.shape[a]));
  return map(sum(x, axis, keepDim), (v) => v / count);
}

/** Index of the first extreme along `axis` (all axes flattened when undefined), as NumPy/PyTorch. */
function argReduce(x: Nd, better: (v: number, best: number) => boolean, axis?: number, keepDim = false): Nd {
  if (axis === undefined) return argReduce({ shape: [x.data.length], data: x.data }, better, 0, false);
  const a = axis < 0 ? axis + x.shape.length : axis;
  const keptShape = x.shape.map((d, i) => (i === a ? 1 : d));
  const out = new Float64Array(numel(keptShape));
  for (let o = 0; o < out.length; o++) {
    const idx = unravel(o, keptShape);
    let best = NaN;
    for (let k = 0; k < x.shape[a]; k++) {
      idx[a] = k;
      const v = x.data[ravel(idx, x.shape)];
      if (k === 0 || better(v, best)) {
        best = v;
        out[o] = k;
      }
    }
  }
  return { shape: keepDim ? keptShape : x.shape.filter((_, i) => i !== a), data: out };
}
export const argmax = (x: Nd, axis?: number, keepDim = false) => argReduce(x, (v, b) => v > b, axis, keepDim);
export const argmin = (x: Nd, axis?: number, keepDim = false) => argReduce(x, (v, b) => v < b, axis, keepDim);

// ---- matmul ------------------------------------------------------------------------------------

/** NumPy matmul: batched with broadcast batch dims; a 1-D left operand is a row, a 1-D right one a column. */
export function matmul(a: Nd, b: Nd): Nd {
  const a2 = a.shape.length === 1 ? reshape(a, [1, a.shape[0]]) : a;
  const b2 = b.shape.length === 1 ? reshape(b, [b.shape[0], 1]) : b;
  const [M, K] = a2.shape.slice(-2);
  const [K2, N] = b2.shape.slice(-2);
  if (K !== K2) throw new Error(`reference matmul: inner dims ${K} vs ${K2}`);
  const batch = broadcastShape(a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  const aBatch = a2.shape.slice(0, -2);
  const bBatch = b2.shape.slice(0, -2);
  const out = new Float64Array(numel(batch) * M * N);
  for (let bi = 0; bi < numel(batch); bi++) {
    const idx = unravel(bi, batch);
    // batch offset of each operand under broadcasting
    const aOff = broadcastFlat(aBatch, idx) * M * K;
    const bOff = broadcastFlat(bBatch, idx) * K * N;
    for (let m = 0; m < M; m++)
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a2.data[aOff + m * K + k] * b2.data[bOff + k * N + n];
        out[(bi * M + m) * N + n] = s;
      }
  }
  const shape = [...batch, M, N];
  if (b.shape.length === 1) shape.pop(); // drop the column dim N
  if (a.shape.length === 1) shape.splice(shape.length - (b.shape.length === 1 ? 1 : 2), 1); // drop the row dim M
  return { shape, data: out };
}

function broadcastFlat(shape: number[], idx: number[]): number {
  const lead = idx.length - shape.length;
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d] + (shape[d] === 1 ? 0 : idx[d + lead]);
  return flat;
}

// ---- softmax and losses ------------------------------------------------------------------------

function alongAxis(x: Nd, axis: number, f: (row: number[]) => number[]): Nd {
  const a = axis < 0 ? axis + x.shape.length : axis;
  const out = new Float64Array(x.data.length);
  const outer = x.shape.map((d, i) => (i === a ? 1 : d));
  for (let o = 0; o < numel(outer); o++) {
    const idx = unravel(o, outer);
    const flats = Array.from({ length: x.shape[a] }, (_, k) => ((idx[a] = k), ravel(idx, x.shape)));
    const ys = f(flats.map((i) => x.data[i]));
    flats.forEach((i, k) => (out[i] = ys[k]));
  }
  return { shape: [...x.shape], data: out };
}

export function logSoftmax(x: Nd, axis = -1): Nd {
  return alongAxis(x, axis, (row) => {
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    return row.map((v) => v - lse);
  });
}

export function softmax(x: Nd, axis = -1): Nd {
  return alongAxis(x, axis, (row) => {
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  });
}

export type Reduction = 'mean' | 'sum' | 'none';
function reduceLoss(x: Nd, reduction: Reduction): Nd {
  if (reduction === 'none') return x;
  return reduction === 'sum' ? sum(x) : mean(x);
}

/** PyTorch F.cross_entropy(logits [N, C], labels [N]). */
export function crossEntropy(logits: Nd, labels: Nd, reduction: Reduction = 'mean'): Nd {
  const [n, c] = logits.shape;
  const ls = logSoftmax(logits, 1);
  const per = new Float64Array(n);
  for (let i = 0; i < n; i++) per[i] = -ls.data[i * c + labels.data[i]];
  return reduceLoss({ shape: [n], data: per }, reduction);
}

export function mseLoss(input: Nd, target: Nd, reduction: Reduction = 'mean'): Nd {
  return reduceLoss(zipWith([input, target], (x, y) => (x - y) ** 2), reduction);
}

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
