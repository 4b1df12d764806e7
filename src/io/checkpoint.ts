// Checkpoints of a whole run in ONE safetensors file: the model's tensors ("model/<name>"), the
// optimizer's state buffers ("optimizer/<param>.<slot>"), and in the header's __metadata__ a JSON record
// of the rest (optimizer step and lr, scheduler position, global RNG stream, epoch/step, data-loader
// position, user extras). Browser-safe: bytes in, bytes out; src/node/files.ts writes them atomically.
import type { Batch, DataLoader } from '../data/dataloader.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { LRScheduler } from '../optim/schedulers.js';
import { FormatError } from '../core/errors.js';
import { getRandomState, setRandomState } from '../tensor/creation.js';
import { checkAgainst, fromHostTensors, parse, serialize, toHost, type HostTensor } from './safetensors.js';

export const CHECKPOINT_FORMAT = 'shadergrad.checkpoint/1';
const MODEL = 'model/';
const OPTIM = 'optimizer/';

/** What a checkpoint saves from, and restores into. */
export interface CheckpointTargets {
  model: Module;
  optimizer?: Optimizer;
  scheduler?: LRScheduler;
}

/** Where the run stands; restored as given. */
export interface RunPosition {
  /** Epochs completed, or the epoch in progress when `loader.batch` > 0. */
  epoch: number;
  /** Optimizer steps taken in the run. */
  step: number;
  /** The data loader's place: the next batch to draw is batch `batch` of epoch `epoch`. */
  loader?: { epoch: number; batch: number };
  /** Anything JSON the caller wants back (model name and size, CLI options, best accuracy, ...). */
  extra?: Record<string, unknown>;
}

interface Record_ extends RunPosition {
  format: string;
  rng: { seed: number; stream: number };
  optimizer?: { kind: string; step: number; lr: number };
  scheduler?: { kind: string; lastEpoch: number };
}

/** The bytes of a checkpoint (reads every tensor back from the GPU). */
export async function checkpointBytes(targets: CheckpointTargets, position: RunPosition): Promise<Uint8Array> {
  const tensors: Record<string, HostTensor> = {};
  for (const [name, t] of Object.entries(await toHost(targets.model.stateDict()))) tensors[MODEL + name] = t;
  const record: Record_ = { format: CHECKPOINT_FORMAT, ...position, rng: getRandomState() };
  if (targets.optimizer) {
    const sd = targets.optimizer.stateDict();
    for (const [name, t] of Object.entries(await toHost(sd.state))) tensors[OPTIM + name] = t;
    record.optimizer = { kind: targets.optimizer.constructor.name, step: sd.step, lr: sd.lr };
  }
  if (targets.scheduler) record.scheduler = { kind: targets.scheduler.constructor.name, lastEpoch: targets.scheduler.lastEpoch };
  return serialize(tensors, { format: CHECKPOINT_FORMAT, run: JSON.stringify(record) });
}

/** A parsed, validated checkpoint, not yet applied to anything. */
export interface ParsedCheckpoint extends RunPosition {
  model: Record<string, HostTensor>;
  optimizerState: Record<string, HostTensor>;
  record: Record_;
}

export function parseCheckpoint(bytes: ArrayBuffer | ArrayBufferView): ParsedCheckpoint {
  const { tensors, metadata } = parse(bytes);
  if (metadata.format !== CHECKPOINT_FORMAT)
    throw new FormatError(`checkpoint: not a shadergrad checkpoint (__metadata__.format is ${JSON.stringify(metadata.format)}, expected '${CHECKPOINT_FORMAT}')`);
  let record: Record_;
  try {
    record = JSON.parse(metadata.run);
  } catch {
    throw new FormatError('checkpoint: __metadata__.run is not valid JSON');
  }
  const int = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
  if (typeof record !== 'object' || record === null || !int(record.epoch) || !int(record.step) || !record.rng || !int(record.rng.seed) || !int(record.rng.stream))
    throw new FormatError('checkpoint: __metadata__.run lacks epoch, step or rng');
  if (record.loader && !(int(record.loader.epoch) && int(record.loader.batch))) throw new FormatError('checkpoint: loader position must be non-negative integers');
  const model: Record<string, HostTensor> = {};
  const optimizerState: Record<string, HostTensor> = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (name.startsWith(MODEL)) model[name.slice(MODEL.length)] = t;
    else if (name.startsWith(OPTIM)) optimizerState[name.slice(OPTIM.length)] = t;
    else throw new FormatError(`checkpoint: unexpected tensor '${name}' (neither model/ nor optimizer/)`);
  }
  return { epoch: record.epoch, step: record.step, loader: record.loader, extra: record.extra, model, optimizerState, record };
}

/**
 * Restores model, optimizer, scheduler and the global RNG stream from a checkpoint and returns where
 * the run stood. Everything is validated before anything is changed (FormatError naming the problem).
 */
export function restoreCheckpoint(bytes: ArrayBuffer | ArrayBufferView, targets: CheckpointTargets): RunPosition {
  const ck = parseCheckpoint(bytes);
  checkAgainst(ck.model, targets.model.stateDict(), 'the model');
  const { optimizer, scheduler } = targets;
  if (optimizer) {
    if (!ck.record.optimizer) throw new FormatError('checkpoint: holds no optimizer state');
    if (ck.record.optimizer.kind !== optimizer.constructor.name)
      throw new FormatError(`checkpoint: optimizer state is for ${ck.record.optimizer.kind}, the run uses ${optimizer.constructor.name}`);
  }
  if (scheduler && ck.record.scheduler?.kind !== scheduler.constructor.name)
    throw new FormatError(`checkpoint: scheduler state is for ${ck.record.scheduler?.kind ?? 'no scheduler'}, the run uses ${scheduler.constructor.name}`);

  targets.model.loadStateDict(fromHostTensors(ck.model));
  if (optimizer) {
    const { step, lr } = ck.record.optimizer!;
    try {
      optimizer.loadStateDict({ step, lr, state: fromHostTensors(ck.optimizerState) });
    } catch (e) {
      throw new FormatError(`checkpoint: optimizer state does not fit: ${(e as Error).message}`);
    }
  }
  if (scheduler) scheduler.lastEpoch = ck.record.scheduler!.lastEpoch;
  setRandomState(ck.record.rng);
  return { epoch: ck.epoch, step: ck.step, loader: ck.loader, extra: ck.extra };
}

/** The batches of a data loader from a saved position on: the rest of epoch `epoch`, from batch `batch`. */
export function* batchesFrom(loader: DataLoader, epoch: number, batch: number): Generator<Batch> {
  const order = loader.order(epoch);
  for (let b = batch; b < loader.length; b++)
    yield loader.dataset.getBatch(order.subarray(b * loader.batchSize, Math.min((b + 1) * loader.batchSize, order.length)));
}
