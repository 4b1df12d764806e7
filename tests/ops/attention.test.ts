// Attention: every row of tests/ops/rows/attention.ts (each fused kernel variant and the unfused composite
// against the float64 reference of src/ops/attention.ts, with central-difference gradient checks), then the
// behaviour that is not a value check, once per variant: a fully masked row, the saved log-sum-exp rows,
// permuted (head-split) views, memory linear in T. A variant the adapter cannot run is reported skipped
// with the reason, never passed.
import '../helpers/matchers.js';
import { describe, expect, test, type TestContext } from 'vitest';
import * as sg from '../../src/node/index.js';
import { Random } from '../../src/core/random.js';
import { nd, type Nd } from '../../src/core/nd.js';
import type { AttentionVariant } from '../../src/kernels/attention.js';
import { attentionUnfused, attentionWithLse, scaledDotProductAttention } from '../../src/ops/attention.js';
import { OPS } from '../../src/ops/table.js';
import { useGpu } from '../helpers/gpu.js';
import { runBadInputs, runRows, uni } from '../helpers/opcheck.js';
import { VARIANTS, badInputs, rows, variantUnsupported } from './rows/attention.js';

useGpu();
runRows(rows);
describe('bad inputs', () => runBadInputs(badInputs));

/** Skips the running test, printing why, when the adapter cannot run `variant`. */
function skipUnsupported(variant: AttentionVariant, ctx: TestContext): void {
  const reason = variantUnsupported(variant);
  if (!reason) return;
  console.log(`skipped ${ctx.task.name}: ${reason}`);
  ctx.skip(reason);
}

/** n seeded values uniform in [lo, hi) (the op-test generator). */
const values = (n: number, random: Random, lo = -1, hi = 1) => Float32Array.from(uni(lo, hi).make(n, () => random.next(), []));

async function read(t: sg.Tensor): Promise<Nd> {
  return { shape: t.shape, data: Float64Array.from(await t.data()) };
}

describe.each(VARIANTS)('attention, %s variant', (variant) => {
  test('a fully masked row gives zeros and zero gradients', async (ctx) => {
    skipUnsupported(variant, ctx);
    const q = sg.randn([1, 1, 3, 4], { seed: 1, requiresGrad: true });
    const k = sg.randn([1, 1, 3, 4], { seed: 2, requiresGrad: true });
    const v = sg.randn([1, 1, 3, 4], { seed: 3, requiresGrad: true });
    const y = scaledDotProductAttention(q, k, v, { variant, keyPaddingMask: sg.tensor(new Int32Array([1, 1, 1]), [1, 3], { dtype: 'int32' }) });
    y.sum().backward();
    expect(Array.from(await y.data())).toEqual(new Array(12).fill(0));
    expect(Array.from(await q.grad!.data())).toEqual(new Array(12).fill(0));
    expect(Array.from(await v.grad!.data())).toEqual(new Array(12).fill(0));
  });

  test('the saved log-sum-exp rows match the reference', async (ctx) => {
    skipUnsupported(variant, ctx);
    const random = new Random(5);
    const qd = values(2 * 20 * 6, random);
    const kd = values(2 * 20 * 6, random);
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
    skipUnsupported(variant, ctx);
    const xd = values(2 * 11 * 12, new Random(9));
    const x = sg.tensor(xd, [2, 11, 3, 4]); // [B, T, H, D]
    const qkv = x.permute([0, 2, 1, 3]); // [B, H, T, D], strided
    const y = scaledDotProductAttention(qkv, qkv, qkv, { causal: true, variant });
    const xc = OPS.permute.reference(nd(xd, [2, 11, 3, 4]), [0, 2, 1, 3]);
    expect(await read(y)).toBeAllClose(OPS.scaledDotProductAttention.reference(xc, xc, xc, { causal: true }), { rtol: 1e-4, atol: 1e-5 });
  });
});

const peak = (T: number, fused: boolean, variant?: AttentionVariant) => {
  const q = sg.randn([1, 2, T, 16], { seed: T, requiresGrad: true });
  const before = sg.memory().bytesInUse;
  // (the unfused path has no kernel variant: it refuses the option)
  const y = fused ? scaledDotProductAttention(q, q, q, { causal: true, variant }) : attentionUnfused(q, q, q, { causal: true });
  y.sum().backward();
  sg.realize(y, q.grad!);
  return sg.memory().bytesInUse - before;
};
// The unfused path is measured once, by the first variant that runs (a second measurement would reuse its cached plan's arena).
let unfusedPeaks: number[] | null = null;

test.for(VARIANTS)('fused attention memory grows linearly in T (the unfused path quadratically), %s variant', (variant, ctx) => {
  skipUnsupported(variant, ctx);
  const u = (unfusedPeaks ??= [256, 512, 1024].map((T) => peak(T, false)));
  const f = [256, 512, 1024].map((T) => peak(T, true, variant));
  // linear: doubling T at most doubles the bytes (plus slack for pooling); the unfused path grows ~4×
  expect(f[2] / f[1]).toBeLessThan(2.5);
  expect(f[1] / f[0]).toBeLessThan(2.5);
  expect(f[2]).toBeLessThan(u[2] / 4);
});
