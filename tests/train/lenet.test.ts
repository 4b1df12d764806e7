// Convergence: LeNet-5 reaches ≥ 98% on the held-out MNIST digits (9,000 train / 1,000 test, the fixed
// split of src/data/mnist.ts), trained on this device by an ordinary loop with no readback inside a step,
// with random affine augmentation on the GPU (src/data/transforms.ts).
import { expect, test } from 'vitest';
import { DataLoader } from '../../src/data/dataloader.js';
import { mnistDataset } from '../../src/data/mnist.js';
import { LeNet } from '../../src/models/index.js';
import { RandomAffine } from '../../src/data/transforms.js';
import { loadMnist } from '../../src/node/mnist-files.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { useGpu } from '../helpers/gpu.js';

const sg = useGpu();
const EPOCHS = Number(process.env.LENET_EPOCHS ?? 10);

async function accuracy(model: LeNet, loader: DataLoader): Promise<number> {
  model.eval();
  let correct = 0;
  let total = 0;
  for (const b of loader) {
    const pred = await sg.noGrad(() => model.forward(sg.tensor(b.x, b.xShape)).argmax(1)).data();
    pred.forEach((p, i) => (correct += Number(p === b.y[i])));
    total += b.y.length;
  }
  model.train();
  return correct / total;
}

test(`LeNet-5 with Adam reaches at least 98% test accuracy on held-out MNIST in ${EPOCHS} epochs`, async () => {
  const mnist = await loadMnist();
  const train = new DataLoader(mnistDataset(mnist.train, [1, 28, 28]), { batchSize: 64, shuffle: true, seed: 0 });
  const testSet = new DataLoader(mnistDataset(mnist.test, [1, 28, 28]), { batchSize: 500 });
  sg.manualSeed(0);
  const model = new LeNet();
  const opt = new sg.optim.Adam(model.parameters(), { lr: 2e-3 });
  const schedule = new sg.optim.CosineAnnealingLR(opt, EPOCHS * train.length);
  // light GPU augmentation (9,000 training digits overfit within a few epochs otherwise)
  const augment = new RandomAffine({ degrees: 10, scale: [0.9, 1.1], translate: [0.08, 0.08] }, 0);
  const t0 = performance.now();
  let acc = 0;
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    let loss: Tensor | null = null;
    for (const b of train) {
      opt.zeroGrad();
      loss = sg.nn.functional.crossEntropy(model.forward(augment.apply(sg.tensor(b.x, b.xShape))), sg.tensor(b.y, b.yShape, { dtype: 'int32' }));
      loss.backward();
      opt.step();
      schedule.step();
    }
    acc = await accuracy(model, testSet);
    console.log(`epoch ${epoch + 1}: last loss ${(await loss!.item()).toFixed(4)}, test accuracy ${(100 * acc).toFixed(2)}%, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  expect(acc).toBeGreaterThanOrEqual(0.98);
}, 400_000);
