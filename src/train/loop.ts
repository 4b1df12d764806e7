// The training loop that `shadergrad train` (src/cli/) and the demo pages (demos/, src/demo-kit/) share:
// batches → forward → loss → backward → optimizer step (predictions realized in the same submit) → loss and
// predictions read back → schedule step → the caller's hook (progress bar, live chart, evaluation).
// Browser-safe: nothing here imports Node; the CLI brings its progress bar, a page its GPU queue and pause.
import { NonFiniteLossError, ValueError } from '../core/errors.js';
import type { Batch } from '../data/dataloader.js';
import type { Module } from '../nn/module.js';
import { crossEntropy } from '../nn/functional.js';
import type { Optimizer } from '../optim/index.js';
import { tensor } from '../tensor/creation.js';
import { noGrad, type Tensor } from '../tensor/tensor.js';
import { checkOptions, FUNCTION, NON_NEGATIVE_INT, type OptionRule } from '../core/options.js';

/** What one step records for its batch: the loss to minimise and, for a classifier, the predictions to count. */
export interface StepGraph {
  loss: Tensor;
  /** Samples in the batch (the loss is their mean). */
  samples: number;
  /** Predicted class ids; realized in the optimizer's submit, so made with the weights before the update. */
  pred?: Tensor;
  /** The true class ids on the host, compared with `pred`. */
  labels?: ArrayLike<number>;
}

/** What one step reports once it is read back. */
export interface StepOutcome {
  /** Mean loss of the step's batch. */
  loss: number;
  /** Correct predictions in the batch (0 when the step records none). */
  correct: number;
  samples: number;
}

export function countCorrect(pred: ArrayLike<number>, labels: ArrayLike<number>): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) correct++;
  return correct;
}

/** Cross-entropy of `logits` [N, C] against the int32 class ids `y` (`labels` on the host), with argmax predictions. */
export function classification(logits: Tensor, y: Tensor, labels: ArrayLike<number>): StepGraph {
  const loss = crossEntropy(logits, y);
  return { loss, pred: logits.argmax(1), labels, samples: labels.length };
}

/** A classifier's loss from its logits, the int32 labels and the (transformed) input batch; cross-entropy unless given (distillation). */
export type ClassifierLoss = (logits: Tensor, y: Tensor, x: Tensor) => Tensor;

/**
 * The step of a classifier on a host batch (a DataLoader's): `loss` (default cross-entropy) of `forward(x)`
 * against `y`, x first passed through `transform` (augmentation) when given.
 */
export function classifierStep(forward: (x: Tensor) => Tensor, { transform, loss }: { transform?: (x: Tensor) => Tensor; loss?: ClassifierLoss } = {}): (batch: Batch) => StepGraph {
  return (batch) => {
    const raw = tensor(batch.x, batch.xShape);
    const x = transform ? transform(raw) : raw;
    const y = tensor(batch.y, batch.yShape, { dtype: 'int32' });
    const logits = forward(x);
    if (!loss) return classification(logits, y, batch.y);
    return { loss: loss(logits, y, x), pred: logits.argmax(1), labels: batch.y, samples: batch.y.length };
  };
}

/**
 * One optimizer step: zeroGrad, record (forward and loss), backward, step in one submit, then read back.
 * `alsoRealize`, called after backward, names more tensors for that submit (the gradients, to log them:
 * after the update they could no longer be computed).
 */
export async function trainStep(opt: Optimizer, record: () => StepGraph, alsoRealize?: () => Tensor[]): Promise<StepOutcome> {
  opt.zeroGrad();
  const g = record();
  g.loss.backward();
  opt.step({ alsoRealize: [...(g.pred ? [g.pred] : []), ...(alsoRealize?.() ?? [])] });
  const loss = await g.loss.item();
  const correct = g.pred && g.labels ? countCorrect(await g.pred.data(), g.labels) : 0;
  return { loss, correct, samples: g.samples };
}

/** A run's numbers so far: sample-weighted mean loss, accuracy, and time since the loop started. */
export interface RunningStats {
  loss: number;
  accuracy: number;
  samples: number;
  steps: number;
  seconds: number;
}

export interface StepReport extends StepOutcome {
  /** Wall time of the step: batch, record, plan, submit, GPU and readback. */
  ms: number;
  running: RunningStats;
}

