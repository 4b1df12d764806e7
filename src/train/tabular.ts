// Trains a TabularNet on an EncodedTable (src/data/tabular.ts): seeded shuffled minibatches, mean squared
// error on the training split's standardised target (or cross-entropy of above/below its median), AdamW (decoupled weight decay) unless told.
// Browser-safe; the CLI (src/cli/tabular.ts) brings the data, the progress bar and --json.
import { ValueError } from '../core/errors.js';
import { permutation, deriveSeed } from '../core/random.js';
import type { EncodedSplit, EncodedTable } from '../data/tabular.js';
import { rmse } from '../data/tabular.js';
import { TabularNet } from '../models/tabular.js';
import { crossEntropy, mseLoss } from '../nn/functional.js';
import { AdamW } from '../optim/optimizers.js';
import type { Optimizer } from '../optim/index.js';
import type { Parameter } from '../nn/module.js';
import { tensor } from '../tensor/creation.js';
import { noGrad, type Tensor } from '../tensor/tensor.js';
import { checkOptions, FUNCTION, POSITIVE_INT, SEED } from '../core/options.js';
import { trainLoop, type StepReport } from './loop.js';

export interface TabularTrainOptions {
  epochs: number;
  batchSize: number;
  hidden: number;
  dropout: number;
  seed: number;
  /** After every epoch: its number and mean training loss (standardised units²). */
  onEpoch?: (epoch: number, trainLoss: number) => void;
  onStep?: (report: StepReport) => void;
}

export const TABULAR_DEFAULTS = { epochs: 150, batchSize: 32, hidden: 64, dropout: 0.1, seed: 0 };

/** The default optimizer: AdamW, lr 3e-3, decoupled weight decay 1e-2. */
export const defaultTabularOptimizer = (params: Parameter[]): Optimizer => new AdamW(params, { lr: 3e-3, weightDecay: 1e-2 });

type Inputs = [numeric: Tensor, categories: Tensor[]];

/** How the target is learned: the standardised value [n, 1] (regression) or above the training median [n] int32. */
type Task = { kind: 'regression' } | { kind: 'classification'; median: number };

/** Rows `idx` of a split as the net's inputs and its target as `task` learns it. */
function batchOf(split: EncodedSplit, idx: ArrayLike<number>, table: EncodedTable, task: Task): { inputs: Inputs; target: Tensor } {
  const nNum = split.numeric.length / split.rows;
  const nCat = table.levels.length;
  const n = idx.length;
  const numeric = new Float32Array(n * nNum);
  const target = new Float32Array(n);
  const cats = table.levels.map(() => new Int32Array(n));
  for (let k = 0; k < n; k++) {
    const i = idx[k];
    numeric.set(split.numeric.subarray(i * nNum, (i + 1) * nNum), k * nNum);
    for (let c = 0; c < nCat; c++) cats[c][k] = split.categories[i * nCat + c];
    target[k] = task.kind === 'regression' ? (split.target[i] - table.targetMean) / table.targetStd : Number(split.target[i] > task.median);
  }
  return {
    inputs: [tensor(numeric, [n, nNum]), cats.map((c) => tensor(c, [n], { dtype: 'int32' }))],
    target: task.kind === 'regression' ? tensor(target, [n, 1]) : tensor(Int32Array.from(target), [n], { dtype: 'int32' }),
  };
}

/** Shuffled minibatches of one epoch; a last batch of one row is dropped (BatchNorm needs two). */
function* epochBatches(split: EncodedSplit, table: EncodedTable, task: Task, batchSize: number, seed: number) {
  const order = permutation(split.rows, seed);
  for (let s = 0; s < split.rows; s += batchSize) {
    const idx = order.subarray(s, Math.min(split.rows, s + batchSize));
    if (idx.length >= 2) yield batchOf(split, idx, table, task);
  }
}

