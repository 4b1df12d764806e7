// A whole MLP training step (forward, backward, Adam update, loss readback) — ours next to TF.js's
// optimizer.minimize on the same model, weights and data, on the same Dawn GPU.
import * as sg from '../../src/index.js';
import { newEntry, timeAlternating, type BenchFamily, type CaseResult, type Contestant } from '../harness.js';
import type { Tf } from '../peer-tfjs.js';

export interface StepCase {
  name: string;
  batch: number;
  sizes: number[]; // layer widths, input first
}

const mlp = (batch: number): StepCase => ({ name: `mlp784-256-10-b${batch}`, batch, sizes: [784, 256, 10] });

function fixedBatch(c: StepCase) {
  const x = new Float32Array(c.batch * c.sizes[0]).map((_, i) => ((i * 2654435761) % 1000) / 1000);
  const y = Int32Array.from({ length: c.batch }, (_, i) => (i * 7) % c.sizes[c.sizes.length - 1]);
  return { x, y };
}

function ourModel(c: StepCase) {
  sg.manualSeed(1);
  const layers: sg.nn.Module[] = [];
  for (let i = 0; i + 1 < c.sizes.length; i++) {
    if (i > 0) layers.push(new sg.nn.ReLU());
    layers.push(new sg.nn.Linear(c.sizes[i], c.sizes[i + 1]));
  }
  const model = new sg.nn.Sequential(...layers);
  return { model, opt: new sg.optim.Adam(model.parameters(), { lr: 1e-3 }) };
}

/** TF.js copy of our model: same weights (ours are [out, in], TF's dense kernels [in, out]). */
async function peerModel(tf: Tf, model: sg.nn.Sequential) {
  const vars: import('@tensorflow/tfjs').Variable[] = [];
  for (const layer of model.layers) {
    if (!(layer instanceof sg.nn.Linear)) continue;
    const w = await layer.weight.data();
    vars.push(tf.variable(tf.tensor2d(w as Float32Array, [layer.outFeatures, layer.inFeatures]).transpose()));
    vars.push(tf.variable(tf.tensor1d((await layer.bias!.data()) as Float32Array)));
  }
  const forward = (x: import('@tensorflow/tfjs').Tensor2D) => {
    let h: import('@tensorflow/tfjs').Tensor2D = x;
    for (let i = 0; i < vars.length; i += 2) {
      h = tf.add(tf.matMul(h, vars[i] as import('@tensorflow/tfjs').Tensor2D), vars[i + 1]);
      if (i + 2 < vars.length) h = tf.relu(h);
    }
    return h;
  };
  return { vars, forward, opt: tf.train.adam(1e-3) };
}

export const mlpStepFamily: BenchFamily<StepCase> = {
  name: 'mlp-step',
  cases: (quick) => (quick ? [mlp(64)] : [mlp(64), mlp(256)]),

  async run(ctx, c) {
    const { peer } = ctx;
    const data = fixedBatch(c);
    const { model, opt } = ourModel(c);
    const x = sg.tensor(data.x, [c.batch, c.sizes[0]]);
    const y = sg.tensor(data.y, [c.batch], { dtype: 'int32' });
    const ourStep = async () => {
      const loss = sg.nn.functional.crossEntropy(model.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      return loss.item();
    };
    let flops = 0;
    for (let i = 0; i + 1 < c.sizes.length; i++) flops += 3 * 2 * c.batch * c.sizes[i] * c.sizes[i + 1]; // forward + two backward matmuls

    const result: CaseResult = { family: 'mlp-step', case: c.name, flops, entries: [] };
    const ours = newEntry('shadergrad step');
    result.entries.push(ours);
    const contestants: Contestant[] = [];

    // correctness gate: the same weights give the same losses over the first steps as TF.js (an independent implementation)
    let tfStep: (() => Promise<number>) | null = null;
    if (peer) {
      const { tf } = peer;
      const p = await peerModel(tf, model);
      const xs = tf.tensor2d(data.x, [c.batch, c.sizes[0]]);
      const ys = tf.oneHot(tf.tensor1d(data.y, 'int32'), c.sizes[c.sizes.length - 1]);
      tfStep = async () => {
        const loss = p.opt.minimize(() => tf.losses.softmaxCrossEntropy(ys, p.forward(xs)) as import('@tensorflow/tfjs').Scalar, true)!;
        const v = (await loss.data())[0];
        loss.dispose();
        return v;
      };
      for (let s = 0; s < 3; s++) {
        const [a, b] = [await ourStep(), await tfStep()];
        if (!(Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b)))) {
          ours.status = 'WRONG';
          ours.note = `step ${s} loss ${a} vs TF.js ${b}`;
          break;
        }
      }
      result.peer = newEntry(peer.name);
    }
    if (ours.status === 'ok') {
      const before = sg.stats();
      await ourStep();
      const after = sg.stats();
      ours.note = `${after.submits - before.submits} submits (1 step + 1 loss readback), ${after.dispatches - before.dispatches} dispatches per step`;
      contestants.push({ name: ours.name, run: async (reps) => { for (let i = 0; i < reps; i++) await ourStep(); return {}; } });
    }
    if (tfStep && result.peer) contestants.push({ name: result.peer.name, run: async (reps) => { for (let i = 0; i < reps; i++) await tfStep!(); return {}; } });
    await timeAlternating(ctx, contestants, [ours, ...(result.peer ? [result.peer] : [])]);
    return result;
  },
};
