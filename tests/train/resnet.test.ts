// The small ResNet (basic blocks, identity and projection skips, BatchNorm) trains: on real MNIST digits
// its loss falls, the BatchNorm running statistics move, and eval mode (running statistics) classifies
// the training batches better than chance.
import { expect, test } from 'vitest';
import { DataLoader } from '../../src/data/dataloader.js';
import { mnistDataset } from '../../src/data/mnist.js';
import { ResNet } from '../../src/models/index.js';
import { loadMnist } from '../../src/node/mnist-files.js';
import { useGpu } from '../helpers/gpu.js';

const sg = useGpu();

test('small ResNet: the loss falls within 40 Adam steps on MNIST', async () => {
  const mnist = await loadMnist();
  const loader = new DataLoader(mnistDataset(mnist.train, [1, 28, 28]), { batchSize: 32, shuffle: true, seed: 1 });
  sg.manualSeed(1);
  const model = new ResNet({ widths: [8, 16, 32] });
  const opt = new sg.optim.Adam(model.parameters(), { lr: 3e-3 });
  const losses: number[] = [];
  const STEPS = 40;
  let step = 0;
  for (const b of loader) {
    opt.zeroGrad();
    const loss = sg.nn.functional.crossEntropy(model.forward(sg.tensor(b.x, b.xShape)), sg.tensor(b.y, b.yShape, { dtype: 'int32' }));
    loss.backward();
    opt.step();
    losses.push(await loss.item());
    if (++step === STEPS) break;
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const first = mean(losses.slice(0, 5));
  const last = mean(losses.slice(-5));
  console.log(`ResNet loss: first 5 steps ${first.toFixed(3)}, last 5 steps ${last.toFixed(3)}`);
  expect(losses.every(Number.isFinite)).toBe(true);
  expect(last).toBeLessThan(0.8 * first);
  const rv = await model.stemBn.runningVar!.data();
  expect(rv.some((v) => Math.abs(v - 1) > 1e-3)).toBe(true);
  model.eval();
  const b = loader.dataset.getBatch(Array.from({ length: 200 }, (_, i) => i * 37));
  const pred = await sg.noGrad(() => model.forward(sg.tensor(b.x, b.xShape)).argmax(1)).data();
  const acc = Array.from(pred).reduce((c, p, i) => c + Number(p === b.y[i]), 0) / b.y.length;
  console.log(`ResNet eval-mode accuracy on 200 training digits: ${(100 * acc).toFixed(1)}%`);
  expect(acc).toBeGreaterThan(0.3);
}, 300_000);