/** The net's outputs for a whole split (eval mode: running BatchNorm stats, no dropout), [rows · outputs]. */
async function outputsOf(model: TabularNet, split: EncodedSplit, table: EncodedTable): Promise<Float32Array> {
  model.eval();
  const { inputs } = batchOf(split, Array.from({ length: split.rows }, (_, i) => i), table, { kind: 'regression' });
  return (await noGrad(() => model.forward(...inputs)).data()) as Float32Array;
}

/** The regressor's predictions for a split, in the target's own units. */
export async function predictTabular(model: TabularNet, split: EncodedSplit, table: EncodedTable): Promise<Float64Array> {
  return Float64Array.from(await outputsOf(model, split, table), (v) => v * table.targetStd + table.targetMean);
}

/** The median of the training split's target: the classifier's threshold (above it: class 1). */
export function trainingMedian(table: EncodedTable): number {
  const t = Float64Array.from(table.train.target).sort();
  const m = t.length >> 1;
  return t.length % 2 ? t[m] : (t[m - 1] + t[m]) / 2;
}

const TRAIN_OPTIONS = {
  epochs: POSITIVE_INT, batchSize: POSITIVE_INT, hidden: POSITIVE_INT, dropout: { min: 0, max: 1 }, seed: SEED, onEpoch: FUNCTION, onStep: FUNCTION,
} as const;

type MakeOptimizer = (params: Parameter[]) => Optimizer;

/** The training loop both tasks share; the net has 1 output (regression) or 2 logits (classification). */
async function fit(table: EncodedTable, o: TabularTrainOptions, makeOptimizer: MakeOptimizer, task: Task): Promise<{ model: TabularNet; trainLoss: number }> {
  checkOptions('trainTabular', o, TRAIN_OPTIONS);
  if (o.batchSize < 2) throw new ValueError(`trainTabular: batchSize must be at least 2 (BatchNorm1d), got ${o.batchSize}`);
  const outputs = task.kind === 'regression' ? 1 : 2;
  const model = new TabularNet(table.train.numeric.length / table.train.rows, table.levels.map((l) => l.length + 1), { hidden: o.hidden, dropout: o.dropout, outputs, seed: o.seed });
  const opt = makeOptimizer(model.parameters());
  const lossOf = (y: Tensor, target: Tensor) => (task.kind === 'regression' ? mseLoss(y, target) : crossEntropy(y, target));
  let trainLoss = NaN;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    model.train();
    const stats = await trainLoop({
      optimizer: opt,
      batches: epochBatches(table.train, table, task, o.batchSize, deriveSeed(o.seed, epoch)),
      record: ({ inputs, target }) => ({ loss: lossOf(model.forward(...inputs), target), samples: target.shape[0] }),
      epoch,
      onStep: o.onStep,
    });
    trainLoss = stats.loss;
    o.onEpoch?.(epoch, trainLoss);
  }
  return { model, trainLoss };
}

/** A regressor of the target; its RMSE on the test split in the target's units. */
export async function trainTabular(table: EncodedTable, options: TabularTrainOptions, makeOptimizer: MakeOptimizer = defaultTabularOptimizer): Promise<{ model: TabularNet; testRmse: number; trainLoss: number }> {
  const { model, trainLoss } = await fit(table, options, makeOptimizer, { kind: 'regression' });
  return { model, trainLoss, testRmse: rmse(await predictTabular(model, table.test, table), table.test.target) };
}

/** A classifier of "target above the training median"; its accuracy on the test split. */
export async function trainTabularClassifier(table: EncodedTable, options: TabularTrainOptions, makeOptimizer: MakeOptimizer = defaultTabularOptimizer): Promise<{ model: TabularNet; testAccuracy: number; trainLoss: number; median: number }> {
  const median = trainingMedian(table);
  const { model, trainLoss } = await fit(table, options, makeOptimizer, { kind: 'classification', median });
  const logits = await outputsOf(model, table.test, table);
  let correct = 0;
  for (let i = 0; i < table.test.rows; i++) correct += Number(logits[2 * i + 1] > logits[2 * i] === table.test.target[i] > median);
  return { model, trainLoss, median, testAccuracy: correct / table.test.rows };
}
