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

const { crossEntropy, mseLoss } = sg.nn.functional;

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
const classIds = ids((s) => s[0][s[0].length - 1]); // labels for logits [N, C]

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
const NONEMPTY = (sets: number[][][]) => sets.filter((s) => s.every((shape) => !shape.includes(0)));
const REDUCIBLE = [[[7]], [[3, 5]], [[2, 3, 5]], [[67, 9]]];
const ROWS = [[[1]], [[7]], [[3, 5]], [[2, 3, 5]], [[67, 9]], [[0, 3]]];

const F32 = { rtol: 1e-4, atol: 1e-5 };
const SUMS = { rtol: 1e-4, atol: 1e-4 }; // f32 accumulation over hundreds of terms

const rows: Row[] = [
  // reductions
  row('sum()', (x) => x.sum(), (x) => R.sum(x), UNARY, { ...SUMS }),
  row('sum(0)', (x) => x.sum(0), (x) => R.sum(x, 0), [[[7]], [[3, 5]], [[2, 3, 5]], [[0, 3]], [[67, 9]]], { ...SUMS }),
  row('sum(1, keepDim)', (x) => x.sum(1, true), (x) => R.sum(x, 1, true), [[[3, 5]], [[2, 3, 5]], [[0, 3]], [[67, 9]]], { ...SUMS }),
  row('sum([0, 2])', (x) => x.sum([0, 2]), (x) => R.sum(x, [0, 2]), [[[2, 3, 5]], [[4, 1, 33]]], { ...SUMS }),
  row('sum(-1) long rows', (x) => x.sum(-1), (x) => R.sum(x, -1), [[[3, 1000]], [[2, 4099]]], { gens: [uni(0, 1)], ...SUMS }),
  row('mean()', (x) => x.mean(), (x) => R.mean(x), NONEMPTY(UNARY), { ...SUMS }),
  row('mean(-1, keepDim)', (x) => x.mean(-1, true), (x) => R.mean(x, -1, true), REDUCIBLE, { ...SUMS }),
  row('mean([0, 1])', (x) => x.mean([0, 1]), (x) => R.mean(x, [0, 1]), [[[3, 5]], [[2, 3, 5]]], { ...SUMS }),
  row('max()', (x) => x.max(), (x) => R.max(x), NONEMPTY(UNARY), { gens: [spaced()] }),
  row('max(0)', (x) => x.max(0), (x) => R.max(x, 0), REDUCIBLE, { gens: [spaced()] }),
  row('max(-1, keepDim)', (x) => x.max(-1, true), (x) => R.max(x, -1, true), REDUCIBLE, { gens: [spaced()] }),
  row('min(1)', (x) => x.min(1), (x) => R.min(x, 1), [[[3, 5]], [[2, 3, 5]], [[67, 9]]], { gens: [spaced()] }),
  row('min([0, 2], keepDim)', (x) => x.min([0, 2], true), (x) => R.min(x, [0, 2], true), [[[2, 3, 5]]], { gens: [spaced()] }),
  row('argmax()', (x) => x.argmax(), (x) => R.argmax(x), NONEMPTY(UNARY), { gens: [ties()], grad: false, exact: true }),
  row('argmax(1) first of ties', (x) => x.argmax(1), (x) => R.argmax(x, 1), [[[3, 5]], [[2, 3, 5]], [[67, 9]]], { gens: [ties()], grad: false, exact: true }),
  row('argmax(0, keepDim)', (x) => x.argmax(0, true), (x) => R.argmax(x, 0, true), [[[7]], [[3, 5]], [[2, 3, 5]]], { gens: [ties()], grad: false, exact: true }),
  row('argmin(-1)', (x) => x.argmin(-1), (x) => R.argmin(x, -1), [[[7]], [[3, 5]], [[2, 3, 5]]], { gens: [ties()], grad: false, exact: true }),

  // matmul
  row('matmul', (a, b) => a.matmul(b), R.matmul, [
    [[1, 1], [1, 1]], [[7, 13], [13, 5]], [[64, 784], [784, 10]], [[33, 65], [65, 17]],
    [[2, 3, 4, 5], [5, 6]], [[4, 5], [3, 5, 2]], [[2, 1, 3, 4], [5, 4, 2]], [[2, 2, 1, 2, 3, 4], [4, 5]],
    [[13], [13, 5]], [[7, 13], [13]], [[13], [13]], [[3, 13], [2, 1, 13, 4]], [[0, 3], [3, 4]], [[3, 0], [0, 4]],
  ], { gens: [uni(-1, 1), uni(-1, 1)], ...SUMS }),
  row('matmul a.T @ b', (a, b) => a.T.matmul(b), (a, b) => R.matmul(R.transpose(a), b), [[[13, 7], [13, 5]], [[2, 9, 4], [9, 6]]], { gens: [uni(-1, 1), uni(-1, 1)], ...SUMS }),
  row('matmul a @ b.T', (a, b) => a.matmul(b.T), (a, b) => R.matmul(a, R.transpose(b)), [[[7, 13], [5, 13]], [[60, 100], [10, 100]]], { gens: [uni(-1, 1), uni(-1, 1)], ...SUMS }),
  row('matmul a.T @ b.T', (a, b) => a.T.matmul(b.T), (a, b) => R.matmul(R.transpose(a), R.transpose(b)), [[[13, 7], [5, 13]]], { gens: [uni(-1, 1), uni(-1, 1)], ...SUMS }),
  row('matmul of slices', (a, b) => a.slice([1, 2], [6, 12]).matmul(b.slice([2], [12])), (a, b) => R.matmul(R.slice(a, [1, 2], [6, 12]), R.slice(b, [2], [12])), [[[7, 13], [13, 5]]], { gens: [uni(-1, 1), uni(-1, 1)], ...SUMS }),

  // softmax family
  row('softmax(-1)', (x) => x.softmax(-1), (x) => R.softmax(x, -1), ROWS),
  row('softmax(0)', (x) => x.softmax(0), (x) => R.softmax(x, 0), [[[7]], [[3, 5]], [[2, 3, 5]]]),
  row('softmax(1) of 3-D', (x) => x.softmax(1), (x) => R.softmax(x, 1), [[[2, 3, 5]]]),
  row('softmax large logits', (x) => x.softmax(-1), (x) => R.softmax(x, -1), [[[3, 5]], [[67, 9]]], { gens: [uni(-40, 60)] }),
  row('logSoftmax(-1)', (x) => x.logSoftmax(-1), (x) => R.logSoftmax(x, -1), ROWS),
  row('logSoftmax(0)', (x) => x.logSoftmax(0), (x) => R.logSoftmax(x, 0), [[[7]], [[3, 5]], [[2, 3, 5]]]),
  row('logSoftmax large logits', (x) => x.logSoftmax(-1), (x) => R.logSoftmax(x, -1), [[[3, 5]], [[67, 9]]], { gens: [uni(1000, 1010)], atol: 1e-3 }),
  row('softmax of a transposed view', (x) => x.T.softmax(-1), (x) => R.softmax(R.transpose(x), -1), [[[3, 5]], [[2, 3, 5]]]),

  // losses
  row('crossEntropy mean', (x, y) => crossEntropy(x, y), (x, y) => R.crossEntropy(x, y), [[[1, 1], [1]], [[7, 5], [7]], [[64, 10], [64]], [[3, 130], [3]]], { gens: [uni(-3, 3), classIds] }),
  row('crossEntropy sum', (x, y) => crossEntropy(x, y, { reduction: 'sum' }), (x, y) => R.crossEntropy(x, y, 'sum'), [[[7, 5], [7]]], { gens: [uni(-3, 3), classIds] }),
  row('crossEntropy none', (x, y) => crossEntropy(x, y, { reduction: 'none' }), (x, y) => R.crossEntropy(x, y, 'none'), [[[7, 5], [7]]], { gens: [uni(-3, 3), classIds] }),
  row('mseLoss mean', (x, y) => mseLoss(x, y), (x, y) => R.mseLoss(x, y), [[[], []], [[7], [7]], [[3, 5], [3, 5]]]),
  row('mseLoss sum', (x, y) => mseLoss(x, y, { reduction: 'sum' }), (x, y) => R.mseLoss(x, y, 'sum'), [[[2, 3, 5], [2, 3, 5]]]),
  row('mseLoss none', (x, y) => mseLoss(x, y, { reduction: 'none' }), (x, y) => R.mseLoss(x, y, 'none'), [[[3, 5], [3, 5]]]),

  // movement
  row('reduce a permuted view', (x) => x.permute([2, 0, 1]).sum(1), (x) => R.sum(R.permute(x, [2, 0, 1]), 1), [[[2, 3, 5]]], { ...SUMS }),
  row('max of a transposed view', (x) => x.T.max(-1), (x) => R.max(R.transpose(x), -1), [[[3, 5]], [[67, 9]]], { gens: [spaced()] }),
  row('argmax of a transposed view', (x) => x.T.argmax(-1), (x) => R.argmax(R.transpose(x), -1), [[[3, 5]], [[2, 3, 5]]], { gens: [ties()], grad: false, exact: true }),
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
