// The versions of one served model, as TensorFlow Serving keeps them: either one file (version 1), or a
// model directory whose numbered sub-folders are versions (DIR/1/, DIR/2/, ...; each holds one
// model.onnx or one .safetensors checkpoint from `train --checkpoint`). The directory is polled: a new
// number is loaded in the background and becomes the latest (what /v1/models/{name}:predict gets) once
// it has loaded; requests already queued on an older version finish there, and older versions stay
// loaded and addressable (/versions/{v}). A version serves only after its warm-up (one realization per
// padded batch size: on a CPU-emulated GPU the first run of a LeNet batch size compiles for seconds). A folder that fails to load (half-copied, say) is retried at the
// next poll and shown as an error in the model's status. Write a version into a temporary folder and
// rename it to its number, so the server never sees it half-written.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamicBatcher } from './batcher.js';
import { Predictor, type PredictorSource } from './predictor.js';
import { ValueError } from '../core/errors.js';

export interface ServedVersion {
  version: number;
  predictor: Predictor;
  batcher: DynamicBatcher;
}

export interface RepositoryOptions {
  name: string;
  /** One model file (served as version 1)... */
  source?: PredictorSource;
  /** ...or a directory of numbered versions. */
  modelDir?: string;
  /** How often modelDir is scanned for new versions. */
  pollMs: number;
  /** Builds the batcher of a freshly loaded version. */
  makeBatcher(predictor: Predictor, version: number): DynamicBatcher;
  /** Runs a freshly loaded version once per batch size it will see, before it serves (see DynamicBatcher). */
  warmUp(predictor: Predictor): Promise<void>;
  /** Told when a version is loaded, or fails to. */
  log(line: string): void;
}

/** The model file of a version folder: its one .onnx, else its one .safetensors; null when none or several. */
async function versionFile(dir: string): Promise<PredictorSource | string> {
  const files = (await readdir(dir, { withFileTypes: true })).filter((f) => f.isFile()).map((f) => f.name);
  const onnx = files.filter((f) => f.endsWith('.onnx'));
  const ckpt = files.filter((f) => f.endsWith('.safetensors'));
  if (onnx.length === 1) return { onnx: join(dir, onnx[0]) };
  if (onnx.length === 0 && ckpt.length === 1) return { checkpoint: join(dir, ckpt[0]) };
  return `${dir}: expected one model.onnx or one .safetensors checkpoint, found ${files.length ? files.join(', ') : 'no files'}`;
}

export class ModelRepository {
  readonly versions = new Map<number, ServedVersion>();
  /** Version folders that failed to load, and why (retried every poll). */
  readonly failed = new Map<number, string>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private polling: Promise<void> | null = null;

  private constructor(private readonly o: RepositoryOptions) {}

  get name(): string {
    return this.o.name;
  }

  /** Loads what is there now (at least one version, or throws), then polls modelDir if one is given. */
  static async open(o: RepositoryOptions): Promise<ModelRepository> {
    const repo = new ModelRepository(o);
    if (o.source) await repo.add(1, o.source);
    else {
      await repo.poll();
      if (repo.versions.size === 0)
        throw new ValueError(`--model-dir ${o.modelDir}: no loadable version (numbered folders 1/, 2/, ... each with a model.onnx or a .safetensors checkpoint)${repo.failed.size ? `: ${[...repo.failed.values()].join('; ')}` : ''}`);
      repo.timer = setInterval(() => void repo.poll(), o.pollMs);
      repo.timer.unref();
    }
    return repo;
  }

  /** The highest loaded version. */
  get latest(): ServedVersion {
    return this.versions.get(Math.max(...this.versions.keys()))!;
  }

  /** The version asked for (the latest when none), or undefined when it is not loaded. */
  resolve(version?: number): ServedVersion | undefined {
    return version === undefined ? this.latest : this.versions.get(version);
  }

  /** Scans modelDir once and loads every numbered folder not loaded yet (one poll at a time). */
  poll(): Promise<void> {
    this.polling ??= this.scan().finally(() => (this.polling = null));
    return this.polling;
  }

  private async scan(): Promise<void> {
    const dir = this.o.modelDir!;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      this.o.log(`--model-dir ${dir}: ${(e as Error).message}`);
      return;
    }
    const numbers = entries.filter((e) => e.isDirectory() && /^[1-9][0-9]*$/.test(e.name)).map((e) => Number(e.name)).sort((a, b) => a - b);
    for (const v of numbers) {
      if (this.versions.has(v)) continue;
      const source = await versionFile(join(dir, String(v))).catch((e: Error) => e.message);
      if (typeof source === 'string') this.fail(v, source);
      else await this.add(v, source).catch((e: Error) => this.fail(v, e.message));
    }
  }

  private fail(version: number, why: string): void {
    if (this.failed.get(version) !== why) this.o.log(`${this.name} version ${version} not loaded: ${why}`);
    this.failed.set(version, why);
  }

  private async add(version: number, source: PredictorSource): Promise<void> {
    const predictor = await Predictor.load(source);
    await this.o.warmUp(predictor);
    this.versions.set(version, { version, predictor, batcher: this.o.makeBatcher(predictor, version) });
    this.failed.delete(version);
    this.o.log(`${this.name} version ${version} loaded: ${predictor.kind} from ${predictor.file}`);
  }

  /** Stops polling and waits until every version's queue is empty. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.polling;
    await Promise.all([...this.versions.values()].map((v) => v.batcher.idle()));
  }
}
