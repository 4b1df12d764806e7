// What finetune, prune and distill share: a trained MNIST model read from a checkpoint, and epochs of
// training on a loader (the model's own augmentation and cosine schedule, a progress bar, test accuracy
// after each epoch, an optional step limit and a hook after each step).
import { readFile } from 'node:fs/promises';
import { deriveSeed } from '../core/random.js';
import type { DataLoader } from '../data/dataloader.js';
import { RandomAffine } from '../data/transforms.js';
import { checkReadableFile } from '../node/files.js';
import * as sg from '../node/index.js';
import { CosineAnnealingLR } from '../optim/schedulers.js';
import { evaluate, type ClassifierLoss, type RunningStats, type StepReport } from '../train/loop.js';
import { checkpointModel, type CheckpointModel } from './checkpoint-model.js';
import { MODELS, type Optimizer, type OptimizerName, type TrainRecipe } from './models.js';
import { progressBar, trainEpoch } from './train.js';

/** The options finetune, prune and distill share: how they train, and what they print. */
export interface RunOptions {
  batchSize: number;
  /** Default: the command's own. */
  lr?: number;
  optimizer: OptimizerName;
  seed: number;
  quiet: boolean;
  json: boolean;
}

export const pct = (a: number) => `${(100 * a).toFixed(2)}%`;

/** The parameters' element count. */
export const countParams = (params: sg.nn.Parameter[]) => params.reduce((s, p) => s + p.size, 0);

/** Reads `path` (the `argument` of the command line) as a checkpoint of one of `train`'s MNIST models, before any GPU work. */
export async function openMnistCheckpoint(path: string, argument: string): Promise<{ bytes: Uint8Array; source: CheckpointModel }> {
  await checkReadableFile(path, argument);
  const bytes = await readFile(path);
  const mnistModels = Object.keys(MODELS).filter((m) => MODELS[m].dataset === 'mnist');
  return { bytes, source: checkpointModel(bytes, path, {}, { allowed: mnistModels, purpose: 'an MNIST classifier' }) };
}

export interface FitOptions {
  model: sg.nn.Module;
  opt: Optimizer;
  train: DataLoader;
  test: DataLoader;
  epochs: number;
  recipe?: TrainRecipe;
  seed: number;
  quiet: boolean;
  maxSteps?: number;
  /** Called after every optimizer step with the number of steps so far (pruning schedules). */
  afterStep?: (steps: number) => void | Promise<void>;
  /** The loss of a batch from the model's logits (default: cross-entropy; distill gives the KD loss). */
  loss?: ClassifierLoss;
}

export interface FitResult {
  last: RunningStats | null;
  testAccuracy: number;
  steps: number;
  seconds: number;
}

/** Trains `model` for `epochs` over `train`, evaluating on `test` after each; logs a line per epoch unless quiet. */
export async function fitEpochs(o: FitOptions): Promise<FitResult> {
  const schedule = o.recipe?.cosineLr ? new CosineAnnealingLR(o.opt, o.epochs) : null;
  const start = performance.now();
  let steps = 0;
  const stepsLeft = () => (o.maxSteps ?? Infinity) - steps;
  let last: RunningStats | null = null;
  let testAccuracy = NaN;
  for (let epoch = 1; epoch <= o.epochs && stepsLeft() > 0; epoch++) {
    const bar = o.quiet || !process.stderr.isTTY ? null : progressBar();
    const payload = (s: RunningStats | null) => ({ epoch: `${epoch}/${o.epochs}`, loss: s ? s.loss.toFixed(4) : '-', acc: s ? pct(s.accuracy) : '-', rate: s ? Math.round(s.samples / s.seconds) : '-' });
    bar?.start(o.train.samplesPerEpoch, 0, payload(null));
    const augment = o.recipe?.augment ? new RandomAffine(o.recipe.augment, deriveSeed(o.seed, epoch)) : null;
    const onStep = async (r: StepReport) => {
      steps++;
      bar?.update(r.running.samples, payload(r.running));
      await o.afterStep?.(steps);
    };
    try {
      last = await trainEpoch(o.model, o.opt, o.train, onStep, { augment, epoch, keepGoing: () => stepsLeft() > 0, loss: o.loss });
    } finally {
      bar?.stop();
    }
    schedule?.step();
    testAccuracy = await evaluate(o.model, o.test);
    if (!o.quiet) console.log(`epoch ${epoch}/${o.epochs}  loss ${last.loss.toFixed(4)}  train acc ${pct(last.accuracy)}  test acc ${pct(testAccuracy)}  ${last.seconds.toFixed(1)} s`);
  }
  return { last, testAccuracy, steps, seconds: (performance.now() - start) / 1000 };
}
