// Datasets and a DataLoader over host memory: batches are plain typed arrays, ready for sg.tensor().
// Shuffles are seeded: epoch e of a loader with seed s has the same order on every run and platform.
import { deriveSeed, permutation } from '../core/random.js';
import { ValueError } from '../core/errors.js';
import { checkNumber, checkOptions, NON_NEGATIVE_INT } from '../core/options.js';

/** One batch on the host: `x` is [batch, ...xShape.slice(1)] row-major, `y` is the targets. */
export interface Batch {
  x: Float32Array;
  /** Full shape of `x`, batch dimension first. */
  xShape: number[];
  y: Int32Array;
  /** Full shape of `y`, batch dimension first ([batch] for class labels). */
  yShape: number[];
}

/** Anything that can hand out a batch for a list of sample indices. */
export interface Dataset {
  readonly length: number;
  getBatch(indices: ArrayLike<number>): Batch;
}

export interface TensorDatasetOptions {
  /** Samples, row-major: length = count · product(sampleShape). */
  x: Float32Array;
  /** Shape of one sample of `x`, e.g. [784] or [1, 28, 28]. */
  sampleShape: number[];
  /** Targets: length = count · product(targetShape). */
  y: Int32Array;
  /** Shape of one target; [] (the default) for one class id per sample. */
  targetShape?: number[];
}

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** A dataset over flat typed arrays with a fixed per-sample shape (like PyTorch's TensorDataset). */
export class TensorDataset implements Dataset {
  readonly length: number;
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly sampleShape: readonly number[];
  readonly targetShape: readonly number[];
  private readonly xSize: number;
  private readonly ySize: number;

  constructor(options: TensorDatasetOptions) {
    checkOptions('TensorDataset', options, { x: 'any', sampleShape: 'any', y: 'any', targetShape: 'any' });
    const { x, sampleShape, y, targetShape = [] } = options ?? ({} as TensorDatasetOptions);
    if (x === undefined || y === undefined) throw new ValueError('TensorDataset: options x and y are required');
    for (const [what, shape] of [['sampleShape', sampleShape], ['targetShape', targetShape]] as const) {
      if (!Array.isArray(shape)) throw new ValueError(`TensorDataset: ${what} must be an array of sizes, got ${JSON.stringify(shape)}`);
      shape.forEach((d, i) => checkNumber('TensorDataset', `${what}[${i}]`, d, NON_NEGATIVE_INT));
    }
    this.xSize = product(sampleShape);
    this.ySize = product(targetShape);
    if (this.xSize === 0 || x.length % this.xSize !== 0) {
      throw new ValueError(`TensorDataset: x has ${x.length} values, not a multiple of sampleShape [${sampleShape}] (${this.xSize})`);
    }
    this.length = x.length / this.xSize;
    if (y.length !== this.length * this.ySize) {
      throw new ValueError(
        `TensorDataset: x holds ${this.length} samples of [${sampleShape}] but y has ${y.length} values ` +
          `(expected ${this.length * this.ySize} for targetShape [${targetShape}])`,
      );
    }
    this.x = x;
    this.y = y;
    this.sampleShape = [...sampleShape];
    this.targetShape = [...targetShape];
  }

  getBatch(indices: ArrayLike<number>): Batch {
    const n = indices.length;
    const x = new Float32Array(n * this.xSize);
    const y = new Int32Array(n * this.ySize);
    for (let b = 0; b < n; b++) {
      const i = indices[b];
      if (!(i >= 0 && i < this.length) || !Number.isInteger(i)) {
        throw new ValueError(`TensorDataset.getBatch: index ${i} out of range [0, ${this.length})`);
      }
      x.set(this.x.subarray(i * this.xSize, (i + 1) * this.xSize), b * this.xSize);
      y.set(this.y.subarray(i * this.ySize, (i + 1) * this.ySize), b * this.ySize);
    }
    return { x, xShape: [n, ...this.sampleShape], y, yShape: [n, ...this.targetShape] };
  }
}

export interface DataLoaderOptions {
  batchSize: number;
  /** Visit samples in a seeded random order, new each epoch (default false: 0, 1, 2, ...). */
  shuffle?: boolean;
  /** Seed of the shuffles (default 0). Epoch e uses deriveSeed(seed, e). */
  seed?: number;
  /** Skip the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
}

/**
 * Iterates a dataset in batches. Each `for (const batch of loader)` is one epoch; epochs count up
 * from 0, and `loader.epoch(e)` gives epoch e's batches directly (the same order every time).
 */
export class DataLoader implements Iterable<Batch>, AsyncIterable<Batch> {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  /** The epoch the next plain iteration will yield. */
  nextEpoch = 0;

  constructor(dataset: Dataset, options: DataLoaderOptions) {
    checkOptions('DataLoader', options, { batchSize: 'any', shuffle: 'boolean', seed: 'any', dropLast: 'boolean' });
    const { batchSize, shuffle = false, seed = 0, dropLast = false } = options ?? ({} as DataLoaderOptions);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValueError(`DataLoader: batchSize must be a positive integer, got ${batchSize}`);
    if (!Number.isInteger(seed)) throw new ValueError(`DataLoader: seed must be an integer, got ${seed}`);
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.seed = seed;
    this.dropLast = dropLast;
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** Samples per epoch (fewer than the dataset with dropLast). */
  get samplesPerEpoch(): number {
    return this.dropLast ? this.length * this.batchSize : this.dataset.length;
  }

  /** The sample order of epoch `e`. */
  order(e: number): Uint32Array {
    const n = this.dataset.length;
    if (this.shuffle) return permutation(n, deriveSeed(this.seed, e));
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    return order;
  }

  /** The batches of epoch `e` (does not advance `nextEpoch`). */
  *epoch(e: number): Generator<Batch> {
    const order = this.order(e);
    for (let b = 0; b < this.length; b++) {
      yield this.dataset.getBatch(order.subarray(b * this.batchSize, Math.min((b + 1) * this.batchSize, order.length)));
    }
  }

  [Symbol.iterator](): Iterator<Batch> {
    return this.epoch(this.nextEpoch++);
  }

  /** The same batches, yielding to the event loop between them (keeps a browser page responsive). */
  async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
    for (const batch of this) {
      yield batch;
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
    }
  }
}
