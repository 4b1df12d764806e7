// Checkpoints of a whole run in ONE safetensors file: the model's state dict ("model/<key>", PyTorch's
// keys), its non-persistent buffers ("runstate/<path>": Dropout's stream positions), the
// optimizer's state buffers ("optimizer/<param>.<slot>"), and in the header's __metadata__ a JSON record
// of the rest (optimizer step and lr, scheduler position, global RNG stream, epoch/step, data-loader
// position, user extras). Browser-safe: bytes in, bytes out; src/node/files.ts writes them atomically.
import type { Batch, DataLoader } from '../data/dataloader.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { LRScheduler } from '../optim/schedulers.js';
import { FormatError, ValueError } from '../core/errors.js';
import { getRandomState, setRandomState } from '../tensor/creation.js';
import { checkNumber, checkOptions, NON_NEGATIVE_INT, OBJECT, withMethods } from '../core/options.js';
import { checkAgainst, fromHostTensors, parse, serialize, toHost, type HostTensor } from './safetensors.js';

export const CHECKPOINT_FORMAT = 'shadergrad.checkpoint/1';
const MODEL = 'model/';
const OPTIM = 'optimizer/';
const RUN_STATE = 'runstate/';

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

/** The targets object: a model (required), optimizer and scheduler, each with the methods a checkpoint uses. */
export function checkTargets(owner: string, targets: CheckpointTargets): void {
  checkOptions(owner, targets, { model: withMethods('stateDict', 'loadStateDict', 'runState', 'loadRunState'), optimizer: withMethods('stateDict', 'loadStateDict'), scheduler: withMethods('step') });
  if (targets?.model === undefined) throw new ValueError(`${owner}: targets.model is required`);
}

/** The run position: epoch and step (required) non-negative integers, loader { epoch, batch } likewise, extra an object. */
function checkPosition(owner: string, position: RunPosition): void {
  checkOptions(owner, position, { epoch: NON_NEGATIVE_INT, step: NON_NEGATIVE_INT, loader: OBJECT, extra: OBJECT });
  for (const key of ['epoch', 'step'] as const) checkNumber(owner, key, position?.[key], NON_NEGATIVE_INT);
  if (position.loader) {
    checkOptions(`${owner}: loader`, position.loader, { epoch: 'any', batch: 'any' });
    for (const key of ['epoch', 'batch'] as const) checkNumber(owner, `loader.${key}`, position.loader[key], NON_NEGATIVE_INT);
  }
}

/** The bytes of a checkpoint (reads every tensor back from the GPU). */
export async function checkpointBytes(targets: CheckpointTargets, position: RunPosition): Promise<Uint8Array> {
  checkTargets('checkpointBytes', targets);
  checkPosition('checkpointBytes', position);
  const tensors: Record<string, HostTensor> = {};
  const int8 = new Set(targets.model.int8StateKeys());
  for (const [name, t] of Object.entries(await toHost(targets.model.stateDict()))) tensors[MODEL + name] = int8.has(name) ? { ...t, fileDtype: 'I8' } : t;
  for (const [name, t] of Object.entries(await toHost(targets.model.runState()))) tensors[RUN_STATE + name] = t;
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
  /** The model's non-persistent buffers (Module.runState()). */
  runState: Record<string, HostTensor>;
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
  checkRecord(record);
  const model: Record<string, HostTensor> = Object.create(null);
  const optimizerState: Record<string, HostTensor> = Object.create(null);
  const runState: Record<string, HostTensor> = Object.create(null);
  for (const [name, t] of Object.entries(tensors)) {
    if (name.startsWith(MODEL)) model[name.slice(MODEL.length)] = t;
    else if (name.startsWith(RUN_STATE)) runState[name.slice(RUN_STATE.length)] = t;
    else if (name.startsWith(OPTIM)) optimizerState[name.slice(OPTIM.length)] = t;
    else throw new FormatError(`checkpoint: unexpected tensor '${name}' (not under model/, runstate/ or optimizer/)`);
  }
  if (!record.optimizer && Object.keys(optimizerState).length) throw new FormatError('checkpoint: has optimizer/ tensors but no optimizer record');
  return { epoch: record.epoch, step: record.step, loader: record.loader, extra: record.extra, model, runState, optimizerState, record };
}

