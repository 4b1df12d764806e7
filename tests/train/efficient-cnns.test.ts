// The MobileNet-style (depthwise-separable), DenseNet-style (dense blocks, transitions) and VGG-style
// networks train on real MNIST digits: each fits one batch of 32 digits within 12 Adam steps, the loss down by 40%
// or better (global-average-pooled nets start slowly on fresh batches; one batch shows the gradients carry). (Their gradients
// against PyTorch's: tests/torch/twins.test.ts; the full runs, `train --model mobilenet|densenet|vgg`: README.)
import { expect, test } from 'vitest';
import { mnistDataset } from '../../src/data/mnist.js';
import { DenseNet, MobileNet, VGG } from '../../src/models/index.js';
import type { Module } from '../../src/nn/module.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { loadMnist } from '../../src/node/mnist-files.js';
import { useGpu } from '../helpers/gpu.js';

const sg = useGpu();

const cases: [string, () => Module & { forward(x: Tensor): Tensor }][] = [
  ['MobileNet', () => new MobileNet({ stem: 8, widths: [16, 32, 32], strides: [1, 2, 2] })],
  ['DenseNet', () => new DenseNet({ growth: 8, layers: 1 })],
  ['VGG', () => new VGG({ widths: [8, 16], hidden: 32, dropout: 0.1 })],
];

test.each(cases)('%s: fits a batch of 32 digits within 12 Adam steps', async (name, build) => {
  const mnist = await loadMnist();
  const b = mnistDataset(mnist.train, [1, 28, 28]).getBatch(Array.from({ length: 32 }, (_, i) => i * 101));
  const [x, y] = [sg.tensor(b.x, b.xShape), sg.tensor(b.y, b.yShape, { dtype: 'int32' })];
  sg.manualSeed(2);
  const model = build();
  const opt = new sg.optim.Adam(model.parameters(), { lr: 1e-2 });
  const losses: number[] = [];
  for (let step = 0; step < 12; step++) {
    opt.zeroGrad();
    const loss = sg.nn.functional.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    losses.push(await loss.item());
  }
  console.log(`${name} loss: ${losses.map((l) => l.toFixed(2)).join(' ')}`);
  expect(losses.every(Number.isFinite)).toBe(true);
  expect(Math.min(...losses.slice(-3))).toBeLessThan(0.6 * losses[0]);
}, 300_000);
