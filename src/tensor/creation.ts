// Creating tensors: from nested arrays or flat typed data, constants, ranges, seeded random values.
import { Random, deriveSeed } from '../core/random.js';
import type { DType } from '../core/dtype.js';
import { DTypeError, ShapeError, ValueError } from '../core/errors.js';
import { checkNumber, checkOptionKeys } from '../core/options.js';
import { arange as arangeOp, full as fullOp } from '../ops/creation.js';
import { checkShape, numel, shapeStr } from '../core/shape.js';
import { checkFinite, fromHost, type Tensor } from './tensor.js';

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  /** Accept NaN and ±Infinity in float data (rejected by default: they are almost always a data bug). */
  allowNonFinite?: boolean;
}

type Nested = number | Nested[];

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** sg.tensor([[1, 2], [3, 4]]) or sg.tensor(flatData, shape). */
export function tensor(data: Nested | ArrayLike<number>, shapeArg?: number[], options: TensorOptions = {}): Tensor {
  checkOptionKeys('tensor', options, ['dtype', 'requiresGrad', 'allowNonFinite']);
  if (data === null || data === undefined || (typeof data !== 'number' && typeof data !== 'object')) {
    throw new ValueError(`tensor: data must be a number, a (nested) array of numbers or a typed array, got ${data === null ? 'null' : typeof data}`);
  }
  const dtype = options.dtype ?? (data instanceof Int32Array ? 'int32' : 'float32');
  if (dtype !== 'float32' && dtype !== 'int32') throw new DTypeError(`tensor: unsupported dtype '${dtype}' (float32 or int32)`);
  let flat: ArrayLike<number>;
  let shape: number[];
  if (typeof data === 'number') {
    flat = [data];
    shape = [];
  } else if (Array.isArray(data) && (data.length === 0 || Array.isArray(data[0]) || shapeArg === undefined)) {
    ({ flat, shape } = flattenNested(data as Nested[]));
  } else {
    flat = data as ArrayLike<number>;
    shape = shapeArg ?? [flat.length];
  }
  if (shapeArg) {
    checkShape('tensor', shapeArg);
    if (numel(shapeArg) !== flat.length) throw new ShapeError(`tensor: ${flat.length} values do not fill shape ${shapeStr(shapeArg)} (${numel(shapeArg)} elements)`);
    shape = shapeArg;
  }
  let typed: Float32Array | Int32Array;
  if (dtype === 'int32') {
    for (let i = 0; i < flat.length; i++)
      if (!Number.isInteger(flat[i]) || flat[i] < INT32_MIN || flat[i] > INT32_MAX)
        throw new DTypeError(`tensor: int32 data must be integers in [${INT32_MIN}, ${INT32_MAX}], got ${flat[i]} at flat index ${i}`);
    typed = flat instanceof Int32Array ? flat : Int32Array.from(flat);
  } else {
    if (!options.allowNonFinite) checkFinite('tensor', flat);
    typed = flat instanceof Float32Array ? flat : Float32Array.from(flat);
  }
  const t = fromHost(typed, shape, dtype);
  if (options.requiresGrad) t.requiresGrad = true;
  return t;
}

function flattenNested(data: Nested[]): { flat: number[]; shape: number[] } {
  const shape: number[] = [];
  for (let level: Nested = data; Array.isArray(level); level = level[0]) shape.push(level.length);
  const flat: number[] = [];
  const walk = (x: Nested, depth: number) => {
    if (depth === shape.length) {
      if (typeof x !== 'number') throw new ShapeError('tensor: nested arrays are ragged');
      flat.push(x);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[depth]) throw new ShapeError(`tensor: nested arrays are ragged at depth ${depth} (expected length ${shape[depth]})`);
    for (const v of x) walk(v, depth + 1);
  };
  walk(data, 0);
  return { flat, shape };
}

/** A constant tensor. Lazy: its value is written by the kernel that first needs it, no upload (the op table's `full`). */
export function full(shape: number[], value: number, options: TensorOptions = {}): Tensor {
  const t = fullOp(shape, value, options.dtype ?? 'float32');
  if (options.requiresGrad) t.requiresGrad = true;
  return t;
}

export const zeros = (shape: number[], options: TensorOptions = {}) => full(shape, 0, options);
export const ones = (shape: number[], options: TensorOptions = {}) => full(shape, 1, options);

/** [start, start + step, ...) below end, like torch.arange; computed on the GPU from coordinates (the op table's `arange`). */
export function arange(startOrEnd: number, end?: number, step = 1, options: TensorOptions = {}): Tensor {
  return arangeOp(startOrEnd, end, step, options.dtype);
}

// Without an explicit seed, random tensors draw successive streams of a global seed (sg.manualSeed).
let globalSeed = 0x5eed;
let streamCounter = 0;
export function manualSeed(seed: number): void {
  globalSeed = seed >>> 0;
  streamCounter = 0;
}
/** Where the global random stream stands (saved in checkpoints, so a resumed run draws the same numbers). */
export function getRandomState(): { seed: number; stream: number } {
  return { seed: globalSeed, stream: streamCounter };
}
export function setRandomState(state: { seed: number; stream: number }): void {
  globalSeed = state.seed >>> 0;
  streamCounter = state.stream;
}
function nextRandom(seed?: number): Random {
  return new Random(seed ?? deriveSeed(globalSeed, streamCounter++));
}

export interface RandomOptions extends TensorOptions {
  seed?: number;
}

/** Uniform [low, high) floats, seeded. */
export function rand(shape: number[], options: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  checkOptionKeys('rand', options, ['dtype', 'requiresGrad', 'seed', 'low', 'high']);
  checkShape('rand', shape);
  const lo = checkNumber('rand', 'low', options.low ?? 0);
  const hi = checkNumber('rand', 'high', options.high ?? 1, { min: lo });
  const r = nextRandom(options.seed);
  const data = new Float32Array(numel(shape));
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * r.next();
  return tensor(data, shape, { dtype: options.dtype, requiresGrad: options.requiresGrad });
}

/** Normal(mean, std) floats, seeded (Box–Muller). */
export function randn(shape: number[], options: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  checkOptionKeys('randn', options, ['dtype', 'requiresGrad', 'seed', 'mean', 'std']);
  checkShape('randn', shape);
  const mean = checkNumber('randn', 'mean', options.mean ?? 0);
  const std = checkNumber('randn', 'std', options.std ?? 1, { min: 0 });
  const r = nextRandom(options.seed);
  const data = new Float32Array(numel(shape));
  for (let i = 0; i < data.length; i += 2) {
    const u = 1 - r.next(); // (0, 1]: log(u) is finite
    const v = r.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    data[i] = mean + std * radius * Math.cos(2 * Math.PI * v);
    if (i + 1 < data.length) data[i + 1] = mean + std * radius * Math.sin(2 * Math.PI * v);
  }
  return tensor(data, shape, { dtype: options.dtype, requiresGrad: options.requiresGrad });
}
