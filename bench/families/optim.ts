// Optimizer update: one Adam step over a large parameter (a Parameter with a fixed .grad, `opt.step()`,
// one fused kernel), next to TF.js's tf.train.adam applyGradients on the same values. GB/s counts the
// minimum traffic of an Adam update: read param, grad, m, v; write param, m, v (7 floats per parameter).
import * as sg from '../../src/index.js';
import { uniformArray } from '../../src/core/random.js';
import { firstMismatch } from '../public-api-case.js';
import { newEntry, timeAlternating, type BenchFamily, type CaseResult, type Contestant } from '../harness.js';

export interface OptimCase {
  name: string;
  n: number;
}

const M = 1 << 20;
const oc = (n: number): OptimCase => ({ name: `adam ${n / M}M`, n });
const HP = { lr: 1e-3, b1: 0.9, b2: 0.999, eps: 1e-8 };

/** First Adam step from zero moments, in float64 (PyTorch's formula, as TF.js's). */
export function adamStep1Reference(p: Float32Array, g: Float32Array): Float64Array {
  const out = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const m = (1 - HP.b1) * g[i];
    const v = (1 - HP.b2) * g[i] * g[i];
    const mHat = m / (1 - HP.b1);
    const vHat = v / (1 - HP.b2);
    out[i] = p[i] - (HP.lr * mHat) / (Math.sqrt(vHat) + HP.eps);
  }
  return out;
}

export const optimFamily: BenchFamily<OptimCase> = {
  name: 'optim',
  cases: (quick) => (quick ? [oc(M)] : [oc(M), oc(10 * M)]),
  async run(ctx, c) {
    const init = uniformArray(c.n, 13);
    const grad = uniformArray(c.n, 17);
    const want = adamStep1Reference(init, grad);
    const result: CaseResult = { family: 'optim', case: c.name, flops: 0, bytes: 7 * 4 * c.n, entries: [] };
    const ours = newEntry('adam fused update*');
    result.entries.push(ours);
    const contestants: Contestant[] = [];
    const p = new sg.nn.Parameter(sg.tensor(init, [c.n]));
    p.grad = sg.tensor(grad, [c.n]);
    const opt = new sg.optim.Adam([p], { lr: HP.lr, betas: [HP.b1, HP.b2], eps: HP.eps });
    const head = async () => {
      const h = p.slice([0], [4]);
      await h.data();
      h.dispose();
    };
    try {
      const before = sg.stats();
      opt.step();
      const after = sg.stats();
      const wrong = firstMismatch(await p.data(), want, 1e-5, 1e-7);
      if (wrong) Object.assign(ours, { status: 'WRONG', note: wrong });
      else {
        ours.note = `${after.dispatches - before.dispatches} dispatch, ${after.submits - before.submits} submit per step`;
        contestants.push({ name: ours.name, run: async (reps) => { for (let i = 0; i < reps; i++) opt.step(); await head(); return {}; } });
      }
    } catch (e) {
      Object.assign(ours, { status: 'error', note: (e as Error).message.split('\n')[0] });
    }

    let cleanup = () => {};
    if (ctx.peer) {
      const { tf, name } = ctx.peer;
      result.peer = newEntry(name);
      const varName = `bench_adam_${c.n}_${Date.now()}`;
      const v = tf.variable(tf.tensor1d(init), true, varName);
      const g = tf.tensor1d(grad);
      const topt = tf.train.adam(HP.lr, HP.b1, HP.b2, HP.eps);
      cleanup = () => { topt.dispose(); tf.dispose([v, g]); };
      try {
        topt.applyGradients([{ name: varName, tensor: g }]);
        const wrong = firstMismatch((await v.data()) as Float32Array, want, 1e-5, 1e-7);
        if (wrong) Object.assign(result.peer, { status: 'WRONG', note: wrong });
        else
          contestants.push({
            name,
            run: async (reps) => {
              for (let i = 0; i < reps; i++) topt.applyGradients([{ name: varName, tensor: g }]);
              const h = tf.slice(v, 0, 4);
              await h.data();
              h.dispose();
              return {};
            },
          });
      } catch (e) {
        Object.assign(result.peer, { status: 'error', note: (e as Error).message.split('\n')[0] });
      }
    }
    try {
      await timeAlternating(ctx, contestants, [ours, ...(result.peer ? [result.peer] : [])]);
    } finally {
      cleanup();
      p.dispose();
    }
    return result;
  },
};
