// Convergence: the MLP of `npm start` reaches ≥ 94% on the held-out MNIST digits, in Node, on this device.
import { expect, test } from 'vitest';
import { trainEpoch } from '../../src/cli/train.js';
import { MODELS, OPTIMIZERS } from '../../src/cli/models.js';
import { DataLoader } from '../../src/data/dataloader.js';
import { mnistDataset } from '../../src/data/mnist.js';
import { loadMnist } from '../../src/node/mnist-files.js';
import { evaluate } from '../../src/train/loop.js';
import { useGpu } from '../helpers/gpu.js';

const sg = useGpu();

test('MLP 784-256-10 with Adam reaches at least 94% test accuracy on held-out MNIST', async () => {
  const mnist = await loadMnist();
  const entry = MODELS.mlp;
  const train = new DataLoader(mnistDataset(mnist.train, entry.sampleShape), { batchSize: 64, shuffle: true, seed: 0 });
  const testSet = new DataLoader(mnistDataset(mnist.test, entry.sampleShape), { batchSize: 500 });
  sg.manualSeed(0);
  const model = entry.build(sg, { hidden: entry.defaultHidden });
  const opt = OPTIMIZERS.adam.build(sg, model.parameters(), OPTIMIZERS.adam.defaultLr);
  const submitsBefore = sg.stats().submits;
  let steps = 0;
  for (let epoch = 0; epoch < 4; epoch++) steps += (await trainEpoch(model, opt, train)).samples / 64;
  const accuracy = await evaluate(model, testSet);
  console.log(`MLP test accuracy ${(100 * accuracy).toFixed(2)}% after 4 epochs`);
  expect(accuracy).toBeGreaterThanOrEqual(0.94);
  // one submit per step, plus the two readbacks (loss, predictions) of the progress display
  expect(sg.stats().submits - submitsBefore).toBeLessThanOrEqual(Math.ceil(steps) * 3 + 20);
}, 300_000);
