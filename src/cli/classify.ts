// `shadergrad classify --checkpoint f | --onnx f`: the held-out MNIST digits through the same Predictor
// that `serve` answers with, in batches; prints the accuracy.
import cliProgress from 'cli-progress';
import { checkReadableFile } from '../node/files.js';
import { loadMnist } from '../node/mnist-files.js';
import { readDigitImages } from '../node/digit-images.js';
import { MNIST_PIXELS, type MnistSplit } from '../data/mnist.js';
import * as sg from '../node/index.js';
import { Predictor, type PredictorSource } from '../serve/predictor.js';
import { printJsonLine } from './json-line.js';

export interface ClassifyOptions extends PredictorSource {
  /** Digits per realization. */
  batchSize?: number;
  /** Classify only the first `count` held-out digits (default: all 1,000). */
  count?: number;
  /** Classify the digits of this PNG (one 28×28 digit or a grid of them) instead of the held-out split. */
  images?: string;
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

/**
 * `--images FILE`: every digit of a PNG (one, or a grid as `sample` writes), with its most likely class
 * and that class's probability, in reading order.
 */
export async function classifyImages(options: ClassifyOptions & { images: string }): Promise<{ class: number; p: number }[]> {
  await checkReadableFile(options.images, '--images');
  const digits = await readDigitImages(options.images);
  await sg.init();
  try {
    const predictor = await Predictor.load(options);
    const predictions: { class: number; p: number }[] = [];
    const batch = options.batchSize ?? 250;
    for (let i = 0; i < digits.count; i += batch) {
      const m = Math.min(batch, digits.count - i);
      const r = await predictor.predict(digits.pixels.subarray(i * MNIST_PIXELS, (i + m) * MNIST_PIXELS), m);
      for (let k = 0; k < m; k++) predictions.push({ class: r.classes[k], p: r.probabilities[k * predictor.classes + r.classes[k]] });
    }
    const confident = predictions.filter((p) => p.p >= 0.9);
    if (!options.json) {
      for (let row = 0; row < digits.rows; row++)
        console.log(predictions.slice(row * digits.columns, (row + 1) * digits.columns).map((p) => `${p.class} (${p.p.toFixed(2)})`).join('  '));
      console.log(`${digits.count} digit${digits.count === 1 ? '' : 's'} in ${options.images} (${digits.columns}x${digits.rows}); ${confident.length} classified with p >= 0.9, covering ${new Set(confident.map((p) => p.class)).size} of the 10 classes`);
    } else
      printJsonLine({
        command: 'classify', model: predictor.kind,
        metrics: { count: digits.count, confident_fraction: confident.length / digits.count, confident_classes: new Set(confident.map((p) => p.class)).size },
        predictions,
      });
    return predictions;
  } finally {
    sg.destroy();
  }
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
