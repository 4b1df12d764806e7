// Dynamic batching: instances of requests that arrive close together are realized as ONE batch on the
// GPU. A batch goes when it holds `maxBatch` instances, or `maxWaitMs` after its first one arrived, or
// (while one is running) as soon as the running one is done: whatever queued meanwhile goes next, so under
// load batches fill up by themselves and an idle server answers a lone request after at most maxWaitMs.
// A request larger than maxBatch is split over several batches. Batch sizes are padded up to a power of
// two (zeros, results dropped): each size is a graph plan of its own, and this bounds how many get built.
import type { Prediction } from './predictor.js';

export interface BatcherOptions {
  maxBatch: number;
  maxWaitMs: number;
  inputSize: number;
  classes: number;
  /** Runs one padded batch: the predictor. */
  run(pixels: Float32Array, count: number): Promise<Prediction>;
  /** Serialises GPU work across batchers (one per model version): one realization at a time. */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  /** Told after every batch: real instances in it, seconds the realization took (upload, run, read back). */
  onBatch?(instances: number, seconds: number): void;
}

interface Pending {
  pixels: Float32Array;
  count: number;
  /** Instances handed to a batch so far, and instances answered. */
  taken: number;
  answered: number;
  out: Prediction;
  resolve(p: Prediction): void;
  reject(e: unknown): void;
}

/** Smallest power of two ≥ n (n ≥ 1). */
export const paddedSize = (n: number): number => 2 ** Math.ceil(Math.log2(n));

/** Every size a batch of at most maxBatch instances is padded to: 1, 2, 4, ..., paddedSize(maxBatch). */
export const paddedSizes = (maxBatch: number): number[] => Array.from({ length: Math.log2(paddedSize(maxBatch)) + 1 }, (_, i) => 2 ** i);

export class DynamicBatcher {
  private queue: Pending[] = [];
  private queued = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly o: BatcherOptions) {}

  /** Instances waiting for a batch. */
  get waiting(): number {
    return this.queued;
  }

  /** The predictions of `count` instances, answered once every batch holding one of them is done. */
  submit(pixels: Float32Array, count: number): Promise<Prediction> {
    return new Promise((resolve, reject) => {
      const out = { probabilities: new Float32Array(count * this.o.classes), classes: new Int32Array(count) };
      this.queue.push({ pixels, count, taken: 0, answered: 0, out, resolve, reject });
      this.queued += count;
      if (this.running) return; // goes when the running batch is done
      if (this.queued >= this.o.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.o.maxWaitMs);
    });
  }

  /** Resolves once nothing is queued or running. */
  async idle(): Promise<void> {
    while (this.running || this.queued) await (this.running ?? new Promise((r) => setTimeout(r, this.o.maxWaitMs)));
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running || this.queued === 0) return;
    this.running = this.runOne().finally(() => {
      this.running = null;
      if (this.queued) this.flush();
    });
  }

  /** Takes up to maxBatch instances off the queue (the front request's rest first) and realizes them. */
  private async runOne(): Promise<void> {
    const { inputSize, classes } = this.o;
    const parts: { p: Pending; from: number; n: number }[] = [];
    let n = 0;
    while (n < this.o.maxBatch && this.queue.length) {
      const p = this.queue[0];
      const take = Math.min(p.count - p.taken, this.o.maxBatch - n);
      parts.push({ p, from: p.taken, n: take });
      p.taken += take;
      n += take;
      if (p.taken === p.count) this.queue.shift();
    }
    this.queued -= n;
    const padded = paddedSize(n);
    const pixels = new Float32Array(padded * inputSize);
    let row = 0;
    for (const { p, from, n: k } of parts) {
      pixels.set(p.pixels.subarray(from * inputSize, (from + k) * inputSize), row * inputSize);
      row += k;
    }
    const start = performance.now();
    let result: Prediction;
    try {
      result = await this.o.exclusive(() => this.o.run(pixels, padded));
    } catch (e) {
      // every request with an instance in this batch fails (and is taken off the queue if it had more)
      for (const { p } of parts) {
        const i = this.queue.indexOf(p);
        if (i >= 0) {
          this.queue.splice(i, 1);
          this.queued -= p.count - p.taken;
        }
        p.reject(e);
      }
      return;
    }
    this.o.onBatch?.(n, (performance.now() - start) / 1000);
    row = 0;
    for (const { p, from, n: k } of parts) {
      p.out.probabilities.set(result.probabilities.subarray(row * classes, (row + k) * classes), from * classes);
      p.out.classes.set(result.classes.subarray(row, row + k), from);
      row += k;
      p.answered += k;
      if (p.answered === p.count) p.resolve(p.out);
    }
  }
}
