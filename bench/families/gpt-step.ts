// A whole char-level GPT training step (src/models/charlm.ts: token + learned position embeddings,
// pre-norm GPT blocks with causal fused attention and a tanh-GELU MLP, final LayerNorm, linear head;
// cross-entropy over every position, Adam, loss readback) next to the same architecture written with
// TF.js ops (attention as matMul / softmax / matMul with an additive causal mask) and the same weights,
// on the same Dawn GPU.
import * as sg from '../../src/index.js';
import { Random } from '../../src/core/random.js';
import { CharGPT } from '../../src/models/charlm.js';
import type { BenchFamily } from '../harness.js';
import type { Tf } from '../peer-tfjs.js';
import { runStepCase } from '../step.js';

type T = import('@tensorflow/tfjs').Tensor;
type T2 = import('@tensorflow/tfjs').Tensor2D;
type Var = import('@tensorflow/tfjs').Variable;

export interface GptCase {
  name: string;
  batch: number;
  /** Sequence length (= the model's block size). */
  T: number;
  d: number;
  layers: number;
  heads: number;
  vocab: number;
}

const gpt = (layers: number, d: number, heads: number, T: number, batch: number, vocab = 65): GptCase => ({
  name: `gpt-L${layers}-d${d}-h${heads}-T${T}-V${vocab}-b${batch}`,
  batch,
  T,
  d,
  layers,
  heads,
  vocab,
});

/** Matmul FLOPs of a step: forward (projections, MLP, QKᵀ and PV over the full T×T, head) x3 for the two backward products. */
export function gptStepFlops(c: GptCase): number {
  const n = c.batch * c.T;
  const perLayer = 2 * n * 12 * c.d * c.d + 4 * c.batch * c.T * c.T * c.d;
  return 3 * (c.layers * perLayer + 2 * n * c.d * c.vocab);
}

/** A fixed batch: pseudo-random character ids and their next-character targets. */
function fixedBatch(c: GptCase) {
  const seq = new Int32Array(c.batch * (c.T + 1));
  const rng = new Random(12345);
  for (let i = 0; i < seq.length; i++) seq[i] = rng.int(c.vocab);
  const ids = new Int32Array(c.batch * c.T);
  const targets = new Int32Array(c.batch * c.T);
  for (let b = 0; b < c.batch; b++)
    for (let t = 0; t < c.T; t++) {
      ids[b * c.T + t] = seq[b * (c.T + 1) + t];
      targets[b * c.T + t] = seq[b * (c.T + 1) + t + 1];
    }
  return { ids, targets };
}

