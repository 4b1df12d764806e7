// Every op, one line each: seeded random inputs over awkward shapes, the GPU result against the float64
// reference of tests/helpers/reference.ts, and the analytic GPU gradient of sum(op(x) * R) against
// central differences of that reference. Inputs stay inside each op's domain and away from its kinks.
import '../helpers/matchers.js';
import { describe, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { useGpu } from '../helpers/gpu.js';
import { Random } from '../../src/core/random.js';
import * as R from '../helpers/reference.js';
import type { Nd } from '../helpers/reference.js';

useGpu();

// ---- seeded inputs -----------------------------------------------------------------------------

/** Seeded uniform [0, 1) numbers: the project's own generator (mulberry32). */
function mulberry32(seed: number): () => number {
  const r = new Random(seed >>> 0);
  return () => r.next();
}
const hash = (s: string) => [...s].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619), 2166136261);

/** Makes one input's n values (knowing all the case's shapes); `int` inputs become int32 tensors, never differentiated. */
type Gen = { make: (n: number, rnd: () => number, shapes: number[][]) => number[]; int?: boolean; noGrad?: boolean };
/** Uniform in [lo, hi). */
const uni = (lo = -2, hi = 2): Gen => ({ make: (n, r) => Array.from({ length: n }, () => lo + (hi - lo) * r()) });
/** Distinct values at least (hi-lo)/(2n) apart, shuffled: no ties for max/min/argmax, no kinks within eps. */
const spaced = (lo = -3, hi = 3): Gen => ({
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
const away0 = (lo = 0.2, hi = 2): Gen => ({ make: (n, r) => Array.from({ length: n }, () => (r() < 0.5 ? -1 : 1) * (lo + (hi - lo) * r())) });
/** An integer in [lo, hi) plus `off` plus jitter in ±0.1: two grids with offsets 0.25 and 0.75 never come within 0.3. */
const grid = (off: number, lo = -3, hi = 3): Gen => ({ make: (n, r) => Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo)) + off + (r() - 0.5) * 0.2) });
/** Small integers as floats: ties on purpose (comparisons, argmax first occurrence). */
const ties = (lo = -2, hi = 2): Gen => ({ noGrad: true, make: (n, r) => Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1))) });
/** int32 ids in [0, count), count given or read from the case's shapes. */
const ids = (count: number | ((shapes: number[][]) => number)): Gen => ({
  int: true,
  make: (n, r, shapes) => Array.from({ length: n }, () => Math.floor(r() * (typeof count === 'number' ? count : count(shapes)))),
});
const rowIds = ids((s) => s[0][0]); // row indices into a table

// ---- the table ---------------------------------------------------------------------------------

type GpuFn = (...xs: sg.Tensor[]) => sg.Tensor;
type RefFn = (...xs: Nd[]) => Nd;
interface Opts {
  gens?: Gen[]; // one per input (default: uni() for each)
  grad?: boolean; // default true
  exact?: boolean; // int32 output, compared exactly
  rtol?: number;
  atol?: number;
}
interface Row { name: string; gpu: GpuFn; ref: RefFn; inputs: number[][][]; opts: Opts }
const row = (name: string, gpu: GpuFn, ref: RefFn, inputs: number[][][], opts: Opts = {}): Row => ({ name, gpu, ref, inputs, opts });

// awkward shapes: scalar, a single element, a prime, non-multiples of any tile or workgroup, empty
// (each distinct shape compiles new pipelines: on lavapipe that is most of the time this file takes)
const UNARY = [[[]], [[1]], [[2, 3, 5]], [[0, 3]], [[67, 9]]];
const BINARY = [[[], []], [[7], [7]], [[3, 1], [1, 4]], [[5], [2, 3, 5]], [[0, 3], [1, 3]], [[67, 9], [9]]];
const FEW = [[[]], [[67, 9]]];
const CMP = [[[7], [7]], [[3, 1], [1, 4]], [[0, 3], [1, 3]], [[67, 9], [9]]];

const F32 = { rtol: 1e-4, atol: 1e-5 };
const SUMS = { rtol: 1e-4, atol: 1e-4 }; // f32 accumulation over hundreds of terms

