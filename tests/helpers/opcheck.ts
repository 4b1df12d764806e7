// The one op-test harness: a row names an op of the table (src/ops/table.ts), a GPU call and its float64
// reference, and awkward input shapes. Each case runs seeded inputs through both, compares the forward
// result, then the analytic GPU gradient of sum(op(x) * W) against central differences of the reference.
import './matchers.js';
import { describe, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { Random } from '../../src/core/random.js';
import { nd, ndNumel, type Nd } from '../../src/core/nd.js';
import type { OpName } from '../../src/ops/table.js';

// ---- seeded inputs -----------------------------------------------------------------------------

const hash = (s: string) => [...s].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619), 2166136261);

/** Makes one input's n values (knowing all the case's shapes); `int` inputs become int32 tensors, never differentiated. */
export type Gen = { make: (n: number, rnd: () => number, shapes: number[][]) => number[]; int?: boolean; noGrad?: boolean };
/** Uniform in [lo, hi). */
export const uni = (lo = -2, hi = 2): Gen => ({ make: (n, r) => Array.from({ length: n }, () => lo + (hi - lo) * r()) });
/** Distinct values at least (hi-lo)/(2n) apart, shuffled: no ties for max/min/argmax, no kinks within eps. */
export const spaced = (lo = -3, hi = 3): Gen => ({
  make: (n, r) => {
    const cells = Array.from({ length: n }, (_, k) => k);
    for (let k = n - 1; k > 0; k--) {
      const j = Math.floor(r() * (k + 1));
      [cells[k], cells[j]] = [cells[j], cells[k]];
    }
    return cells.map((c) => lo + ((hi - lo) * (c + 0.5 + (r() - 0.5) * 0.5)) / n);
  },
});
/** |x| in [lo, hi) with a random sign: away from the kink at 0 (relu, abs, leakyRelu, division). */
export const away0 = (lo = 0.2, hi = 2): Gen => ({ make: (n, r) => Array.from({ length: n }, () => (r() < 0.5 ? -1 : 1) * (lo + (hi - lo) * r())) });
/** An integer in [lo, hi) plus `off` plus jitter in ±0.1: two grids with offsets 0.25 and 0.75 never come within 0.3. */
export const grid = (off: number, lo = -3, hi = 3): Gen => ({ make: (n, r) => Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo)) + off + (r() - 0.5) * 0.2) });
/** Small integers as floats: ties on purpose (comparisons, argmax first occurrence). */
export const ties = (lo = -2, hi = 2): Gen => ({ noGrad: true, make: (n, r) => Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1))) });
/** A float input that is not differentiated (masks, fixed operands). */
export const fixed = (g: Gen): Gen => ({ ...g, noGrad: true });
/** int32 ids in [0, count), count given or read from the case's shapes. */
export const ids = (count: number | ((shapes: number[][]) => number)): Gen => ({
  int: true,
  make: (n, r, shapes) => Array.from({ length: n }, () => Math.floor(r() * (typeof count === 'number' ? count : count(shapes)))),
});

// ---- rows --------------------------------------------------------------------------------------

export type GpuFn = (...xs: sg.Tensor[]) => sg.Tensor;
export type RefFn = (...xs: Nd[]) => Nd;
export interface RowOptions {
  gens?: Gen[]; // one per input (default: uni() for each)
  grad?: boolean; // default true
  exact?: boolean; // int32 output, compared exactly
  rtol?: number;
  atol?: number;
  gradRtol?: number;
  gradAtol?: number;
  /** Central differences at this many seeded positions of large inputs (default 24). */
  gradPositions?: number;
  /** Why this row cannot run on the current adapter (null when it can): reported as skipped, never passed. */
  unsupported?: () => string | null;
}
export interface OpRow {
  op: OpName;
  name: string;
  gpu: GpuFn;
  ref: RefFn;
  inputs: number[][][];
  opts: RowOptions;
}
/** One line per op (or per variant of it): `label` defaults to the op's name. */
export const row = (op: OpName, label: string | null, gpu: GpuFn, ref: RefFn, inputs: number[][][], opts: RowOptions = {}): OpRow => ({ op, name: label ?? op, gpu, ref, inputs, opts });

/** A bad input of an op (or of an API entry that is not an op): thrown synchronously as `error`, with a message matching `message`, before any GPU work. */
export interface BadInput {
  op: OpName | 'tensor' | 'backward';
  what: string;
  call: () => unknown;
  error: new (...args: never[]) => Error;
  message: RegExp;
}
export const bad = (op: BadInput['op'], what: string, call: () => unknown, error: BadInput['error'], message: RegExp): BadInput => ({ op, what, call, error, message });

// ---- running -----------------------------------------------------------------------------------

export const F32 = { rtol: 1e-4, atol: 1e-5 };
export const SUMS = { rtol: 1e-4, atol: 1e-4 }; // f32 accumulation over hundreds of terms
const GRAD = { rtol: 1e-3, atol: 1e-4 };
const GRAD_POSITIONS = 24;

async function read(t: sg.Tensor): Promise<Nd> {
  return { shape: t.shape, data: Float64Array.from(await t.data()) };
}

/**
 * Central differences of L(xs) = sum(f(xs) * W) with respect to xs[which], in float64.
 * `at` lists the flat positions to differentiate (all by default: big inputs pass a sample).
 */
