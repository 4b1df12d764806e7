// An LSTM forecaster: a window of past values [B, W, 1] → the next value [B] (one-step ahead). With
// `seasonalPeriod` p the LSTM learns a correction to the seasonal value: ŷ = x[W - p] + head(h_W).
import { ShapeError } from '../core/errors.js';
import { shapeStr } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { Linear } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { LSTM } from '../nn/rnn.js';
import { checkNumber, checkOptions, POSITIVE_INT, SEED } from '../core/options.js';

export class LSTMForecaster extends Module {
  lstm: LSTM;
  head: Linear;
  constructor(
    readonly hiddenSize = 32,
    readonly options: { numLayers?: number; seed?: number; seasonalPeriod?: number } = {},
  ) {
    super();
    checkNumber('LSTMForecaster', 'hiddenSize', hiddenSize, POSITIVE_INT);
    checkOptions('LSTMForecaster', options, { numLayers: POSITIVE_INT, seed: SEED, seasonalPeriod: POSITIVE_INT });
    this.lstm = new LSTM(1, hiddenSize, { numLayers: options.numLayers ?? 1, batchFirst: true, seed: options.seed });
    this.head = new Linear(hiddenSize, 1, { seed: (options.seed ?? 0) + 500 });
  }
  forward(x: Tensor): Tensor {
    if (x.rank !== 3 || x.shape[2] !== 1) throw new ShapeError(`LSTMForecaster: input must be [B, W, 1], got shape ${shapeStr(x.shape)}`);
    const [B, W] = x.shape;
    const [out] = this.lstm.forward(x);
    const last = out.slice([0, W - 1], [B, W]).reshape([B, this.hiddenSize]);
    const y = this.head.forward(last).reshape([B]);
    const p = this.options.seasonalPeriod;
    if (!p) return y;
    if (p > W) throw new ShapeError(`LSTMForecaster: seasonal period ${p} is longer than the input window of shape ${shapeStr(x.shape)}`);
    return y.add(x.slice([0, W - p], [B, W - p + 1]).reshape([B]));
  }
}
