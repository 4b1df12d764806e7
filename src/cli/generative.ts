// `shadergrad train --model denoising-ae`: the generative chapter's models on the MNIST digits (9,000 train
// / 1,000 held out). The denoising autoencoder learns to undo additive Gaussian noise (σ = 0.5, clipped to
// [0, 1]; a new seeded draw every step, one fixed draw for the held-out digits) with a Bernoulli
// (binary cross-entropy) reconstruction loss; it reports the held-out PSNR of its output against the
// clean digits next to the PSNR of the noisy input.
import cliProgress from 'cli-progress';
import { DataLoader } from '../data/dataloader.js';
import { MNIST_PIXELS, mnistDataset } from '../data/mnist.js';
import { deriveSeed } from '../core/random.js';
import { checkWritableFilePath, writeFileAtomic } from '../node/files.js';
import { grayImagePng } from '../node/plot.js';
import { tileImages, upscale } from '../vis/feature-maps.js';
import { loadMnist } from '../node/mnist-files.js';
import * as sg from '../node/index.js';
import { DenoisingAutoencoder } from '../models/autoencoder.js';
import { addGaussianNoise, psnrDb } from '../train/denoise.js';
import { trainLoop } from '../train/loop.js';
import { printJsonLine } from './json-line.js';
import { MODELS, type TrainCommandOptions } from './models.js';

/** The corruption the autoencoder learns to undo. */
export const DENOISE_SIGMA = 0.5;
/** Seed of the held-out digits' noise (training steps draw from the run's seed). */
const TEST_NOISE_SEED = 1234;

export interface GenerativeTrainOptions extends TrainCommandOptions {
  model: 'denoising-ae';
  batchSize: number;
  lr?: number;
  /** Write a PNG of ten held-out digits: clean, noisy and denoised rows. */
  out?: string;
}

/** Held-out digits in the --out picture. */
const PICTURE_DIGITS = 10;

export async function trainGenerative(o: GenerativeTrainOptions): Promise<void> {
  if (o.checkpoint) await checkWritableFilePath(o.checkpoint, '--checkpoint');
  if (o.out) await checkWritableFilePath(o.out, '--out');
  const entry = MODELS[o.model];
  const start = performance.now();
  const [mnist] = await Promise.all([loadMnist(), sg.init()]);
  try {
    const hidden = o.hidden ?? entry.defaultHidden;
    const config = { epochs: o.epochs, batch_size: o.batchSize, lr: o.lr ?? entry.recipe?.lr ?? 2e-3, optimizer: 'adam', seed: o.seed, hidden, noise_sigma: DENOISE_SIGMA };
    const log = (line: string) => !o.quiet && !o.json && console.log(line);
    log(`${o.model}: ${entry.description} (width ${hidden}); noise σ ${DENOISE_SIGMA}; ${mnist.train.count} train / ${mnist.test.count} held-out digits`);
    sg.manualSeed(o.seed);
    const model = entry.build(sg, { hidden, seed: o.seed }) as DenoisingAutoencoder;
    const opt = new sg.optim.Adam(model.parameters(), { lr: config.lr });
    const train = new DataLoader(mnistDataset(mnist.train, [1, 28, 28]), { batchSize: o.batchSize, shuffle: true, seed: o.seed });
    let step = 0;
    let trainLoss = NaN;
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const bar = o.quiet || o.json || !process.stderr.isTTY ? null : new cliProgress.SingleBar(
        { format: `epoch ${epoch}/${o.epochs} |{bar}| {value}/{total} digits | loss {loss}`, barsize: 24, hideCursor: true, clearOnComplete: true, stream: process.stderr },
        cliProgress.Presets.shades_classic,
      );
      bar?.start(train.samplesPerEpoch, 0, { loss: '-' });
      const stats = await trainLoop({
        optimizer: opt,
        batches: train[Symbol.iterator](),
        epoch,
        record: (b) => {
          const clean = sg.tensor(b.x, b.xShape);
          const noisy = addGaussianNoise(clean, DENOISE_SIGMA, deriveSeed(o.seed, ++step));
          return { loss: sg.nn.functional.binaryCrossEntropyWithLogits(model.logits(noisy), clean), samples: b.y.length };
        },
        onStep: (r) => bar?.update(r.running.samples, { loss: r.running.loss.toFixed(4) }),
      });
      bar?.stop();
      trainLoss = stats.loss;
      log(`epoch ${epoch}/${o.epochs}  loss ${stats.loss.toFixed(4)}  ${stats.seconds.toFixed(1)} s`);
    }
    const { restoredPsnr, noisyPsnr, noisy, restored } = await heldOutPsnr(model, mnist.test.images, mnist.test.count);
    if (o.out) {
      // digits spread over the test split (it is ordered by class)
      const picked = Array.from({ length: PICTURE_DIGITS }, (_, k) => Math.floor((k * mnist.test.count) / PICTURE_DIGITS));
      const tiles = [mnist.test.images, noisy, restored].flatMap((a) => picked.flatMap((i) => Array.from(a.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS))));
      const grid = upscale(tileImages(tiles, [3 * PICTURE_DIGITS, 28, 28], { columns: PICTURE_DIGITS, gap: 0, normalize: 'each' }), 2);
      await writeFileAtomic(o.out, grayImagePng(grid));
      log(`wrote ${o.out}: clean, noisy and denoised held-out digits`);
    }
    log(`held-out PSNR ${restoredPsnr.toFixed(2)} dB denoised against ${noisyPsnr.toFixed(2)} dB noisy (+${(restoredPsnr - noisyPsnr).toFixed(2)} dB)`);
    if (o.checkpoint) {
      await sg.save(model.stateDict(), o.checkpoint);
      log(`saved ${o.checkpoint}`);
    }
    const metrics = { test_psnr_db: restoredPsnr, noisy_psnr_db: noisyPsnr, train_loss: trainLoss, seconds: (performance.now() - start) / 1000 };
    if (o.json) printJsonLine({ command: 'train', model: o.model, config, ...(o.checkpoint && { weights: o.checkpoint }), metrics });
    else if (o.quiet) console.log(`test_psnr_db ${restoredPsnr.toFixed(2)}`);
  } finally {
    sg.destroy();
  }
}

/** PSNR (dB) of the model's output for the noisy held-out digits, and of the noisy digits themselves, against the clean ones. */
export async function heldOutPsnr(model: DenoisingAutoencoder, images: Float32Array, count: number, batch = 500): Promise<{ restoredPsnr: number; noisyPsnr: number; noisy: Float32Array; restored: Float32Array }> {
  model.eval();
  const restored = new Float32Array(count * MNIST_PIXELS);
  const noisy = new Float32Array(count * MNIST_PIXELS);
  for (let i = 0; i < count; i += batch) {
    const m = Math.min(batch, count - i);
    const clean = sg.tensor(images.subarray(i * MNIST_PIXELS, (i + m) * MNIST_PIXELS), [m, 1, 28, 28]);
    const x = addGaussianNoise(clean, DENOISE_SIGMA, deriveSeed(TEST_NOISE_SEED, i));
    const y = sg.noGrad(() => model.forward(x));
    const [xd, yd] = await Promise.all([x.data(), y.data()]);
    noisy.set(xd, i * MNIST_PIXELS);
    restored.set(yd, i * MNIST_PIXELS);
  }
  model.train();
  const clean = images.subarray(0, count * MNIST_PIXELS);
  return { restoredPsnr: psnrDb(restored, clean, MNIST_PIXELS), noisyPsnr: psnrDb(noisy, clean, MNIST_PIXELS), noisy, restored };
}
