// Time series helpers for one-step-ahead forecasting: a chronological split, normalisation with the
// training part's statistics, sliding windows, and the naive seasonal forecast ŷ[t] = y[t - period]
// that a model has to beat.
import { checkNumber, NON_NEGATIVE_INT, POSITIVE_INT } from '../core/options.js';

export interface SeriesWindows {
  /** [count, window, 1] normalised inputs, row-major. */
  x: Float32Array;
  /** [count] normalised next values. */
  y: Float32Array;
  /** Index in the series of each target. */
  targetIndex: Int32Array;
  count: number;
}

export interface Normaliser {
  mean: number;
  std: number;
}

export function normaliser(values: ArrayLike<number>): Normaliser {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i];
  mean /= values.length;
  let v = 0;
  for (let i = 0; i < values.length; i++) v += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(v / values.length) || 1 };
}

/** Windows of `window` values predicting the next one, for targets t in [from, to). */
export function slidingWindows(series: ArrayLike<number>, window: number, from: number, to: number, norm: Normaliser): SeriesWindows {
  checkNumber('slidingWindows', 'window', window, POSITIVE_INT);
  checkNumber('slidingWindows', 'from', from, NON_NEGATIVE_INT);
  checkNumber('slidingWindows', 'to', to, { min: from, max: series.length, integer: true });
  const start = Math.max(from, window);
  const count = Math.max(0, to - start);
  const x = new Float32Array(count * window);
  const y = new Float32Array(count);
  const targetIndex = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const t = start + n;
    for (let k = 0; k < window; k++) x[n * window + k] = (series[t - window + k] - norm.mean) / norm.std;
    y[n] = (series[t] - norm.mean) / norm.std;
    targetIndex[n] = t;
  }
  return { x, y, targetIndex, count };
}

/** Mean absolute error of the naive seasonal forecast y[t - period] over targets t in [from, to). */
export function seasonalNaiveMae(series: ArrayLike<number>, period: number, from: number, to: number): number {
  checkNumber('seasonalNaiveMae', 'period', period, POSITIVE_INT);
  checkNumber('seasonalNaiveMae', 'from', from, { min: period, integer: true });
  checkNumber('seasonalNaiveMae', 'to', to, { min: from, aboveMin: true, max: series.length, integer: true });
  let s = 0;
  for (let t = from; t < to; t++) s += Math.abs(series[t] - series[t - period]);
  return s / (to - from);
}
