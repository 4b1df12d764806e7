// Attention, q, k, v [1, H, T, 64], causal: the fused flash-style kernels (forward; forward + backward)
// next to our unfused composition (matmul, softmax, matmul: a [H, T, T] score matrix) and the same
// composition in TF.js (forward: tf.matMul/tf.softmax/tf.matMul; backward: tf.grads of it).
// Validation before timing: forward against a float64 CPU reference; forward + backward against our
// unfused path's gradients (itself checked against float64 in tests/ops/attention.test.ts).
// Each entry's note gives sg.memory() bytes a realization added (plan arena + outputs).
import * as sg from '../../src/index.js';
import { ATTENTION_VARIANTS, chooseAttentionVariant, type AttentionVariant } from '../../src/kernels/attention.js';
import { attentionUnfused, scaledDotProductAttention } from '../../src/ops/attention.js';
import { uniformArray } from '../../src/core/random.js';
import { firstMismatch, tfContestant } from '../public-api-case.js';
import { matches, newEntry, timeAlternating, type BenchFamily, type CaseResult, type Contestant, type Entry } from '../harness.js';

export interface AttentionCase {
  name: string;
  H: number;
  T: number;
  D: number;
  backward: boolean;
}

const ac = (T: number, backward: boolean, H = 4, D = 64): AttentionCase => ({ name: `H${H} T${T} D${D} ${backward ? 'fwd+bwd' : 'fwd'}`, H, T, D, backward });

function attentionReference(q: Float32Array, k: Float32Array, v: Float32Array, H: number, T: number, D: number): Float64Array {
  const out = new Float64Array(H * T * D);
  const s = new Float64Array(T);
  for (let h = 0; h < H; h++)
    for (let i = 0; i < T; i++) {
      let m = -Infinity;
      for (let j = 0; j <= i; j++) {
        let dot = 0;
        for (let d = 0; d < D; d++) dot += q[(h * T + i) * D + d] * k[(h * T + j) * D + d];
        s[j] = dot / Math.sqrt(D);
        m = Math.max(m, s[j]);
      }
      let z = 0;
      for (let j = 0; j <= i; j++) z += (s[j] = Math.exp(s[j] - m));
      for (let j = 0; j <= i; j++) for (let d = 0; d < D; d++) out[(h * T + i) * D + d] += (s[j] / z) * v[(h * T + j) * D + d];
    }
  return out;
}

