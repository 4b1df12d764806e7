// `shadergrad classify --checkpoint f | --onnx f`: the held-out MNIST digits through the same Predictor
// that `serve` answers with, in batches; prints the accuracy.
import cliProgress from 'cli-progress';
import { loadMnist } from '../node/mnist-files.js';
import { MNIST_PIXELS, type MnistSplit } from '../data/mnist.js';
import * as sg from '../node/index.js';
import { Predictor, type PredictorSource } from '../serve/predictor.js';
import { printJsonLine } from './json-line.js';

export interface ClassifyOptions extends PredictorSource {
  /** Digits per realization. */
  batchSize?: number;
  /** Classify only the first `count` held-out digits (default: all 1,000). */
  count?: number;
  json?: boolean;
}

export interface ClassifyResult {
  accuracy: number;
  count: number;
  seconds: number;
  /** The predicted class of each digit classified, in test-split order. */
  classes: Int32Array;
}

/** Classifies `count` digits of `split` with `predictor`, `batchSize` at a time. */
export async function classifySplit(predictor: Predictor, split: MnistSplit, { count = split.count, batchSize = 250, onBatch }: { count?: number; batchSize?: number; onBatch?: (done: number) => void } = {}): Promise<ClassifyResult> {
  const start = performance.now();
  const n = Math.min(count, split.count);
  const classes = new Int32Array(n);
  let correct = 0;
  for (let i = 0; i < n; i += batchSize) {
    const m = Math.min(batchSize, n - i);
    const { classes: c } = await predictor.predict(split.images.subarray(i * MNIST_PIXELS, (i + m) * MNIST_PIXELS), m);
    classes.set(c, i);
    for (let k = 0; k < m; k++) if (c[k] === split.labels[i + k]) correct++;
    onBatch?.(i + m);
  }
  return { accuracy: correct / n, count: n, seconds: (performance.now() - start) / 1000, classes };
}

export async function classify(options: ClassifyOptions): Promise<ClassifyResult> {
  const [mnist] = await Promise.all([loadMnist(), sg.init()]);
  try {
    const predictor = await Predictor.load(options);
    const total = Math.min(options.count ?? mnist.test.count, mnist.test.count);
    const bar = options.json || !process.stderr.isTTY ? null : new cliProgress.SingleBar({ format: 'classify |{bar}| {value}/{total} digits', stream: process.stderr, clearOnComplete: true }, cliProgress.Presets.shades_classic);
    bar?.start(total, 0);
    const result = await classifySplit(predictor, mnist.test, { count: total, batchSize: options.batchSize, onBatch: (done) => bar?.update(done) });
    bar?.stop();
    console.log(`${predictor.kind} (${predictor.file}): accuracy ${(100 * result.accuracy).toFixed(2)}% on ${result.count} held-out digits, ${result.seconds.toFixed(2)} s`);
    if (options.json) printJsonLine({ command: 'classify', model: predictor.kind, metrics: { accuracy: result.accuracy, count: result.count, seconds: result.seconds } });
    return result;
  } finally {
    sg.destroy();
  }
}
