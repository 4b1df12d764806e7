// The denoising autoencoder (src/models/autoencoder.ts) and its score (src/train/denoise.ts): PSNR by
// hand; the noise is seeded and clipped; 80 steps on real digits already restore them better than the
// noisy input. (Gradients against PyTorch's: tests/torch/twins.test.ts; the full run: README.)
import { expect, test } from 'vitest';
import { DataLoader } from '../../src/data/dataloader.js';
import { MNIST_PIXELS, mnistDataset } from '../../src/data/mnist.js';
import { DenoisingAutoencoder } from '../../src/models/index.js';
import { heldOutPsnr } from '../../src/cli/generative.js';
import { loadMnist } from '../../src/node/mnist-files.js';
import { addGaussianNoise, psnrDb } from '../../src/train/denoise.js';
import { useGpu } from '../helpers/gpu.js';

const sg = useGpu();

test('psnrDb: 10·log10(1/MSE) per image, averaged; an exact copy counts 100 dB; mismatched sizes refused', () => {
  // image 1: MSE 0.01 → 20 dB; image 2: exact → 100 dB
  expect(psnrDb([0.1, 0.1, 0.5, 0.5], [0, 0.2, 0.5, 0.5], 2)).toBeCloseTo(60, 10);
  expect(() => psnrDb([1, 2, 3], [1, 2, 3], 2)).toThrow(/psnrDb: 3 and 3 values are not the same whole number of images of 2 pixels/);
});

test('addGaussianNoise: seeded (same seed, same noise), clipped to [0, 1], of the given strength', async () => {
  const x = sg.full([4000], 0.5);
  const [a, b, c] = await Promise.all([addGaussianNoise(x, 0.1, 7).data(), addGaussianNoise(x, 0.1, 7).data(), addGaussianNoise(x, 0.1, 8).data()]);
  expect(a).toEqual(b);
  expect(a).not.toEqual(c);
  const sd = Math.sqrt(Array.from(a).reduce((s, v) => s + (v - 0.5) ** 2, 0) / a.length);
  expect(sd).toBeGreaterThan(0.09);
  expect(sd).toBeLessThan(0.11);
  const clipped = await addGaussianNoise(sg.full([1000], 1), 0.5, 1).data();
  expect(Math.max(...clipped)).toBe(1);
  expect(Math.min(...clipped)).toBeGreaterThanOrEqual(0);
});

test('80 steps of the denoising autoencoder: held-out PSNR above the noisy input', async () => {
  const mnist = await loadMnist();
  sg.manualSeed(0);
  const model = new DenoisingAutoencoder({ width: 16 });
  const opt = new sg.optim.Adam(model.parameters(), { lr: 5e-3 });
  const loader = new DataLoader(mnistDataset(mnist.train, [1, 28, 28]), { batchSize: 64, shuffle: true, seed: 0 });
  let step = 0;
  for (const b of loader) {
    opt.zeroGrad();
    const clean = sg.tensor(b.x, b.xShape);
    const loss = sg.nn.functional.binaryCrossEntropyWithLogits(model.logits(addGaussianNoise(clean, 0.5, ++step)), clean);
    loss.backward();
    opt.step();
    await loss.item();
    if (step === 80) break;
  }
  const { restoredPsnr, noisyPsnr } = await heldOutPsnr(model, mnist.test.images.subarray(0, 200 * MNIST_PIXELS), 200);
  console.log(`denoising AE after 80 steps: ${restoredPsnr.toFixed(2)} dB against ${noisyPsnr.toFixed(2)} dB noisy`);
  expect(restoredPsnr).toBeGreaterThan(noisyPsnr + 3);
}, 120_000);