export function numericGrad(f: RefFn, xs: Nd[], W: Nd, which: number, at?: number[], eps = 1e-4): Float64Array {
  const positions = at ?? [...Array(xs[which].data.length).keys()];
  const loss = () => {
    const y = f(...xs);
    let s = 0;
    for (let i = 0; i < y.data.length; i++) s += y.data[i] * W.data[i];
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

function samplePositions(n: number, count: number, rnd: () => number): number[] {
  if (n <= count) return [...Array(n).keys()];
  const set = new Set([0, n - 1]);
  while (set.size < count) set.add(Math.floor(rnd() * n));
  return [...set].sort((a, b) => a - b);
}

export async function runCase(r: OpRow, shapes: number[][]): Promise<void> {
  const random = new Random(hash(`${r.name} ${JSON.stringify(shapes)}`) >>> 0);
  const rnd = () => random.next();
  const gens = shapes.map((_, i) => r.opts.gens?.[i] ?? uni());
  const values = shapes.map((shape, i) => gens[i].make(ndNumel(shape), rnd, shapes));
  const wantGrad = r.opts.grad ?? true;
  const xs = shapes.map((shape, i) =>
    gens[i].int
      ? sg.tensor(Int32Array.from(values[i]), shape, { dtype: 'int32' })
      : sg.tensor(Float32Array.from(values[i]), shape, { requiresGrad: wantGrad && !gens[i].noGrad }),
  );
  // the reference sees exactly the f32 values the GPU sees
  const refXs = xs.map((_, i) => nd(gens[i].int ? values[i] : Float32Array.from(values[i]), shapes[i]));
  const y = r.gpu(...xs);
  const expected = r.ref(...refXs.map((x) => ({ shape: x.shape, data: x.data.slice() })));

  const diffInputs = xs.map((x, i) => (x.requiresGrad ? i : -1)).filter((i) => i >= 0);
  let weights: Nd | null = null;
  if (diffInputs.length) {
    const w = Float32Array.from(uni(-1, 1).make(y.size, rnd, shapes));
    weights = nd(w, y.shape);
    y.mul(sg.tensor(w, y.shape)).sum().backward();
  }
  const grads = diffInputs.map((i) => xs[i].grad);
  sg.realize(y, ...grads.filter((g): g is sg.Tensor => g !== null));

  const tol = r.opts.exact ? { rtol: 0, atol: 0 } : { rtol: r.opts.rtol ?? F32.rtol, atol: r.opts.atol ?? F32.atol };
  expect(y.dtype, `${r.name} output dtype`).toBe(r.opts.exact ? 'int32' : 'float32');
  grads.forEach((g, k) => expect(g, `${r.name}: input ${diffInputs[k]} has no gradient`).not.toBeNull());
  const [got, ...gotGrads] = await Promise.all([read(y), ...grads.map((g) => read(g!))]); // one wait for all readbacks
  expect(got, `${r.name} forward`).toBeAllClose(expected, tol);

  const gradTol = { rtol: r.opts.gradRtol ?? GRAD.rtol, atol: r.opts.gradAtol ?? GRAD.atol };
  for (const [k, i] of diffInputs.entries()) {
    const positions = samplePositions(ndNumel(shapes[i]), r.opts.gradPositions ?? GRAD_POSITIONS, rnd);
    const numeric = numericGrad(r.ref, refXs, weights!, i, positions);
    const analytic = gotGrads[k];
    expect(analytic.shape, `${r.name}: gradient shape of input ${i}`).toEqual(shapes[i]);
    expect(positions.map((p) => analytic.data[p]), `${r.name} gradient of input ${i}`).toBeAllClose(numeric, { ...gradTol, positions, shape: shapes[i] });
  }
}

const shapeName = (shapes: number[][]) => shapes.map((s) => `[${s}]`).join(' ');

/** One describe block per row, one test per input-shape set; unsupported variants are reported skipped with the reason. */
export function runRows(rows: OpRow[]): void {
  describe.each(rows.map((r) => [r.name, r] as const))('%s', (_name, r) => {
    test.for(r.inputs.map((shapes) => [shapeName(shapes), shapes] as const))('%s', async ([, shapes], ctx) => {
      const reason = r.opts.unsupported?.() ?? null;
      if (reason) {
        console.log(`skipped ${r.name} ${shapeName(shapes)}: ${reason}`);
        ctx.skip(reason);
      }
      await runCase(r, shapes);
    });
  });
}

/** Each bad input throws its typed error synchronously, naming the problem, with no GPU work done. */
export function runBadInputs(cases: BadInput[]): void {
  test.each(cases.map((c) => [`${c.op}: ${c.what}`, c] as const))('%s', (_what, c) => {
    const before = sg.stats();
    let thrown: unknown = null;
    let result: unknown;
    try {
      result = c.call();
    } catch (e) {
      thrown = e;
    }
    // synchronously: not a rejected promise, not an error surfacing at the next readback
    if (thrown === null && result instanceof Promise) result.catch(() => undefined);
    expect(thrown, 'thrown synchronously when the op is called').toBeInstanceOf(c.error);
    expect((thrown as Error).name).toBe(c.error.name);
    expect((thrown as Error).message).toMatch(c.message);
    const after = sg.stats();
    expect({ submits: after.submits, dispatches: after.dispatches }, 'no GPU work before the error').toEqual({ submits: before.submits, dispatches: before.dispatches });
  });
}