export interface LoopOptions<B> {
  optimizer: Optimizer;
  /**
   * The batches, read with next(): a loop that stops early (keepGoing) leaves the iterator open, so the
   * next loop over it goes on from there. One epoch (a DataLoader's iterator) or endless (see endless()).
   */
  batches: Iterator<B>;
  /** Records one batch's forward and loss (classification(), classifierStep()). */
  record: (batch: B) => StepGraph;
  /** Stepped after every optimizer step: a per-iteration learning-rate schedule (sg.optim.LRScheduler). */
  schedule?: { step(): void };
  /** Runs each step (a page passes its GPU queue, so that steps and drawing take turns); default: directly. */
  runStep?: (step: () => Promise<StepOutcome>) => Promise<StepOutcome>;
  /** Asked before every step; false stops the loop (a page's pause). */
  keepGoing?: () => boolean;
  /**
   * Before step `step` (1, 2, ... in this loop) is submitted, after its backward: tensors to realize in its
   * submit, such as the parameters' gradients (p.grad) of a step whose gradients are to be logged.
   */
  alsoRealize?: (step: number) => Tensor[];
  /** Awaited after every step, before the next: progress, charts, evaluation every n steps. */
  onStep?: (report: StepReport) => void | Promise<void>;
  /** A NaN or infinite loss: 'stop' (default) rejects with NonFiniteLossError naming the step; 'continue' goes on. */
  onNonFiniteLoss?: 'stop' | 'continue';
  /** Named in the NonFiniteLossError message. */
  epoch?: number;
}

const LOOP_OPTIONS: Record<keyof LoopOptions<unknown>, OptionRule> = {
  optimizer: 'any', batches: 'any', record: FUNCTION, schedule: 'any', runStep: FUNCTION, keepGoing: FUNCTION, alsoRealize: FUNCTION, onStep: FUNCTION,
  onNonFiniteLoss: ['stop', 'continue'], epoch: NON_NEGATIVE_INT,
};

/** Trains on `batches` until they end or keepGoing() says stop; returns the run's numbers. */
export async function trainLoop<B>(o: LoopOptions<B>): Promise<RunningStats> {
  checkOptions('trainLoop', o, LOOP_OPTIONS);
  for (const key of ['optimizer', 'batches', 'record'] as const) if (o?.[key] === undefined) throw new ValueError(`trainLoop: options.${key} is required`);
  if (typeof o.batches.next !== 'function') throw new ValueError('trainLoop: batches must be an iterator (call [Symbol.iterator]() on an iterable, or use endless())');
  if (o.schedule !== undefined && typeof o.schedule?.step !== 'function') throw new ValueError('trainLoop: schedule must have a step() method (an sg.optim.LRScheduler)');
  const start = performance.now();
  let lossSum = 0;
  let correct = 0;
  let samples = 0;
  let steps = 0;
  const running = (): RunningStats => ({ loss: lossSum / samples, accuracy: correct / samples, samples, steps, seconds: (performance.now() - start) / 1000 });
  while (o.keepGoing?.() ?? true) {
    const t0 = performance.now();
    const next = o.batches.next();
    if (next.done) break;
    const alsoRealize = o.alsoRealize && (() => o.alsoRealize!(steps + 1));
    const step = () => trainStep(o.optimizer, () => o.record(next.value), alsoRealize);
    const r = await (o.runStep ? o.runStep(step) : step());
    const ms = performance.now() - t0;
    if (!Number.isFinite(r.loss) && (o.onNonFiniteLoss ?? 'stop') === 'stop') throw new NonFiniteLossError(steps + 1, r.loss, o.epoch);
    o.schedule?.step();
    lossSum += r.loss * r.samples;
    correct += r.correct;
    samples += r.samples;
    steps++;
    await o.onStep?.({ ...r, ms, running: running() });
  }
  return running();
}

/** The batches of `epochs` over and over (a page trains until paused): each pass iterates it afresh. */
export function* endless<B>(epochs: Iterable<B>): Generator<B, never> {
  for (;;) yield* epochs;
}

/** Accuracy of `model` over `batches`, in eval mode and without gradients; leaves the model in train mode. */
export async function evaluate(model: Module, batches: Iterable<Batch>): Promise<number> {
  model.eval();
  let correct = 0;
  let samples = 0;
  for (const batch of batches) {
    const pred = noGrad(() => model.forward(tensor(batch.x, batch.xShape)).argmax(1));
    correct += countCorrect(await pred.data(), batch.y);
    samples += batch.y.length;
  }
  model.train();
  return correct / samples;
}
