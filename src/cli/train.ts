// `shadergrad train`: MNIST through the shared training loop (src/train/loop.ts), with a progress bar.
import cliProgress, { type SingleBar } from 'cli-progress';
import { ValueError } from '../core/errors.js';
import { deriveSeed } from '../core/random.js';
import { DataLoader } from '../data/dataloader.js';
import { RandomAffine, type RandomAffineOptions } from '../data/transforms.js';
import { CosineAnnealingLR } from '../optim/schedulers.js';
import { mnistDataset, selectDigits, type Mnist } from '../data/mnist.js';
import { checkReadableFile, checkWritableFilePath } from '../node/files.js';
import { loadMnist } from '../node/mnist-files.js';
import * as sg from '../node/index.js';
import { classifierStep, evaluate, trainLoop, type ClassifierLoss, type LoopOptions, type RunningStats, type StepReport } from '../train/loop.js';
import { formatDigits } from './digits.js';
import { printJsonLine } from './json-line.js';
import { MODELS, OPTIMIZERS, type Optimizer, type OptimizerName } from './models.js';
import { checkNewLogdir, gradients, RunLog } from './run-log.js';

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
  /** End with one JSON line of the run's configuration and metrics. */
  json?: boolean;
  /** Go on past a NaN or infinite loss (default: stop there with a message naming the step). */
  continueOnNan?: boolean;
  /** Write TensorBoard event files and run.json into this folder (a new one per run). */
  logdir?: string;
  /** Stop after this many optimizer steps (in the middle of an epoch if need be), then evaluate and end. */
  maxSteps?: number;
  /** Train and test on these MNIST classes only (e.g. 0-4 for a transfer task's pre-training). */
  digits?: number[];
}

/**
 * One pass over `loader` (forward, cross-entropy, backward, step per batch), with each step's report (its
 * loss, the epoch's running numbers) after it; `keepGoing` can end the pass early, `alsoRealize` name
 * tensors to realize with a step (see trainLoop).
 */
export async function trainEpoch(
  model: sg.nn.Module, opt: Optimizer, loader: DataLoader, onStep?: (report: StepReport) => void,
  { augment = null, epoch, continueOnNaN = false, keepGoing, alsoRealize, loss }: { augment?: RandomAffine | null; epoch?: number; continueOnNaN?: boolean; loss?: ClassifierLoss } & Pick<LoopOptions<unknown>, 'keepGoing' | 'alsoRealize'> = {},
): Promise<RunningStats> {
  model.train();
  return trainLoop({
    optimizer: opt,
    batches: loader[Symbol.iterator](),
    record: classifierStep((x) => model.forward(x), { transform: augment ? (x) => augment.apply(x) : undefined, loss }),
    epoch,
    onNonFiniteLoss: continueOnNaN ? 'continue' : 'stop',
    keepGoing,
    alsoRealize,
    onStep,
  });
}

const describeAugment = (a: RandomAffineOptions) =>
  `augmented (rotate ±${a.degrees ?? 0}°, scale ${(a.scale ?? [1, 1]).join('–')}, shift ±${(a.translate ?? [0, 0]).map((t) => `${100 * t}%`).join('/')})`;

const pct = (a: number) => `${(100 * a).toFixed(2)}%`;

