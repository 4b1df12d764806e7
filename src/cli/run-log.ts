// `train --logdir DIR`: the run's TensorBoard event file (src/node/summary-writer.ts) and DIR/run.json,
// its record: configuration, git revision, start and end times, each epoch's numbers and the final
// metrics. run.json is rewritten atomically after every epoch (status "running"), and at the end
// ("finished", or "failed" with the error), so a crashed run still says how far it got.
import { mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValueError } from '../core/errors.js';
import { imageGrid } from '../io/image-grid.js';
import type { Module } from '../nn/module.js';
import { writeFileAtomic } from '../node/files.js';
import { gitRevision, type GitRevision } from '../node/git-revision.js';
import { SummaryWriter } from '../node/summary-writer.js';
import type { Tensor } from '../tensor/tensor.js';

export const RUN_FILE = 'run.json';

export interface EpochRecord {
  epoch: number;
  /** Optimizer steps at the end of the epoch (counted over the whole run, resumed runs included). */
  step: number;
  [metric: string]: number;
}

export interface RunRecord {
  name: string;
  command: 'train';
  model: string;
  config: Record<string, unknown>;
  /** The shadergrad checkout that ran it; null outside a git checkout. */
  git: GitRevision | null;
  /** ISO 8601 times. */
  started: string;
  ended: string | null;
  status: 'running' | 'finished' | 'failed';
  error?: string;
  /** Optimizer steps done. */
  steps: number;
  epochs: EpochRecord[];
  /** The final metrics (as `train --json` prints them); empty until the run ends. */
  metrics: Record<string, number | null>;
  /** The event file's name, in the same folder. */
  event_file: string;
}

/** Throws a ValueError unless `logdir` can hold a new run: not a file, no run.json in it yet. */
export async function checkNewLogdir(logdir: string): Promise<void> {
  const s = await stat(logdir).catch(() => null);
  if (s && !s.isDirectory()) throw new ValueError(`--logdir ${logdir}: is a file, not a folder`);
  if (await stat(join(logdir, RUN_FILE)).catch(() => null))
    throw new ValueError(`--logdir ${logdir}: already holds a run (${RUN_FILE}); give each run its own folder, e.g. --logdir ${join(dirname(logdir), `${basename(logdir)}-2`)}`);
}

/** The gradients backward() left on the parameters, to realize with the step that made them (trainLoop's alsoRealize) and log. */
export const gradients = (model: Module): Tensor[] => model.parameters().flatMap((p) => (p.grad ? [p.grad] : []));

export class RunLog {
  private constructor(readonly dir: string, readonly writer: SummaryWriter, private readonly record: RunRecord) {}

  /** Creates the folder, the event file and run.json (status "running"). */
  static async start(dir: string, run: { model: string; config: Record<string, unknown> }): Promise<RunLog> {
    await checkNewLogdir(dir);
    await mkdir(dir, { recursive: true });
    const writer = new SummaryWriter(dir);
    const record: RunRecord = {
      name: basename(dir), command: 'train', model: run.model, config: run.config,
      git: await gitRevision(dirname(fileURLToPath(import.meta.url))),
      started: new Date().toISOString(), ended: null, status: 'running', steps: 0, epochs: [], metrics: {}, event_file: basename(writer.path),
    };
    const log = new RunLog(dir, writer, record);
    await log.save();
    return log;
  }

  private save(): Promise<void> {
    return writeFileAtomic(join(this.dir, RUN_FILE), new TextEncoder().encode(`${JSON.stringify(this.record, null, 2)}\n`));
  }

  /** The images `which` (up to 64 of them) of `images` [count, height·width] as one grid image, logged at step 0. */
  inputGrid(tag: string, images: Float32Array, which: ArrayLike<number>, [height, width]: [number, number]): void {
    const size = height * width;
    const count = Math.min(64, which.length);
    const picked = new Float32Array(count * size);
    for (let i = 0; i < count; i++) picked.set(images.subarray(which[i] * size, (which[i] + 1) * size), i * size);
    this.writer.addImage(tag, imageGrid(picked, [count, height, width]), 0);
  }

  /**
   * Histograms of every parameter (`param/NAME`) and of its gradient (`grad/NAME`, when it has one: the
   * caller realized it with the step, see trainLoop's alsoRealize). Values that are not all finite (a
   * diverged run under --continue-on-nan) cannot make a histogram: that one is left out, with a note.
   */
  async parameters(model: Module, step: number): Promise<void> {
    const histogram = async (tag: string, t: Tensor) => {
      const values = await t.data();
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) console.error(`shadergrad: histogram ${tag} at step ${step} not logged: value ${bad} is ${values[bad]}`);
      else await this.writer.addHistogram(tag, values, step);
    };
    for (const [name, p] of model.namedParameters()) {
      await histogram(`param/${name}`, p);
      if (p.grad) await histogram(`grad/${name}`, p.grad);
    }
  }

  /** Records an epoch in run.json and flushes the event file: everything of the epoch is on disk. */
  async endEpoch(entry: EpochRecord): Promise<void> {
    this.writer.flush();
    this.record.epochs.push(entry);
    this.record.steps = entry.step;
    await this.save();
  }

  /** Drops the epochs after `epoch` (a device loss resumed the run from an earlier checkpoint). */
  async rewindTo(epoch: number): Promise<void> {
    this.record.epochs = this.record.epochs.filter((e) => e.epoch <= epoch);
    await this.save();
  }

  /** The run ended: final metrics, end time; closes the event file. */
  async finish(metrics: Record<string, number | null>): Promise<void> {
    this.writer.close();
    Object.assign(this.record, { status: 'finished', ended: new Date().toISOString(), metrics });
    await this.save();
  }

  /** The run failed: the error's message, end time; closes the event file. */
  async fail(error: unknown): Promise<void> {
    this.writer.close();
    Object.assign(this.record, { status: 'failed', ended: new Date().toISOString(), error: error instanceof Error ? error.message : String(error) });
    await this.save();
  }
}
