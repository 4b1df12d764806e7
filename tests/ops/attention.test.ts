// Fused attention (flash-style forward and backward) against the float64 reference of
// tests/helpers/seq-reference.ts, with central-difference gradient checks; awkward shapes: T = 1,
// T not a multiple of the 16-wide tiles, odd head sizes, TQ ≠ TK; with and without masks.
import '../helpers/matchers.js';
import { beforeAll, describe, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { useGpu } from '../helpers/gpu.js';
import { Random } from '../../src/core/random.js';
import { ATTENTION_VARIANTS, type AttentionVariant } from '../../src/kernels/attention.js';
import { attentionUnfused, attentionWithLse, scaledDotProductAttention } from '../../src/ops/attention.js';
import { runtime } from '../../src/runtime/runtime.js';
import * as R from '../helpers/reference.js';
import type { Nd } from '../helpers/reference.js';
import * as S from '../helpers/seq-reference.js';

useGpu();

/** Seeded uniform [0, 1) numbers: the project's own generator (mulberry32). */
function mulberry32(seed: number): () => number {
  const r = new Random(seed >>> 0);
  return () => r.next();
}
const randArr = (n: number, rnd: () => number, lo = -1, hi = 1) => Float32Array.from({ length: n }, () => lo + (hi - lo) * rnd());

interface Case {
  name: string;
  B: number;
  H: number;
  TQ: number;
  TK: number;
  D: number;
  causal?: boolean;
  mask?: boolean;
  scale?: number;
}

const CASES: Case[] = [
  { name: 'T=1', B: 1, H: 1, TQ: 1, TK: 1, D: 4 },
  { name: 'odd head size 5, T=7', B: 2, H: 3, TQ: 7, TK: 7, D: 5 },
  { name: 'T=37 (not a tile multiple), causal', B: 1, H: 2, TQ: 37, TK: 37, D: 8, causal: true },
  { name: 'TQ=5, TK=19, key-padding mask', B: 2, H: 2, TQ: 5, TK: 19, D: 3, mask: true },
  { name: 'causal + mask + scale, T=18', B: 2, H: 1, TQ: 18, TK: 18, D: 7, causal: true, mask: true, scale: 0.3 },
  { name: 'D=64, T=33', B: 1, H: 2, TQ: 33, TK: 33, D: 64, causal: true },
  // several key blocks of the subgroup variant (4 × subgroup size), head size past one vec4 per lane
  { name: 'TQ=40, TK=70, D=36, mask', B: 2, H: 1, TQ: 40, TK: 70, D: 36, mask: true },
  { name: 'TQ=45, TK=70, D=17, causal + mask', B: 1, H: 2, TQ: 45, TK: 70, D: 17, causal: true, mask: true },
];

function makeMask(c: Case, rnd: () => number): Float32Array {
  // each row keeps key 0 (no fully-masked row) and drops about a third of the rest
  return Float32Array.from({ length: c.B * c.TK }, (_, i) => (i % c.TK === 0 || rnd() > 0.35 ? 1 : 0));
}

async function read(t: sg.Tensor): Promise<Nd> {
  return { shape: t.shape, data: Float64Array.from(await t.data()) };
}

// every registered variant the adapter supports (checked when the test runs: the runtime starts in beforeAll)
const VARIANTS = ATTENTION_VARIANTS.map((v) => v.name);
const skipUnsupported = (variant: AttentionVariant): boolean => !ATTENTION_VARIANTS.find((v) => v.name === variant)!.supports(runtime().caps);

describe.each(VARIANTS.flatMap((variant) => CASES.map((c) => [`${variant}: ${c.name}`, variant, c] as const)))('attention %s', (_n, variant, c) => {
  test('forward and gradients vs float64 reference', async (ctx) => {
    if (skipUnsupported(variant)) ctx.skip();
    const rnd = mulberry32(c.TQ * 131 + c.TK * 7 + c.D);
    const qs = [c.B, c.H, c.TQ, c.D];
    const ks = [c.B, c.H, c.TK, c.D];
    const qd = randArr(R.numel(qs), rnd, -2, 2);
    const kd = randArr(R.numel(ks), rnd, -2, 2);
    const vd = randArr(R.numel(ks), rnd);
    const md = c.mask ? makeMask(c, rnd) : null;
    const q = sg.tensor(qd, qs, { requiresGrad: true });
    const k = sg.tensor(kd, ks, { requiresGrad: true });
    const v = sg.tensor(vd, ks, { requiresGrad: true });
    const mask = md ? sg.tensor(md, [c.B, c.TK]) : null;
    const opts = { causal: c.causal, mask, scale: c.scale, variant };
    const y = sg.nn.functional.scaledDotProductAttention(q, k, v, opts);
    const unfused = attentionUnfused(q.detach(), k.detach(), v.detach(), opts);
    const w = randArr(y.size, rnd);
    y.mul(sg.tensor(w, y.shape)).sum().backward();
    sg.realize(y, unfused, q.grad!, k.grad!, v.grad!);

    const refOpts = { causal: c.causal, mask: md ? R.nd(md, [c.B, c.TK]) : null, scale: c.scale };
    const ref = (qq: Nd, kk: Nd, vv: Nd) => S.attention(qq, kk, vv, refOpts);
    const xs = [R.nd(qd, qs), R.nd(kd, ks), R.nd(vd, ks)];
    const expected = ref(xs[0], xs[1], xs[2]);
    expect(await read(y)).toBeAllClose(expected, { rtol: 1e-4, atol: 1e-5 });
    expect(await read(unfused)).toBeAllClose(expected, { rtol: 1e-4, atol: 1e-5 });

    const W = R.nd(w, y.shape);
    for (const [i, t] of [q, k, v].entries()) {
      const n = t.size;
      const positions = n <= 40 ? [...Array(n).keys()] : Array.from(new Set([0, n - 1, ...Array.from({ length: 38 }, () => Math.floor(rnd() * n))])).sort((a, b) => a - b);
      const numeric = R.numericGrad(ref, xs, W, i, positions);
      const analytic = await t.grad!.data();
      expect(positions.map((p) => analytic[p]), `gradient of ${'qkv'[i]}`).toBeAllClose(numeric, { rtol: 2e-3, atol: 2e-4, positions, shape: t.shape });
    }
  });
});

describe.each(VARIANTS)('attention, %s variant', (variant) => {
test('a fully masked row gives zeros and zero gradients', async (ctx) => {
  if (skipUnsupported(variant)) ctx.skip();
  const q = sg.randn([1, 1, 3, 4], { seed: 1, requiresGrad: true });
  const k = sg.randn([1, 1, 3, 4], { seed: 2, requiresGrad: true });
  const v = sg.randn([1, 1, 3, 4], { seed: 3, requiresGrad: true });
  const y = scaledDotProductAttention(q, k, v, { variant, mask: sg.tensor(new Int32Array([0, 0, 0]), [1, 3], { dtype: 'int32' }) });
  y.sum().backward();
  expect(Array.from(await y.data())).toEqual(new Array(12).fill(0));
  expect(Array.from(await q.grad!.data())).toEqual(new Array(12).fill(0));
  expect(Array.from(await v.grad!.data())).toEqual(new Array(12).fill(0));
});

test('the saved log-sum-exp rows match the reference', async (ctx) => {
  if (skipUnsupported(variant)) ctx.skip();
  const rnd = mulberry32(5);
  const qd = randArr(2 * 20 * 6, rnd);
  const kd = randArr(2 * 20 * 6, rnd);
  const q = sg.tensor(qd, [1, 2, 20, 6]);
  const k = sg.tensor(kd, [1, 2, 20, 6]);
  const { lse } = attentionWithLse(q, k, k, { causal: true, variant });
  const got = await lse.data();
  const want = new Float64Array(40);
  for (let r = 0; r < 40; r++) {
    const h = Math.floor(r / 20);
    const i = r % 20;
    const s = Array.from({ length: i + 1 }, (_, j) => {
      let d = 0;
      for (let e = 0; e < 6; e++) d += qd[(h * 20 + i) * 6 + e] * kd[(h * 20 + j) * 6 + e];
      return d / Math.sqrt(6);
    });
    const m = Math.max(...s);
    want[r] = m + Math.log(s.reduce((a, x) => a + Math.exp(x - m), 0));
  }
  expect(got).toBeAllClose(want, { rtol: 1e-5, atol: 1e-5 });
});

test('reads permuted (head-split) views without copies', async (ctx) => {
  if (skipUnsupported(variant)) ctx.skip();
  const rnd = mulberry32(9);
  const xd = randArr(2 * 11 * 12, rnd);
  const x = sg.tensor(xd, [2, 11, 3, 4]); // [B, T, H, D]
  const qkv = x.permute([0, 2, 1, 3]); // [B, H, T, D], strided
  const y = scaledDotProductAttention(qkv, qkv, qkv, { causal: true, variant });
  const xc = R.permute(R.nd(xd, [2, 11, 3, 4]), [0, 2, 1, 3]);
  expect(await read(y)).toBeAllClose(S.attention(xc, xc, xc, { causal: true }), { rtol: 1e-4, atol: 1e-5 });
});

});

// One test for all variants: the unfused path is measured once (a second measurement would reuse its cached plan's arena).
test('fused attention memory grows linearly in T (the unfused path quadratically), every variant', async () => {
  const peak = (T: number, fused: boolean, variant?: AttentionVariant) => {
    const q = sg.randn([1, 2, T, 16], { seed: T, requiresGrad: true });
    const before = sg.memory().bytesInUse;
    const y = (fused ? scaledDotProductAttention : attentionUnfused)(q, q, q, { causal: true, variant });
    y.sum().backward();
    sg.realize(y, q.grad!);
    return sg.memory().bytesInUse - before;
  };
  const u = [256, 512, 1024].map((T) => peak(T, false));
  for (const variant of VARIANTS) {
    if (skipUnsupported(variant)) continue;
    const f = [256, 512, 1024].map((T) => peak(T, true, variant));
    // linear: doubling T at most doubles the bytes (plus slack for pooling); the unfused path grows ~4×
    expect(f[2] / f[1], variant).toBeLessThan(2.5);
    expect(f[1] / f[0], variant).toBeLessThan(2.5);
    expect(f[2], variant).toBeLessThan(u[2] / 4);
  }
});

describe('attention input errors name the op and the shapes', () => {
  test('rank, head dims, mask shape', () => {
    const q = sg.zeros([1, 2, 3, 4]);
    expect(() => scaledDotProductAttention(q, sg.zeros([1, 2, 3, 5]), sg.zeros([1, 2, 3, 5]))).toThrow(sg.ShapeError);
    expect(() => scaledDotProductAttention(q, sg.zeros([1, 2, 3, 5]), sg.zeros([1, 2, 3, 5]))).toThrow(/scaledDotProductAttention.*\[1, 2, 3, 4\].*\[1, 2, 3, 5\]/);
    expect(() => scaledDotProductAttention(sg.zeros([2, 3, 4]), q, q)).toThrow(/q must be \[B, H, T, D\], got shape \[2, 3, 4\]/);
    expect(() => scaledDotProductAttention(q, q, q, { mask: sg.ones([1, 4]) })).toThrow(/mask must be \[1, 3\].*\[1, 4\]/);
  });
});