export const attentionFamily: BenchFamily<AttentionCase> = {
  name: 'attention',
  cases: (quick) => (quick ? [ac(128, false), ac(512, false), ac(512, true)] : [128, 256, 512, 1024, 2048].flatMap((T) => [ac(T, false), ac(T, true)])),
  async run(ctx, c): Promise<CaseResult> {
    const { H, T, D } = c;
    const shape = [1, H, T, D];
    const n = H * T * D;
    const [qd, kd, vd, wd] = [1, 2, 3, 4].map((s) => uniformArray(n, s));
    const q = sg.tensor(qd, shape, { requiresGrad: c.backward });
    const k = sg.tensor(kd, shape, { requiresGrad: c.backward });
    const v = sg.tensor(vd, shape, { requiresGrad: c.backward });
    const w = sg.tensor(wd, shape);
    // causal attention: half the T×T scores; forward 2 matmuls, backward 5 (4 + recomputed scores)
    const flops = (c.backward ? 7 : 2) * 2 * H * T * T * D * 0.5;
    const result: CaseResult = { family: 'attention', case: c.name, flops, entries: [] };
    // every registered fused variant (the default one marked *), then the unfused composition (variant null)
    const make = (variant: AttentionVariant | null) => () => {
      // (the unfused path has no kernel variant and refuses the option)
      const attn = () => (variant ? scaledDotProductAttention(q, k, v, { causal: true, variant }) : attentionUnfused(q, k, v, { causal: true }));
      if (!c.backward) return attn();
      q.grad = k.grad = v.grad = null;
      attn().mul(w).sum().backward();
      return sg.cat([q.grad!, k.grad!, v.grad!]);
    };
    const want = c.backward ? null : attentionReference(qd, kd, vd, H, T, D);
    let unfusedGrads: Float32Array | null = null;
    const contestants: Contestant[] = [];
    const chosen = chooseAttentionVariant(ctx.rt.caps);
    const runs: [string, AttentionVariant | null][] = [
      ...ATTENTION_VARIANTS.map((v) => [`flash ${v.name}${v.name === chosen ? '*' : ''}`, v.name] as [string, AttentionVariant]),
      ['unfused (matmul+softmax+matmul)', null],
    ];
    for (const [name, fused] of runs) {
      const entry: Entry = newEntry(name);
      result.entries.push(entry);
      if (fused && !ATTENTION_VARIANTS.find((v) => v.name === fused)!.supports(ctx.rt.caps)) {
        Object.assign(entry, { status: 'unsupported', note: `needs a fixed subgroup size (${ctx.rt.caps.description})` });
        continue;
      }
      if (!matches(ctx.options.variant, name)) {
        Object.assign(entry, { status: 'skipped', note: '--variant filter' });
        continue;
      }
      // the tiled variant is a reference point on CPU adapters (10-40 s a run at T >= 1024): long T only when named
      if (fused === 'tiled' && fused !== chosen && T > 512 && ctx.rt.caps.isSoftware && !ctx.options.variant) {
        Object.assign(entry, { status: 'skipped', note: 'slow on this adapter above T=512: run with --variant tiled' });
        continue;
      }
      try {
        const before = sg.memory().bytesInUse;
        const y = make(fused)();
        sg.realize(y);
        const added = sg.memory().bytesInUse - before;
        const got = (await y.data()) as Float32Array;
        y.dispose();
        if (!fused && c.backward) unfusedGrads = got;
        const ref = want ?? unfusedGrads;
        const wrong = ref ? firstMismatch(got, ref, 2e-3, 2e-4) : undefined;
        if (wrong) Object.assign(entry, { status: 'WRONG', note: wrong });
        else {
          entry.note = `memory +${(added / 2 ** 20).toFixed(1)} MiB`;
          contestants.push({
            name,
            async run(reps) {
              let last: sg.Tensor | null = null;
              for (let i = 0; i < reps; i++) {
                const y = make(fused)();
                sg.realize(y);
                last?.dispose();
                last = y;
              }
              await last!.slice([0], [1]).data();
              last!.dispose();
              return {};
            },
          });
        }
      } catch (e) {
        Object.assign(entry, { status: 'error', note: (e as Error).message.split('\n')[0] });
      }
    }
    // backward: the fused entries ran first, before the unfused gradients existed; check them now
    if (c.backward && unfusedGrads) {
      for (const [name, fused] of runs) {
        const at = contestants.findIndex((x) => x.name === name);
        if (!fused || at < 0) continue;
        const y = make(fused)();
        const wrong = firstMismatch((await y.data()) as Float32Array, unfusedGrads, 2e-3, 2e-4);
        y.dispose();
        if (wrong) {
          Object.assign(result.entries.find((e) => e.name === name)!, { status: 'WRONG', note: wrong });
          contestants.splice(at, 1);
        }
      }
    }
    let disposePeer = () => {};
    if (ctx.peer) {
      const { tf, name } = ctx.peer;
      result.peer = newEntry(name);
      try {
        const [tq, tk, tv, tw] = [qd, kd, vd, wd].map((d) => tf.tensor4d(d, [1, H, T, D]));
        const bias = tf.tensor2d(Float32Array.from({ length: T * T }, (_, i) => (i % T <= Math.floor(i / T) ? 0 : -1e30)), [T, T]);
        disposePeer = () => tf.dispose([tq, tk, tv, tw, bias]);
        const fwd = (a: typeof tq, b: typeof tq, cc: typeof tq) => tf.matMul(tf.softmax(tf.add(tf.mul(tf.matMul(a, b, false, true), 1 / Math.sqrt(D)), bias)), cc);
        const grads = tf.grads((a, b, cc) => tf.sum(tf.mul(fwd(a as typeof tq, b as typeof tq, cc as typeof tq), tw)));
        const tfMake = c.backward ? () => tf.tidy(() => tf.concat(grads([tq, tk, tv]), 0)) : () => tf.tidy(() => fwd(tq, tk, tv));
        const y = tfMake();
        const got = (await y.data()) as Float32Array;
        y.dispose();
        const ref = want ?? unfusedGrads;
        const wrong = ref ? firstMismatch(got, ref, 2e-3, 2e-4) : 'no reference to check against';
        if (wrong) Object.assign(result.peer, { status: 'WRONG', note: wrong });
        else contestants.push(tfContestant(tf, name, tfMake));
      } catch (e) {
        Object.assign(result.peer, { status: 'error', note: (e as Error).message.split('\n')[0] });
      }
    }
    try {
      await timeAlternating(ctx, contestants, [...result.entries, ...(result.peer ? [result.peer] : [])]);
    } finally {
      disposePeer();
      for (const t of [q, k, v, w]) t.dispose();
    }
    return result;
  },
};
