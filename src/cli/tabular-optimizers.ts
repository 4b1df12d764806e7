// `shadergrad compare-optimizers`: the housing TabularNet trained from the same seed, split and batches with
// SGD, SGD with momentum, Adam and AdamW; per-epoch training loss curves drawn as one PNG, test RMSE each.
import cliProgress from 'cli-progress';
import { writeLineChart, type LineSeries } from '../node/plot.js';
import { checkWritableFilePath } from '../node/files.js';
import * as sg from '../node/index.js';
import { TABULAR_DEFAULTS, trainTabular } from '../train/tabular.js';
import { printJsonLine } from './json-line.js';
import { housingTable } from './tabular.js';

type Params = sg.nn.Parameter[];

/** The contenders, in the PNG's colours; learning rates tuned by a few runs each (README: Tabular). */
export const CONTENDERS: { name: string; color: [number, number, number]; build: (p: Params) => sg.optim.Optimizer }[] = [
  { name: 'sgd', color: [150, 150, 150], build: (p) => new sg.optim.SGD(p, { lr: 5e-2 }) },
  { name: 'momentum', color: [30, 120, 220], build: (p) => new sg.optim.SGD(p, { lr: 5e-2, momentum: 0.9 }) },
  { name: 'adam', color: [230, 120, 20], build: (p) => new sg.optim.Adam(p, { lr: 3e-3 }) },
  { name: 'adamw', color: [200, 30, 40], build: (p) => new sg.optim.AdamW(p, { lr: 3e-3, weightDecay: 1e-2 }) },
];

export async function compareOptimizers(o: { out: string; epochs: number; seed: number; quiet: boolean; json?: boolean }): Promise<void> {
  await checkWritableFilePath(o.out, '--out');
  const start = performance.now();
  const [table] = await Promise.all([housingTable(), sg.init()]);
  try {
    const bar = o.quiet || o.json || !process.stderr.isTTY ? null : new cliProgress.SingleBar(
      { format: '{name} |{bar}| {value}/{total} epochs', barsize: 24, hideCursor: true, clearOnComplete: true, stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    const series: LineSeries[] = [];
    const metrics: Record<string, number> = {};
    for (const c of CONTENDERS) {
      const losses: number[] = [];
      bar?.start(o.epochs, 0, { name: c.name });
      const r = await trainTabular(table, {
        ...TABULAR_DEFAULTS, epochs: o.epochs, seed: o.seed,
        onEpoch: (epoch, loss) => {
          losses.push(loss);
          bar?.update(epoch);
        },
      }, c.build);
      bar?.stop();
      series.push({ values: losses, color: c.color });
      metrics[`${c.name}_test_rmse`] = r.testRmse;
      metrics[`${c.name}_final_loss`] = r.trainLoss;
      if (!o.quiet) console.log(`${c.name.padEnd(8)} final training loss ${r.trainLoss.toFixed(4)}  test RMSE ${r.testRmse.toFixed(3)}  (rgb ${c.color.join(',')})`);
    }
    await writeLineChart(o.out, series);
    if (!o.quiet) console.log(`wrote ${o.out}: training loss (standardised price, MSE) per epoch`);
    metrics.seconds = (performance.now() - start) / 1000;
    if (o.json) printJsonLine({ command: 'compare-optimizers', model: 'housing', config: { epochs: o.epochs, seed: o.seed }, out: o.out, metrics });
  } finally {
    sg.destroy();
  }
}