const rows: Row[] = [
  // movement
  row('reshape', (x) => x.reshape([6, 5]), (x) => R.reshape(x, [6, 5]), [[[2, 3, 5]], [[30]]]),
  row('reshape(-1)', (x) => x.reshape([-1]), (x) => R.reshape(x, [-1]), [[[]], [[2, 3, 5]], [[0, 3]]]),
  row('reshape of a transposed view', (x) => x.T.reshape([-1]), (x) => R.reshape(R.transpose(x), [-1]), [[[3, 5]], [[2, 3, 5]]]),
  row('flatten(1)', (x) => x.flatten(1), (x) => R.flatten(x, 1), [[[2, 3, 5]], [[7, 1]]]),
  row('transpose(0, 2)', (x) => x.transpose(0, 2), (x) => R.transpose(x, 0, 2), [[[2, 3, 5]]]),
  row('.T', (x) => x.T, (x) => R.transpose(x), [[[3, 5]], [[7]], [[0, 3]], [[67, 9]]]),
  row('permute', (x) => x.permute([2, 0, 1]), (x) => R.permute(x, [2, 0, 1]), [[[2, 3, 5]], [[1, 7, 2]]]),
  row('expand', (x) => x.expand([3, 4]), (x) => R.expand(x, [3, 4]), [[[3, 1]], [[1, 4]], [[4]], [[]]]),
  row('expand to [2, 3, 5]', (x) => x.expand([2, 3, 5]), (x) => R.expand(x, [2, 3, 5]), [[[5]], [[3, 1]], [[1, 3, 5]]]),
  row('expand with -1', (x) => x.expand([2, -1, 5]), (x) => R.expand(x, [2, -1, 5]), [[[3, 1]], [[1, 3, 5]]]),
  row('squeeze', (x) => x.squeeze(), (x) => R.squeeze(x), [[[1, 7, 1]], [[1]], [[3, 5]]]),
  row('squeeze(1)', (x) => x.squeeze(1), (x) => R.squeeze(x, 1), [[[3, 1, 5]], [[3, 5]]]),
  row('unsqueeze', (x) => x.unsqueeze(-1), (x) => R.unsqueeze(x, -1), [[[]], [[7]], [[3, 5]]]),
  row('slice', (x) => x.slice([1, -4], [-1, 8]), (x) => R.slice(x, [1, -4], [-1, 8]), [[[3, 5]], [[7, 9]], [[4, 3, 5]]]),
  row('slice to an empty strided view', (x) => x.slice([0, 2], [2, 1]), (x) => R.slice(x, [0, 2], [2, 1]), [[[2, 3]], [[7, 9]]]),
  row('slice empty and clamped', (x) => x.slice([2, 0], [2, 99]), (x) => R.slice(x, [2, 0], [2, 99]), [[[3, 5]]]),
  row('slice of a slice then exp', (x) => x.slice([1]).slice([0, 1], [2, 4]).exp(), (x) => R.exp(R.slice(R.slice(x, [1]), [0, 1], [2, 4])), [[[4, 5]]]),
  row('cat(0)', (a, b, c) => sg.cat([a, b, c], 0), (a, b, c) => R.cat([a, b, c], 0), [[[2, 3], [0, 3], [5, 3]], [[1], [7], [2]]]),
  row('cat(-1)', (a, b) => sg.cat([a, b], -1), (a, b) => R.cat([a, b], -1), [[[2, 3, 5], [2, 3, 2]], [[3, 1], [3, 4]]]),
  row('cat of views', (a, b) => sg.cat([a.T, b.slice([1])], 0), (a, b) => R.cat([R.transpose(a), R.slice(b, [1])], 0), [[[5, 3], [4, 5]]]),
  row('stack(1)', (a, b) => sg.stack([a, b], 1), (a, b) => R.stack([a, b], 1), [[[3, 5], [3, 5]], [[7], [7]]]),
  row('stack(0)', (a, b, c) => sg.stack([a, b, c]), (a, b, c) => R.stack([a, b, c]), [[[], [], []], [[2, 3], [2, 3], [2, 3]]]),
  row('gather', (t, i) => t.gather(i), R.gather, [[[10, 4], [7]], [[10, 4], [2, 3]], [[5], [9]], [[7, 2, 3], [4]], [[10, 4], [0]]], { gens: [uni(), rowIds] }),
  row('gather from a sliced table', (t, i) => t.slice([2]).gather(i), (t, i) => R.gather(R.slice(t, [2]), i), [[[10, 4], [6]]], { gens: [uni(), ids(8)] }),
  row('oneHot', (i) => sg.oneHot(i, 5), (i) => R.oneHot(i, 5), [[[7]], [[1]], [[0]]], { gens: [ids(5)], grad: false }),
];

