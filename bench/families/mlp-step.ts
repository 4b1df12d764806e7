// A whole MLP training step (forward, backward, Adam update, loss readback) — ours next to TF.js's
// optimizer.minimize on the same model, weights and data, on the same Dawn GPU.
import * as sg from '../../src/index.js';
import type { BenchFamily } from '../harness.js';
import type { Tf } from '../peer-tfjs.js';
import { runStepCase } from '../step.js';

type TfTensor2D = import('@tensorflow/tfjs').Tensor2D;

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
export async function tfDenseStack(tf: Tf, linears: sg.nn.Linear[]) {
  const vars: import('@tensorflow/tfjs').Variable[] = [];
  for (const layer of linears) {
    const w = await layer.weight.data();
    vars.push(tf.variable(tf.tensor2d(w as Float32Array, [layer.outFeatures, layer.inFeatures]).transpose()));
    vars.push(tf.variable(tf.tensor1d((await layer.bias!.data()) as Float32Array)));
  }
  const forward = (x: TfTensor2D) => {
    let h: TfTensor2D = x;
    for (let i = 0; i < vars.length; i += 2) {
      h = tf.add(tf.matMul(h, vars[i] as TfTensor2D), vars[i + 1]);
      if (i + 2 < vars.length) h = tf.relu(h);
    }
    return h;
  };
  return { vars, forward };
}

export const mlpStepFamily: BenchFamily<StepCase> = {
  name: 'mlp-step',
  cases: (quick) => (quick ? [mlp(64)] : [mlp(64), mlp(256)]),

  async run(ctx, c) {
    const data = fixedBatch(c);
    const { model, opt } = ourModel(c);
    const x = sg.tensor(data.x, [c.batch, c.sizes[0]]);
    const y = sg.tensor(data.y, [c.batch], { dtype: 'int32' });
    let flops = 0;
    for (let i = 0; i + 1 < c.sizes.length; i++) flops += 3 * 2 * c.batch * c.sizes[i] * c.sizes[i + 1]; // forward + two backward matmuls
    const classes = c.sizes[c.sizes.length - 1];
    return runStepCase(ctx, {
      family: 'mlp-step',
      case: c.name,
      flops,
      rtol: 1e-4,
      ours: () => {
        const loss = sg.nn.functional.crossEntropy(model.forward(x), y);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        return loss;
      },
      peer: async (tf) => {
        const p = await tfDenseStack(tf, model.layers.filter((l): l is sg.nn.Linear => l instanceof sg.nn.Linear));
        const xs = tf.tensor2d(data.x, [c.batch, c.sizes[0]]);
        const ys = tf.oneHot(tf.tensor1d(data.y, 'int32'), classes);
        const topt = tf.train.adam(1e-3);
        return {
          step: () => topt.minimize(() => tf.losses.softmaxCrossEntropy(ys, p.forward(xs)) as import('@tensorflow/tfjs').Scalar, true)!,
          dispose: () => { topt.dispose(); tf.dispose([xs, ys, ...p.vars]); },
        };
      },
    });
  },
};
