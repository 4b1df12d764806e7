// Node: TensorBoard event files, written like torch.utils.tensorboard's SummaryWriter. The records are
// built by src/io/tfevents.ts; here they are queued and appended to `events.out.tfevents.<secs>.<hostname>`.
//
// Crash safety: records are queued in memory and flush() appends them whole, with one write per flush,
// then fsyncs. A killed process loses what it had not flushed; the file holds only whole records, except
// that a kill in the middle of that write can leave an incomplete last record, which TensorBoard reads as
// not yet written (it never follows a record: the next writer starts a new file).
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { checkOptions } from '../core/options.js';
import { ValueError } from '../core/errors.js';
import { checkTagAndStep, eventRecord, FILE_VERSION, histogram, pngImage, type ImageMsg, type ImagePixels } from '../io/tfevents.js';
import type { Tensor } from '../tensor/tensor.js';

export interface SummaryWriterOptions {
  /** Appended to the file name (torch's filename_suffix). */
  filenameSuffix?: string;
}

const PNG_COLOR_TYPE = { 1: 0, 3: 2, 4: 6 } as const;

/** PNG bytes of `image` (pngjs); a ValueError naming `owner` for a size mismatch or a value out of range. */
export function encodePng(owner: string, image: ImagePixels): Uint8Array {
  const { width, height, channels, data } = image;
  for (const [name, v] of [['width', width], ['height', height]] as const)
    if (!Number.isSafeInteger(v) || v < 1) throw new ValueError(`${owner}: image ${name} must be a positive integer, got ${String(v)}`);
  if (!(channels in PNG_COLOR_TYPE)) throw new ValueError(`${owner}: image channels must be 1, 3 or 4, got ${String(channels)}`);
  if (data?.length !== width * height * channels) throw new ValueError(`${owner}: image data has ${data?.length} values; ${height}x${width}x${channels} needs ${width * height * channels}`);
  const bytes = data instanceof Uint8Array || data instanceof Uint8ClampedArray;
  const png = new PNG({ width, height });
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 4; c++) {
      const k = channels === 1 ? 0 : c;
      if (c === 3 && channels !== 4) {
        png.data[4 * p + 3] = 255;
        continue;
      }
      const v = data[p * channels + k];
      if (!bytes && !(v >= 0 && v <= 1)) throw new ValueError(`${owner}: image value [${p * channels + k}] is ${v}; float pixels must lie in [0, 1] (pass a Uint8Array for 0..255)`);
      png.data[4 * p + c] = bytes ? v : Math.round(v * 255);
    }
  }
  return PNG.sync.write(png, { colorType: PNG_COLOR_TYPE[channels] });
}

export class SummaryWriter {
  /** The event file's path. */
  readonly path: string;
  private fd: number | null;
  private queue: Uint8Array[] = [];

  constructor(readonly logdir: string, options: SummaryWriterOptions = {}) {
    checkOptions('SummaryWriter', options, { filenameSuffix: (owner, name, v) => {
      if (typeof v !== 'string' || v.includes('/')) throw new ValueError(`${owner}: ${name} must be a string without '/', got ${JSON.stringify(v)}`);
    } });
    if (typeof logdir !== 'string' || logdir === '') throw new ValueError(`SummaryWriter: logdir must be a non-empty path, got ${JSON.stringify(logdir)}`);
    mkdirSync(logdir, { recursive: true });
    const base = `events.out.tfevents.${Math.floor(Date.now() / 1000)}.${hostname()}${options.filenameSuffix ?? ''}`;
    // two writers started in the same second in one folder get different files, never one shared file
    let path = join(logdir, base);
    let fd: number | null = null;
    for (let n = 1; fd === null; n++) {
      try {
        fd = openSync(path, 'ax');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        path = join(logdir, `${base}.${n}`);
      }
    }
    this.fd = fd;
    this.path = path;
    this.queue.push(eventRecord({ wall_time: Date.now() / 1000, step: 0, file_version: FILE_VERSION }));
    this.flush();
  }

  private check(owner: string, tag: unknown, step: unknown): void {
    if (this.fd === null) throw new ValueError(`SummaryWriter.${owner}: the writer is closed (${this.path})`);
    checkTagAndStep(`SummaryWriter.${owner}`, tag, step);
  }

  private push(tag: string, step: number, value: { simple_value: number } | { histo: ReturnType<typeof histogram> } | { image: ImageMsg }): void {
    this.queue.push(eventRecord({ wall_time: Date.now() / 1000, step, summary: { value: [{ tag, ...value }] } }));
  }

  /** A scalar (NaN and ±Infinity are written as they are, as TensorBoard shows them). */
  addScalar(tag: string, value: number, step: number): void {
    this.check('addScalar', tag, step);
    if (typeof value !== 'number') throw new ValueError(`SummaryWriter.addScalar: value of '${tag}' must be a number, got ${typeof value}`);
    this.push(tag, step, { simple_value: value });
  }

  /** A histogram of `values` (30 equal-width buckets); a tensor is read back first. Every value must be finite. */
  async addHistogram(tag: string, values: ArrayLike<number> | Tensor, step: number): Promise<void> {
    this.check('addHistogram', tag, step);
    const host = 'data' in values && typeof values.data === 'function' ? await values.data() : (values as ArrayLike<number>);
    this.check('addHistogram', tag, step); // closed while reading back
    this.push(tag, step, { histo: histogram(tag, host) });
  }

  /** An image: PNG bytes as they are, or pixels (encoded to PNG). */
  addImage(tag: string, image: Uint8Array | ImagePixels, step: number): void {
    this.check('addImage', tag, step);
    const png = image instanceof Uint8Array ? image : encodePng(`SummaryWriter.addImage '${tag}'`, image);
    this.push(tag, step, { image: pngImage(`SummaryWriter.addImage '${tag}'`, png) });
  }

  /** Appends the queued records (whole, in one write) and fsyncs the file. */
  flush(): void {
    if (this.fd === null || this.queue.length === 0) return;
    const bytes = Buffer.concat(this.queue);
    this.queue = [];
    for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done, bytes.length - done);
    fsyncSync(this.fd);
  }

  /** Flushes and closes the file; later add* calls throw. Closing twice is allowed. */
  close(): void {
    if (this.fd === null) return;
    this.flush();
    closeSync(this.fd);
    this.fd = null;
  }
}