// ---- running one case --------------------------------------------------------------------------

const GRAD = { rtol: 1e-3, atol: 1e-4 };
const MAX_GRAD_POSITIONS = 24; // central differences at a seeded sample of positions in large inputs

async function read(t: sg.Tensor): Promise<Nd> {
  return { shape: t.shape, data: Float64Array.from(await t.data()) };
}

async function runCase(r: Row, shapes: number[][]): Promise<void> {
  const rnd = mulberry32(hash(`${r.name} ${JSON.stringify(shapes)}`));
  const gens = shapes.map((_, i) => r.opts.gens?.[i] ?? uni());
  const values = shapes.map((shape, i) => gens[i].make(R.numel(shape), rnd, shapes));
  const wantGrad = r.opts.grad ?? true;
  const xs = shapes.map((shape, i) =>
    gens[i].int
      ? sg.tensor(Int32Array.from(values[i]), shape, { dtype: 'int32' })
      : sg.tensor(Float32Array.from(values[i]), shape, { requiresGrad: wantGrad && !gens[i].noGrad }),
  );
  // the reference sees exactly the f32 values the GPU sees
  const refXs = xs.map((x, i) => R.nd(gens[i].int ? values[i] : Float32Array.from(values[i]), shapes[i]));
  const y = r.gpu(...xs);
  const expected = r.ref(...refXs.map((x) => ({ shape: x.shape, data: x.data.slice() })));

  const diffInputs = xs.map((x, i) => (x.requiresGrad ? i : -1)).filter((i) => i >= 0);
  let weights: Nd | null = null;
  if (diffInputs.length) {
    const w = Float32Array.from(uni(-1, 1).make(y.size, rnd, shapes));
    weights = R.nd(w, y.shape);
    y.mul(sg.tensor(w, y.shape)).sum().backward();
  }
  const grads = diffInputs.map((i) => xs[i].grad);
  sg.realize(y, ...grads.filter((g): g is sg.Tensor => g !== null));

  const tol = r.opts.exact ? { rtol: 0, atol: 0 } : { rtol: r.opts.rtol ?? F32.rtol, atol: r.opts.atol ?? F32.atol };
  expect(y.dtype, `${r.name} output dtype`).toBe(r.opts.exact ? 'int32' : 'float32');
  grads.forEach((g, k) => expect(g, `${r.name}: input ${diffInputs[k]} has no gradient`).not.toBeNull());
  const [got, ...gotGrads] = await Promise.all([read(y), ...grads.map((g) => read(g!))]); // one wait for all readbacks
  expect(got, `${r.name} forward`).toBeAllClose(expected, tol);

  for (const [k, i] of diffInputs.entries()) {
    const n = R.numel(shapes[i]);
    const positions = n <= MAX_GRAD_POSITIONS ? [...Array(n).keys()] : samplePositions(n, rnd);
    const numeric = R.numericGrad(r.ref, refXs, weights!, i, positions);
    const analytic = gotGrads[k];
    expect(analytic.shape, `${r.name}: gradient shape of input ${i}`).toEqual(shapes[i]);
    expect(positions.map((p) => analytic.data[p]), `${r.name} gradient of input ${i}`).toBeAllClose(numeric, { ...GRAD, positions, shape: shapes[i] });
  }
}

function samplePositions(n: number, rnd: () => number): number[] {
  const set = new Set([0, n - 1]);
  while (set.size < MAX_GRAD_POSITIONS) set.add(Math.floor(rnd() * n));
  return [...set].sort((a, b) => a - b);
}

const shapeName = (shapes: number[][]) => shapes.map((s) => `[${s}]`).join(' ');

describe.each(rows.map((r) => [r.name, r] as const))('%s', (_name, r) => {
  test.each(r.inputs.map((shapes) => [shapeName(shapes), shapes] as const))('%s', async (_s, shapes) => {
    await runCase(r, shapes);
  });
});
