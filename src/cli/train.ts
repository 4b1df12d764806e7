// `shadergrad train`: an ordinary training loop over the public API, with a progress bar.
import cliProgress, { type SingleBar } from 'cli-progress';
import { DataLoader } from '../data/dataloader.js';
import { mnistDataset } from '../data/mnist.js';
import { loadMnist } from '../node/mnist-files.js';
import * as sg from '../node/index.js';
import { MODELS, OPTIMIZERS, type Optimizer, type OptimizerName } from './models.js';

export interface TrainOptions {
  model: string;
  epochs: number;
  batchSize: number;
  /** Default: the optimizer's own (see OPTIMIZERS). */
  lr?: number;
  optimizer: OptimizerName;
  seed: number;
  hidden?: number;
  quiet: boolean;
  /** Save a checkpoint here (atomically) after every epoch. */
  checkpoint?: string;
  /** Continue the run saved in this checkpoint (same model, hidden size and optimizer). */
  resume?: string;
}

export interface EpochStats {
  loss: number;
  accuracy: number;
  samples: number;
  seconds: number;
}

/** Called after every step with the epoch's running numbers. */
export type StepCallback = (running: EpochStats) => void;

function countCorrect(pred: ArrayLike<number>, labels: Int32Array): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) correct++;
  return correct;
}

/** One pass over `loader`: forward, cross-entropy, backward, step per batch. */
export async function trainEpoch(model: sg.nn.Module, opt: Optimizer, loader: DataLoader, onStep?: StepCallback): Promise<EpochStats> {
  model.train();
  const start = performance.now();
  let lossSum = 0;
  let correct = 0;
  let samples = 0;
  for (const batch of loader) {
    const x = sg.tensor(batch.x, batch.xShape);
    const y = sg.tensor(batch.y, batch.yShape, { dtype: 'int32' });
    opt.zeroGrad();
    const logits = model.forward(x);
    const loss = sg.nn.functional.crossEntropy(logits, y);
    const pred = logits.argmax(1);
    loss.backward();
    opt.step({ alsoRealize: [pred] }); // pred is computed with the weights before the update, in the same submit
    const n = batch.y.length;
    lossSum += (await loss.item()) * n;
    correct += countCorrect(await pred.data(), batch.y);
    samples += n;
    onStep?.({ loss: lossSum / samples, accuracy: correct / samples, samples, seconds: (performance.now() - start) / 1000 });
  }
  return { loss: lossSum / samples, accuracy: correct / samples, samples, seconds: (performance.now() - start) / 1000 };
}

/** Accuracy of `model` over every batch of `loader`, in eval mode and without gradients. */
export async function evaluate(model: sg.nn.Module, loader: DataLoader): Promise<number> {
  model.eval();
  let correct = 0;
  let samples = 0;
  for (const batch of loader) {
    const pred = sg.noGrad(() => model.forward(sg.tensor(batch.x, batch.xShape)).argmax(1));
    correct += countCorrect(await pred.data(), batch.y);
    samples += batch.y.length;
  }
  model.train();
  return correct / samples;
}

const pct = (a: number) => `${(100 * a).toFixed(2)}%`;

/** One epoch's bar on stderr: epoch, samples done, running loss and accuracy, throughput. */
function progressBar(): SingleBar {
  return new cliProgress.SingleBar(
    {
      format: 'epoch {epoch} |{bar}| {value}/{total} | loss {loss} | acc {acc} | {rate} samples/s | ETA {eta}s',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
}

export async function train(options: TrainOptions): Promise<{ testAccuracy: number }> {
  const entry = MODELS[options.model];
  if (!entry) throw new Error(`unknown model '${options.model}' (known: ${Object.keys(MODELS).join(', ')})`);
  const log = (line: string) => !options.quiet && console.log(line);

  const [mnist] = await Promise.all([loadMnist(), sg.init()]);
  const trainLoader = new DataLoader(mnistDataset(mnist.train, entry.sampleShape), { batchSize: options.batchSize, shuffle: true, seed: options.seed });
  const testLoader = new DataLoader(mnistDataset(mnist.test, entry.sampleShape), { batchSize: 500 });
  const hidden = options.hidden ?? entry.defaultHidden;
  sg.manualSeed(options.seed);
  const model = entry.build(sg, { hidden });
  const lr = options.lr ?? OPTIMIZERS[options.optimizer].defaultLr;
  const opt = OPTIMIZERS[options.optimizer].build(sg, model.parameters(), lr);
  let firstEpoch = 1;
  if (options.resume) {
    const pos = await sg.loadCheckpoint(options.resume, { model, optimizer: opt });
    firstEpoch = pos.epoch + 1;
    trainLoader.nextEpoch = pos.epoch; // the loader's epochs count from 0: the data order goes on as it would have
    log(`resumed ${options.resume}: ${pos.epoch} epoch${pos.epoch === 1 ? '' : 's'} done, ${pos.step} steps`);
  }
  log(
    `${options.model}: ${entry.description}${hidden ? ` (hidden ${hidden})` : ''}, ${options.optimizer} lr ${lr}, ` +
      `batch ${options.batchSize}, seed ${options.seed}; ${mnist.train.count} train / ${mnist.test.count} test digits`,
  );

  const start = performance.now();
  let testAccuracy = 0;
  try {
    for (let epoch = firstEpoch; epoch <= options.epochs; epoch++) {
      const bar = options.quiet || !process.stderr.isTTY ? null : progressBar();
      const payload = (s: EpochStats | null) => ({
        epoch: `${epoch}/${options.epochs}`,
        loss: s ? s.loss.toFixed(4) : '-',
        acc: s ? pct(s.accuracy) : '-',
        rate: s ? Math.round(s.samples / s.seconds) : '-',
      });
      bar?.start(trainLoader.samplesPerEpoch, 0, payload(null));
      const stats = await trainEpoch(model, opt, trainLoader, (s) => bar?.update(s.samples, payload(s)));
      bar?.stop();
      testAccuracy = await evaluate(model, testLoader);
      log(
        `epoch ${epoch}/${options.epochs}  loss ${stats.loss.toFixed(4)}  train acc ${pct(stats.accuracy)}  ` +
          `test acc ${pct(testAccuracy)}  ${Math.round(stats.samples / stats.seconds)} samples/s  ${stats.seconds.toFixed(1)} s`,
      );
      if (options.checkpoint) {
        const extra = { model: options.model, hidden, optimizer: options.optimizer, seed: options.seed, batchSize: options.batchSize, testAccuracy };
        await sg.saveCheckpoint(options.checkpoint, { model, optimizer: opt }, { epoch, step: opt.stepCount, loader: { epoch, batch: 0 }, extra });
      }
    }
  } finally {
    sg.destroy();
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `test accuracy ${pct(testAccuracy)} (${mnist.train.count} train / ${mnist.test.count} test digits, ` +
      `${options.epochs} epoch${options.epochs === 1 ? '' : 's'}, ${seconds.toFixed(1)} s)`,
  );
  return { testAccuracy };
}