/** TF.js copy of a CharGPT with its current weights; forward(ids [B, T]) → logits [B·T, V]. */
export async function tfCharGPT(tf: Tf, model: CharGPT, c: GptCase) {
  const vars: Var[] = [];
  const v = async (p: sg.Tensor, shape: number[]) => {
    const x = tf.variable(tf.tensor((await p.data()) as Float32Array, shape));
    vars.push(x);
    return x;
  };
  // Linear: ours [out, in] → TF's [in, out]
  const linear = async (l: sg.nn.Linear) => {
    const w = tf.tensor2d((await l.weight.data()) as Float32Array, [l.outFeatures, l.inFeatures]);
    const wt = tf.variable(w.transpose() as T2);
    w.dispose();
    vars.push(wt);
    return { w: wt as unknown as T2, b: await v(l.bias!, [l.outFeatures]) };
  };
  const norm = async (ln: sg.nn.LayerNorm) => ({ g: await v(ln.weight!, [c.d]), b: await v(ln.bias!, [c.d]), eps: ln.options.eps ?? 1e-5 });
  const tok = await v(model.tokEmb.weight, [c.vocab, c.d]);
  const pos = await v(model.posEmb.weight, [model.blockSize, c.d]);
  const blockVars = async (blk: CharGPT['blocks'][number]) => ({
    ln1: await norm(blk.ln1),
    q: await linear(blk.attn.qProj),
    k: await linear(blk.attn.kProj),
    vv: await linear(blk.attn.vProj),
    o: await linear(blk.attn.outProj),
    ln2: await norm(blk.ln2),
    fc1: await linear(blk.mlp.fc1),
    fc2: await linear(blk.mlp.fc2),
  });
  const blocks: Awaited<ReturnType<typeof blockVars>>[] = [];
  for (const blk of model.blocks) blocks.push(await blockVars(blk));
  const lnF = await norm(model.lnF);
  const head = await linear(model.head);

  const { batch: B, T: L, d, heads: H } = c;
  const D = d / H;
  const mask = tf.tensor2d(Float32Array.from({ length: L * L }, (_, i) => (i % L <= Math.floor(i / L) ? 0 : -1e30)), [L, L]);
  const dense = (x: T2, p: { w: T2; b: T }) => tf.add(tf.matMul(x, p.w), p.b) as T2;
  const layerNorm = (x: T2, p: { g: T; b: T; eps: number }) => {
    const mean = tf.mean(x, -1, true);
    const xc = tf.sub(x, mean);
    const variance = tf.mean(tf.square(xc), -1, true);
    return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, p.eps))), p.g), p.b) as T2;
  };
  // our GELU: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
  const gelu = (x: T2) => tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI))), 1)) as T2;
  const heads = (x: T2) => tf.transpose(tf.reshape(x, [B, L, H, D]), [0, 2, 1, 3]);
  const forward = (ids: T): T2 => {
    let x = tf.reshape(tf.add(tf.gather(tok, tf.reshape(ids, [B * L])), tf.tile(tf.slice(pos, [0, 0], [L, d]), [B, 1])), [B * L, d]) as T2;
    for (const p of blocks) {
      const h = layerNorm(x, p.ln1);
      const [q, k, vh] = [dense(h, p.q), dense(h, p.k), dense(h, p.vv)].map(heads);
      const att = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(D)), mask));
      const o = tf.reshape(tf.transpose(tf.matMul(att, vh), [0, 2, 1, 3]), [B * L, d]) as T2;
      x = tf.add(x, dense(o, p.o)) as T2;
      x = tf.add(x, dense(gelu(dense(layerNorm(x, p.ln2), p.fc1)), p.fc2)) as T2;
    }
    return dense(layerNorm(x, lnF), head);
  };
  return { vars, mask, forward };
}

export const gptStepFamily: BenchFamily<GptCase> = {
  name: 'gpt-step',
  // issues 5 and 7: 4 layers, d = 128, 4 heads, T = 128, batch 8
  cases: (quick) => (quick ? [gpt(2, 128, 4, 64, 4)] : [gpt(4, 128, 4, 128, 8)]),
  async run(ctx, c) {
    const model = new CharGPT(c.vocab, { blockSize: c.T, dModel: c.d, nLayer: c.layers, nHead: c.heads, seed: 7 });
    const opt = new sg.optim.Adam(model.parameters(), { lr: 1e-3, eps: 1e-7 });
    const data = fixedBatch(c);
    const ids = sg.tensor(data.ids, [c.batch, c.T], { dtype: 'int32' });
    const targets = sg.tensor(data.targets, [c.batch, c.T], { dtype: 'int32' });
    return runStepCase(ctx, {
      family: 'gpt-step',
      case: c.name,
      flops: gptStepFlops(c),
      rtol: 1e-3,
      ours: () => {
        const loss = model.loss(ids, targets);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        return loss;
      },
      peer: async (tf) => {
        const p = await tfCharGPT(tf, model, c);
        const xs = tf.tensor2d(data.ids, [c.batch, c.T], 'int32');
        const ys = tf.oneHot(tf.tensor1d(data.targets, 'int32'), c.vocab);
        const topt = tf.train.adam(1e-3, 0.9, 0.999, 1e-7);
        return {
          step: () => topt.minimize(() => tf.losses.softmaxCrossEntropy(ys, p.forward(xs)) as import('@tensorflow/tfjs').Scalar, true, p.vars)!,
          dispose: () => {
            topt.dispose();
            tf.dispose([xs, ys, p.mask, ...p.vars]);
          },
        };
      },
    });
  },
};
