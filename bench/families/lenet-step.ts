// A whole LeNet-5 training step (src/models/lenet.ts: conv-relu-pool x2, 400-120-84-10, Adam) on a fixed
// batch of 1x28x28 images, next to the same network with the same weights written with TF.js ops (NHWC
// on its side; transposed back to NCHW before flattening so the dense weights line up).
import * as sg from '../../src/index.js';
import { LeNet } from '../../src/models/lenet.js';
import { uniformArray } from '../../src/core/random.js';
import type { BenchFamily } from '../harness.js';
import { runStepCase } from '../step.js';
import { tfDenseStack } from './mlp-step.js';

type T = import('@tensorflow/tfjs').Tensor;
type T4 = import('@tensorflow/tfjs').Tensor4D;

export interface LenetCase {
  name: string;
  batch: number;
}

const lenet = (batch: number): LenetCase => ({ name: `lenet5-b${batch}`, batch });

/** Multiply-adds of one forward pass per image, x2 FLOPs, x3 for a step (forward + two backward products). */
function stepFlops(batch: number): number {
  const conv1 = 28 * 28 * 6 * 25;
  const conv2 = 10 * 10 * 16 * 6 * 25;
  const dense = 400 * 120 + 120 * 84 + 84 * 10;
  return 3 * 2 * batch * (conv1 + conv2 + dense);
}

export const lenetStepFamily: BenchFamily<LenetCase> = {
  name: 'lenet-step',
  cases: (quick) => (quick ? [lenet(8)] : [lenet(64)]),
  async run(ctx, c) {
    sg.manualSeed(3);
    const model = new LeNet();
    const opt = new sg.optim.Adam(model.parameters(), { lr: 1e-3, eps: 1e-7 });
    const xd = uniformArray(c.batch * 28 * 28, 21, 0, 1);
    const yd = Int32Array.from({ length: c.batch }, (_, i) => (i * 3) % 10);
    const x = sg.tensor(xd, [c.batch, 1, 28, 28]);
    const y = sg.tensor(yd, [c.batch], { dtype: 'int32' });
    return runStepCase(ctx, {
      family: 'lenet-step',
      case: c.name,
      flops: stepFlops(c.batch),
      rtol: 1e-3,
      ours: () => {
        const loss = sg.nn.functional.crossEntropy(model.forward(x), y);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        return loss;
      },
      peer: async (tf) => {
        const convs = model.features.layers.filter((l): l is sg.nn.Conv2d => l instanceof sg.nn.Conv2d);
        const convVars: import('@tensorflow/tfjs').Variable[] = [];
        for (const conv of convs) {
          const w = tf.tensor4d((await conv.weight.data()) as Float32Array, conv.weight.shape as [number, number, number, number]);
          convVars.push(tf.variable(tf.transpose(w, [2, 3, 1, 0]))); // [O, C, kh, kw] -> [kh, kw, C, O]
          convVars.push(tf.variable(tf.tensor1d((await conv.bias!.data()) as Float32Array)));
          w.dispose();
        }
        const dense = await tfDenseStack(tf, model.classifier.layers.filter((l): l is sg.nn.Linear => l instanceof sg.nn.Linear));
        const xs = tf.tensor4d(xd, [c.batch, 1, 28, 28]).transpose([0, 2, 3, 1]) as T4;
        const ys = tf.oneHot(tf.tensor1d(yd, 'int32'), 10);
        const pads = [2, 0];
        const forward = () => {
          let h = xs;
          for (let i = 0; i < 2; i++) {
            h = tf.relu(tf.add(tf.conv2d(h, convVars[2 * i] as T4, 1, pads[i]), convVars[2 * i + 1])) as T4;
            h = tf.maxPool(h, 2, 2, 'valid');
          }
          const flat = tf.reshape(tf.transpose(h, [0, 3, 1, 2]), [c.batch, 400]) as import('@tensorflow/tfjs').Tensor2D;
          return dense.forward(flat) as T;
        };
        const topt = tf.train.adam(1e-3, 0.9, 0.999, 1e-7);
        return {
          step: () => topt.minimize(() => tf.losses.softmaxCrossEntropy(ys, forward()) as import('@tensorflow/tfjs').Scalar, true)!,
          dispose: () => { topt.dispose(); tf.dispose([xs, ys, ...convVars, ...dense.vars]); },
        };
      },
    });
  },
};
