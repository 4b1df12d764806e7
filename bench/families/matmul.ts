// Matmul: every variant of src/kernels/matmul.ts and TF.js's tf.matMul on the same shapes.
// Shapes are named MxKxN (A is MxK); "-tA" / "-tB" mark an operand stored transposed, as in backward passes.
import { MATMUL_VARIANTS, chooseMatmulVariant, matmulKernel } from '../../src/kernels/matmul.js';
import { contiguousMatmul, matmulReference } from '../../src/kernels/matmul_reference.js';
import { createStorage } from '../../src/runtime/buffers.js';
import { prepareKernel, type PreparedKernel } from '../dispatch.js';
import { matches, newEntry, timeAlternating, type BenchFamily, type CaseResult, type Contestant } from '../harness.js';

export interface MatmulCase {
  name: string;
  M: number;
  K: number;
  N: number;
  transA?: boolean;
  transB?: boolean;
}

const sq = (n: number): MatmulCase => ({ name: `${n}x${n}x${n}`, M: n, K: n, N: n });
const mm = (M: number, K: number, N: number, t: '' | 'tA' | 'tB' = ''): MatmulCase => ({
  name: `${M}x${K}x${N}${t ? '-' + t : ''}`, M, K, N, transA: t === 'tA', transB: t === 'tB',
});

// MLP 784-256-10 at batch 64: forward X@W1, then dW1 = Xᵀ@dY (A transposed), dX = dY@W1ᵀ (B transposed); same for layer 2.
const mlpShapes = [mm(64, 784, 256), mm(784, 64, 256, 'tA'), mm(64, 256, 784, 'tB'), mm(64, 256, 10), mm(256, 64, 10, 'tA'), mm(64, 10, 256, 'tB')];

/** Variants kept as reference points; one 1024^3 run of each takes 5-20 s on lavapipe, so the default suite runs them on small shapes only. */
const SLOW_REFERENCE_VARIANTS = ['naive', 'tiled'];

/** Deterministic values in [-1, 1). */
function randomArray(n: number, seed: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Checks `got` against float64 on up to 64 rows (all rows of small problems); returns a reason when wrong. */
function firstMismatch(c: MatmulCase, a: Float32Array, b: Float32Array, got: Float32Array): string | undefined {
  const p = contiguousMatmul([], c.M, c.N, c.K, { transA: c.transA, transB: c.transB });
  const step = Math.max(1, Math.floor(c.M / 64));
  const tol = 1e-4 * Math.max(1, c.K / 256);
  for (let m = c.M - 1; m >= 0; m -= step) {
    // one row of the reference: view A from row m on, as a 1xK matrix
    const row = matmulReference({ ...p, M: 1, aOffset: m * p.aRowStride }, a, b);
    for (let n = 0; n < c.N; n++) {
      const g = got[m * c.N + n];
      if (!(Math.abs(g - row.out[n]) <= tol * row.scale[n] + 1e-30))
        return `out[${m},${n}] = ${g}, want ${row.out[n].toPrecision(7)}`;
    }
  }
  return undefined;
}

export const matmulFamily: BenchFamily<MatmulCase> = {
  name: 'matmul',
  cases: (quick) => (quick ? [sq(256), sq(1024), mlpShapes[0], mlpShapes[2]] : [sq(128), sq(256), sq(512), sq(1024), ...mlpShapes]),

  async run(ctx, c) {
    const { rt, peer } = ctx;
    const p = contiguousMatmul([], c.M, c.N, c.K, { transA: c.transA, transB: c.transB });
    const a = randomArray(c.M * c.K, 1);
    const b = randomArray(c.K * c.N, 2);
    const result: CaseResult = { family: 'matmul', case: c.name, flops: 2 * c.M * c.N * c.K, entries: [] };
    const aBuf = createStorage(rt, a);
    const bBuf = createStorage(rt, b);
    const contestants: Contestant[] = [];
    const prepared: PreparedKernel[] = [];
    const outs: GPUBuffer[] = [];
    const chosen = chooseMatmulVariant(p, rt.caps);

    for (const v of MATMUL_VARIANTS.filter((v) => matches(ctx.options.variant, v.name))) {
      const name = v.name === chosen ? `${v.name}*` : v.name;
      // reference variants: only on small shapes in the default suite, never with --quick, always when named by --variant
      const big = p.M * p.N * p.K > 512 ** 3;
      if (!ctx.options.variant && SLOW_REFERENCE_VARIANTS.includes(v.name) && (ctx.options.quick || (big && rt.caps.isSoftware))) {
        result.entries.push(newEntry(name, 'skipped', ctx.options.quick ? '--quick skips the slow reference variants' : 'slow reference variant: above 512^3 only with --variant'));
        continue;
      }
      if (!v.supports(p, rt.caps)) {
        result.entries.push(newEntry(name, 'unsupported', 'supports() is false for this shape/adapter'));
        continue;
      }
      try {
        const out = createStorage(rt, c.M * c.N);
        outs.push(out);
        const k = await prepareKernel(rt, matmulKernel(p, rt.caps, v.name), [aBuf, bBuf, out], c.M * c.N);
        prepared.push(k);
        // the correctness gate: a wrong variant is reported, never timed
        const t0 = performance.now();
        const { gpuMs } = await k.run(1);
        const warm = { wallMs: performance.now() - t0, gpuMs };
        const wrong = firstMismatch(c, a, b, await k.read());
        result.entries.push(newEntry(name, wrong ? 'WRONG' : 'ok', wrong));
        if (!wrong) contestants.push({ name, run: (reps) => k.run(reps), warm });
      } catch (e) {
        result.entries.push(newEntry(name, 'error', (e as Error).message.split('\n')[0]));
      }
    }

    if (peer) {
      const { tf } = peer;
      // stored as the op sees them: transposed operands are transposed back by tf.matMul's flags
      const ta = tf.tensor(a, c.transA ? [c.K, c.M] : [c.M, c.K]);
      const tb = tf.tensor(b, c.transB ? [c.N, c.K] : [c.K, c.N]);
      const entry = newEntry(peer.name);
      result.peer = entry;
      const runTf = async (reps: number) => {
        // reps matMuls, one readback of the last: the same protocol as ours (dispatches, then one read)
        const outs = [];
        for (let i = 0; i < reps; i++) outs.push(tf.matMul(ta, tb, c.transA, c.transB));
        const data = (await outs[outs.length - 1].data()) as Float32Array;
        tf.dispose(outs);
        return data;
      };
      const wrong = firstMismatch(c, a, b, await runTf(1));
      if (wrong) Object.assign(entry, { status: 'WRONG', note: wrong });
      else contestants.push({ name: peer.name, run: async (reps) => (await runTf(reps), {}) });
      result.entries.push(entry);
      try {
        await timeAlternating(ctx, contestants, result.entries);
      } finally {
        result.entries.pop();
        tf.dispose([ta, tb]);
      }
    } else {
      await timeAlternating(ctx, contestants, result.entries);
    }

    for (const k of prepared) k.destroy();
    for (const buf of [aBuf, bBuf, ...outs]) buf.destroy();
    return result;
  },
};