/** One epoch's bar on stderr: epoch, samples done, running loss and accuracy, throughput. */
export function progressBar(): SingleBar {
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

/** Device losses in a row (without an epoch finished in between) that `train` recovers from before it gives up. */
const MAX_RECOVERIES = 3;

/** What `train` resolves to: the final test accuracy, each epoch's numbers, and the device losses it survived. */
export interface TrainResult {
  testAccuracy: number;
  epochs: { epoch: number; loss: number; accuracy: number; testAccuracy: number }[];
  recoveries: number;
}

export async function train(options: TrainOptions): Promise<TrainResult> {
  const entry = MODELS[options.model];
  if (!entry) throw new ValueError(`unknown model '${options.model}' (known: ${Object.keys(MODELS).join(', ')})`);
  const log = (line: string) => !options.quiet && console.log(line);

  // refuse what would fail later before any work: a missing resume file, a checkpoint path that cannot be written
  if (options.resume) await checkReadableFile(options.resume, '--resume');
  if (options.checkpoint) await checkWritableFilePath(options.checkpoint, '--checkpoint');
  if (options.maxSteps !== undefined && options.checkpoint)
    throw new ValueError('--max-steps cannot go with --checkpoint: a checkpoint holds whole epochs, and --max-steps may stop in the middle of one');
  if (options.logdir) await checkNewLogdir(options.logdir);
  const [all] = await Promise.all([loadMnist(), sg.init()]);
  const mnist: Mnist = options.digits ? { train: selectDigits(all.train, options.digits), test: selectDigits(all.test, options.digits) } : all;
  const trainLoader = new DataLoader(mnistDataset(mnist.train, entry.sampleShape), { batchSize: options.batchSize, shuffle: true, seed: options.seed });
  const testLoader = new DataLoader(mnistDataset(mnist.test, entry.sampleShape), { batchSize: 500 });
  const hidden = options.hidden ?? entry.defaultHidden;
  const recipe = entry.recipe;
  // the recipe's lr goes with the recipe's optimizer only
  const recipeLr = recipe?.lr !== undefined && (recipe.optimizer ?? 'adam') === options.optimizer ? recipe.lr : undefined;
  const lr = options.lr ?? recipeLr ?? OPTIMIZERS[options.optimizer].defaultLr;

  /** Model, optimizer and schedule made afresh on the current device, from the seed or from a checkpoint. */
  const setUp = async (from: string | undefined) => {
    sg.manualSeed(options.seed);
    const model = entry.build(sg, { hidden });
    const opt = OPTIMIZERS[options.optimizer].build(sg, model.parameters(), lr);
    const schedule = recipe?.cosineLr ? new CosineAnnealingLR(opt, options.epochs) : null;
    const pos = from ? await sg.loadCheckpoint(from, { model, optimizer: opt }) : { epoch: 0, step: 0 };
    if (schedule && pos.epoch > 0) {
      schedule.lastEpoch = pos.epoch;
      opt.lr = schedule.lrAt(pos.epoch);
    }
    trainLoader.nextEpoch = pos.epoch; // the loader's epochs count from 0: the data order goes on as it would have
    return { model, opt, schedule, pos };
  };

  let run = await setUp(options.resume);
  if (options.resume) {
    const { pos } = run;
    if (pos.epoch >= options.epochs) {
      sg.destroy();
      throw new ValueError(`--resume ${options.resume} has already trained ${pos.epoch} epoch${pos.epoch === 1 ? '' : 's'}: pass --epochs greater than ${pos.epoch} to train on`);
    }
    log(`resumed ${options.resume}: ${pos.epoch} epoch${pos.epoch === 1 ? '' : 's'} done, ${pos.step} steps`);
  }
  log(
    `${options.model}: ${entry.description}${hidden ? ` (hidden ${hidden})` : ''}, ${options.optimizer} lr ${lr}, ` +
      `batch ${options.batchSize}, seed ${options.seed}${recipe?.cosineLr ? ', cosine lr' : ''}${recipe?.augment ? `, ${describeAugment(recipe.augment)}` : ''}; ` +
      `${mnist.train.count} train / ${mnist.test.count} test digits${options.digits ? ` (classes ${formatDigits(options.digits)})` : ''}`,
  );

  const config = {
    epochs: options.epochs, batch_size: options.batchSize, lr, optimizer: options.optimizer, seed: options.seed, hidden: hidden ?? null,
    ...(options.maxSteps !== undefined && { max_steps: options.maxSteps }), ...(options.resume && { resume: options.resume }),
    ...(options.digits && { digits: formatDigits(options.digits) }),
  };
  const runLog = options.logdir ? await RunLog.start(options.logdir, { model: options.model, config }) : null;
  if (runLog) {
    // the digits of the first batch the run trains on (the split itself is ordered by class)
    runLog.inputGrid('train/input_digits', mnist.train.images, trainLoader.order(run.pos.epoch), [28, 28]);
    log(`logging to ${options.logdir} (view with: tensorboard --logdir ${options.logdir})`);
  }
  const start = performance.now();
  const result: TrainResult = { testAccuracy: 0, epochs: [], recoveries: 0 };
  let last: { loss: number; accuracy: number; samples: number; seconds: number } | null = null;
  let savedThisRun = false;
  let lossesInARow = 0;
  let stepsThisRun = 0;
  const stepsLeft = () => (options.maxSteps ?? Infinity) - stepsThisRun;
  try {
    for (let epoch = run.pos.epoch + 1; epoch <= options.epochs && stepsLeft() > 0; epoch++) {
      const bar = options.quiet || !process.stderr.isTTY ? null : progressBar();
      try {
        const { model, opt, schedule } = run;
        const payload = (s: RunningStats | null) => ({
          epoch: `${epoch}/${options.epochs}`,
          loss: s ? s.loss.toFixed(4) : '-',
          acc: s ? pct(s.accuracy) : '-',
          rate: s ? Math.round(s.samples / s.seconds) : '-',
        });
        bar?.start(trainLoader.samplesPerEpoch, 0, payload(null));
        // a fresh seeded augmentation stream per epoch: a resumed run sees the batches an uninterrupted one would
        const augment = recipe?.augment ? new RandomAffine(recipe.augment, deriveSeed(options.seed, epoch)) : null;
        const epochLr = opt.lr;
        const lastStep = Math.min(trainLoader.length, stepsLeft()); // its gradients are logged
        const onStep = (r: StepReport) => {
          stepsThisRun++;
          bar?.update(r.running.samples, payload(r.running));
          runLog?.writer.addScalar('train/loss', r.loss, opt.stepCount);
        };
        const stats = await trainEpoch(model, opt, trainLoader, onStep, {
          augment, epoch, continueOnNaN: options.continueOnNan,
          keepGoing: options.maxSteps === undefined ? undefined : () => stepsLeft() > 0,
          alsoRealize: runLog ? (s) => (s === lastStep ? gradients(model) : []) : undefined,
        });
        schedule?.step();
        bar?.stop();
        last = stats;
        const testAccuracy = await evaluate(model, testLoader);
        if (options.checkpoint) {
          const extra = { model: options.model, hidden, optimizer: options.optimizer, seed: options.seed, batchSize: options.batchSize, testAccuracy, ...(options.digits && { digits: options.digits }) };
          await sg.saveCheckpoint(options.checkpoint, { model, optimizer: opt }, { epoch, step: opt.stepCount, loader: { epoch, batch: 0 }, extra });
          savedThisRun = true;
        }
        log(
          `epoch ${epoch}/${options.epochs}  loss ${stats.loss.toFixed(4)}  train acc ${pct(stats.accuracy)}  ` +
            `test acc ${pct(testAccuracy)}  ${Math.round(stats.samples / stats.seconds)} samples/s  ${stats.seconds.toFixed(1)} s`,
        );
        if (runLog) {
          const step = opt.stepCount;
          for (const [tag, v] of [['train/accuracy', stats.accuracy], ['train/epoch_loss', stats.loss], ['test/accuracy', testAccuracy], ['lr', epochLr]] as const) runLog.writer.addScalar(tag, v, step);
          await runLog.parameters(model, step);
          await runLog.endEpoch({ epoch, step, steps: stats.steps, train_loss: stats.loss, train_accuracy: stats.accuracy, test_accuracy: testAccuracy, lr: epochLr });
        }
        if (stepsLeft() <= 0) log(`stopped after --max-steps ${options.maxSteps} (${stats.steps} of epoch ${epoch}'s ${trainLoader.length} steps)`);
        result.testAccuracy = testAccuracy;
        result.epochs.push({ epoch, loss: stats.loss, accuracy: stats.accuracy, testAccuracy });
        lossesInARow = 0;
      } catch (e) {
        bar?.stop();
        if (!(e instanceof sg.DeviceLostError)) throw e;
        if (!options.checkpoint) throw new sg.DeviceLostError(`${e.message} (in epoch ${epoch}; pass --checkpoint FILE to resume from the last epoch automatically)`);
        if (++lossesInARow > MAX_RECOVERIES) throw new sg.DeviceLostError(`${e.message} (in epoch ${epoch}: the device was lost ${MAX_RECOVERIES + 1} times in a row; giving up)`);
        // a lost device takes every tensor with it: a new device, the model and optimizer rebuilt, the last checkpoint loaded
        sg.destroy();
        await sg.init();
        const from = savedThisRun ? options.checkpoint : options.resume;
        run = await setUp(from);
        result.recoveries++;
        console.error(
          `shadergrad: ${e.message} in epoch ${epoch}; re-acquired a GPU device and resumed from ` +
            `${from ? `${from} (${run.pos.epoch} epoch${run.pos.epoch === 1 ? '' : 's'} done)` : 'the start (no checkpoint saved yet)'}`,
        );
        result.epochs = result.epochs.filter((r) => r.epoch <= run.pos.epoch);
        await runLog?.rewindTo(run.pos.epoch);
        epoch = run.pos.epoch; // the loop's epoch++ goes on with the first epoch the checkpoint has not done
      }
    }
  } catch (e) {
    await runLog?.fail(e);
    throw e;
  } finally {
    sg.destroy();
  }
  const seconds = (performance.now() - start) / 1000;
  const { testAccuracy } = result;
  const metrics = {
    test_accuracy: testAccuracy,
    train_loss: last?.loss ?? null,
    train_accuracy: last?.accuracy ?? null,
    samples_per_second: last ? last.samples / last.seconds : null,
    seconds,
    device_losses_recovered: result.recoveries,
  };
  await runLog?.finish(metrics);
  console.log(
    `test accuracy ${pct(testAccuracy)} (${mnist.train.count} train / ${mnist.test.count} test digits, ` +
      `${options.epochs} epoch${options.epochs === 1 ? '' : 's'}, ${seconds.toFixed(1)} s)`,
  );
  if (options.json) {
    printJsonLine({ command: 'train', model: options.model, config, ...(options.logdir && { logdir: options.logdir }), metrics });
  }
  return result;
}