/** FormatError naming the first field of the run record that is missing or out of range. */
function checkRecord(record: Record_): void {
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  const count = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
  const need = (ok: boolean, field: string, rule: string, value: unknown) => {
    if (!ok) throw new FormatError(`checkpoint: ${field} must be ${rule}, got ${JSON.stringify(value) ?? String(value)}`);
  };
  need(isObj(record), '__metadata__.run', 'a JSON object', record);
  need(count(record.epoch), 'epoch', 'a non-negative integer', record.epoch);
  need(count(record.step), 'step', 'a non-negative integer', record.step);
  need(isObj(record.rng), 'rng', 'an object {seed, stream}', record.rng);
  need(Number.isSafeInteger(record.rng.seed) && record.rng.seed >= 0 && record.rng.seed < 2 ** 32, 'rng.seed', 'a 32-bit unsigned integer', record.rng.seed);
  need(count(record.rng.stream), 'rng.stream', 'a non-negative integer', record.rng.stream);
  if (record.loader !== undefined) {
    need(isObj(record.loader), 'loader', 'an object {epoch, batch}', record.loader);
    need(count(record.loader.epoch), 'loader.epoch', 'a non-negative integer', record.loader.epoch);
    need(count(record.loader.batch), 'loader.batch', 'a non-negative integer', record.loader.batch);
  }
  if (record.extra !== undefined) need(isObj(record.extra), 'extra', 'an object', record.extra);
  if (record.optimizer !== undefined) {
    const o = record.optimizer;
    need(isObj(o), 'optimizer', 'an object {kind, step, lr}', o);
    need(typeof o.kind === 'string', 'optimizer.kind', 'a string', o.kind);
    need(count(o.step), 'optimizer.step', 'a non-negative integer', o.step);
    need(typeof o.lr === 'number' && Number.isFinite(o.lr) && o.lr >= 0, 'optimizer.lr', 'a finite number >= 0', o.lr);
  }
  if (record.scheduler !== undefined) {
    const sch = record.scheduler;
    need(isObj(sch), 'scheduler', 'an object {kind, lastEpoch}', sch);
    need(typeof sch.kind === 'string', 'scheduler.kind', 'a string', sch.kind);
    need(count(sch.lastEpoch), 'scheduler.lastEpoch', 'a non-negative integer', sch.lastEpoch);
  }
}

/**
 * FormatError unless `state` is a complete optimizer state for `optimizer`: names `<param>.<slot>` for
 * parameters that exist, every slot of a parameter present once it has any, float32, the parameter's shape.
 * (A parameter with no state at all is valid: it never had a gradient.)
 */
function checkOptimizerState(state: Record<string, HostTensor>, optimizer: Optimizer): void {
  const slots = optimizer.slotsPerParameter;
  const seen = new Map<number, Set<number>>();
  for (const [key, t] of Object.entries(state)) {
    const m = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/.exec(key);
    const [i, slot] = m ? [Number(m[1]), Number(m[2])] : [-1, -1];
    const p = optimizer.params[i];
    if (!p || slot >= slots)
      throw new FormatError(`checkpoint: unexpected optimizer state 'optimizer/${key}' (${optimizer.params.length} parameters with ${slots} slot(s) each, named '<param>.<slot>')`);
    if (t.dtype !== 'float32' || t.shape.length !== p.shape.length || t.shape.some((d, k) => d !== p.shape[k]))
      throw new FormatError(`checkpoint: optimizer state 'optimizer/${key}' is ${t.dtype} [${t.shape}], its parameter float32 [${p.shape}]`);
    if (!seen.has(i)) seen.set(i, new Set());
    seen.get(i)!.add(slot);
  }
  for (const [i, have] of seen)
    if (have.size !== slots) {
      const missing = Array.from({ length: slots }, (_, k) => k).filter((k) => !have.has(k));
      throw new FormatError(`checkpoint: optimizer state of parameter ${i} is incomplete: missing slot(s) ${missing.map((k) => `'optimizer/${i}.${k}'`).join(', ')}`);
    }
}

/**
 * Restores model, optimizer, scheduler and the global RNG stream from a checkpoint and returns where
 * the run stood. Everything is validated before anything is changed (FormatError naming the problem):
 * a refused checkpoint leaves model, optimizer, scheduler and RNG as they were.
 */
export function restoreCheckpoint(bytes: ArrayBuffer | ArrayBufferView, targets: CheckpointTargets): RunPosition {
  checkTargets('restoreCheckpoint', targets);
  const ck = parseCheckpoint(bytes);
  checkAgainst(ck.model, targets.model.stateDict(), 'the model');
  checkAgainst(ck.runState, targets.model.runState(), "the model's run state (runstate/)");
  const { optimizer, scheduler } = targets;
  if (optimizer) {
    if (!ck.record.optimizer) throw new FormatError('checkpoint: holds no optimizer state');
    if (ck.record.optimizer.kind !== optimizer.constructor.name)
      throw new FormatError(`checkpoint: optimizer state is for ${ck.record.optimizer.kind}, the run uses ${optimizer.constructor.name}`);
    checkOptimizerState(ck.optimizerState, optimizer);
  }
  if (scheduler && ck.record.scheduler?.kind !== scheduler.constructor.name)
    throw new FormatError(`checkpoint: scheduler state is for ${ck.record.scheduler?.kind ?? 'no scheduler'}, the run uses ${scheduler.constructor.name}`);

  // validated: from here on nothing is refused
  targets.model.loadStateDict(fromHostTensors(ck.model));
  targets.model.loadRunState(fromHostTensors(ck.runState));
  if (optimizer) {
    const { step, lr } = ck.record.optimizer!;
    optimizer.loadStateDict({ step, lr, state: fromHostTensors(ck.optimizerState) });
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
