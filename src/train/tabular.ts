// Trains a TabularNet regressor on an EncodedTable (src/data/tabular.ts): seeded shuffled minibatches,
// mean squared error on the training split's standardised target, AdamW (decoupled weight decay) unless told.
// Browser-safe; the CLI (src/cli/tabular.ts) brings the data, the progress bar and --json.
import { ValueError } from '../core/errors.js';
import { permutation, deriveSeed } from '../core/random.js';
import type { EncodedSplit, EncodedTable } from '../data/tabular.js';
import { rmse } from '../data/tabular.js';
import { TabularNet } from '../models/tabular.js';
import { mseLoss } from '../nn/functional.js';
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

/** Rows `idx` of a split as the net's inputs and its standardised target [n, 1]. */
function batchOf(split: EncodedSplit, idx: ArrayLike<number>, table: EncodedTable): { inputs: Inputs; target: Tensor } {
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
    target[k] = (split.target[i] - table.targetMean) / table.targetStd;
  }
  return {
    inputs: [tensor(numeric, [n, nNum]), cats.map((c) => tensor(c, [n], { dtype: 'int32' }))],
    target: tensor(target, [n, 1]),
  };
}

/** Shuffled minibatches of one epoch; a last batch of one row is dropped (BatchNorm needs two). */
function* epochBatches(split: EncodedSplit, table: EncodedTable, batchSize: number, seed: number) {
  const order = permutation(split.rows, seed);
  for (let s = 0; s < split.rows; s += batchSize) {
    const idx = order.subarray(s, Math.min(split.rows, s + batchSize));
    if (idx.length >= 2) yield batchOf(split, idx, table);
  }
}

/** The net's predictions for a split, in the target's own units (eval mode: running BatchNorm stats, no dropout). */
export async function predictTabular(model: TabularNet, split: EncodedSplit, table: EncodedTable): Promise<Float64Array> {
  model.eval();
  const { inputs } = batchOf(split, Array.from({ length: split.rows }, (_, i) => i), table);
  const y = await noGrad(() => model.forward(...inputs)).data();
  return Float64Array.from(y, (v) => v * table.targetStd + table.targetMean);
}

export async function trainTabular(
  table: EncodedTable, options: TabularTrainOptions, makeOptimizer: (params: Parameter[]) => Optimizer = defaultTabularOptimizer,
): Promise<{ model: TabularNet; testRmse: number; trainLoss: number }> {
  checkOptions('trainTabular', options, {
    epochs: POSITIVE_INT, batchSize: POSITIVE_INT, hidden: POSITIVE_INT, dropout: { min: 0, max: 1 }, seed: SEED, onEpoch: FUNCTION, onStep: FUNCTION,
  });
  if (options.batchSize < 2) throw new ValueError(`trainTabular: batchSize must be at least 2 (BatchNorm1d), got ${options.batchSize}`);
  const o = options;
  const model = new TabularNet(table.train.numeric.length / table.train.rows, table.levels.map((l) => l.length + 1), { hidden: o.hidden, dropout: o.dropout, seed: o.seed });
  const opt = makeOptimizer(model.parameters());
  let trainLoss = NaN;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    model.train();
    const stats = await trainLoop({
      optimizer: opt,
      batches: epochBatches(table.train, table, o.batchSize, deriveSeed(o.seed, epoch)),
      record: ({ inputs, target }) => ({ loss: mseLoss(model.forward(...inputs), target), samples: target.shape[0] }),
      epoch,
      onStep: o.onStep,
    });
    trainLoss = stats.loss;
    o.onEpoch?.(epoch, trainLoss);
  }
  const testRmse = rmse(await predictTabular(model, table.test, table), table.test.target);
  return { model, testRmse, trainLoss };
}
