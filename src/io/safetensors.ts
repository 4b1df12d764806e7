// safetensors (https://github.com/huggingface/safetensors), browser-safe: bytes in, bytes out.
// Layout: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
//   { "name": { "dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end] }, ..., "__metadata__": { "k": "v" } }
// (padded with spaces to a multiple of 8), then the tensors' bytes, little-endian, contiguous, offsets
// relative to the end of the header. Parsing trusts nothing: every length, offset and shape is checked
// against the bytes actually there before anything is allocated, and every problem is a FormatError.
import type { DType } from '../core/dtype.js';
import { FormatError } from '../core/errors.js';
import { fromHost, type Tensor } from '../tensor/tensor.js';
import { checkOptions, OBJECT, withMethods } from '../core/options.js';

/** A tensor's values on the host. */
export interface HostTensor {
  dtype: DType;
  shape: number[];
  data: Float32Array | Int32Array;
  /** 'I8': int32 values in [−128, 127] stored one byte each (quantized weights); read back as int32 with this mark. */
  fileDtype?: 'I8';
}

export type StateDict = Record<string, Tensor>;
export type Metadata = Record<string, string>;

/** The header of a safetensors file is refused above this size (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

const FILE_DTYPE: Record<DType, string> = { float32: 'F32', int32: 'I32' };
// I64 is read into int32 (PyTorch's safetensors writes BatchNorm's num_batches_tracked as I64); a value
// outside int32's range is refused, never wrapped
const FROM_FILE: Record<string, DType> = { F32: 'float32', I32: 'int32', I64: 'int32', I8: 'int32' };
/** Every dtype the format knows (the crate's Dtype), so that a refusal can say what the file holds. */
const KNOWN_DTYPES = new Set(['BOOL', 'F4', 'F6_E2M3', 'F6_E3M2', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'F8_E8M0', 'F8_E4M3FNUZ', 'F8_E5M2FNUZ', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'C64', 'F64', 'I64', 'U64']);
const ITEM_BYTES: Record<string, number> = { F32: 4, I32: 4, I64: 8, I8: 1 };

// Typed arrays are read and written as raw bytes: the format is little-endian, so is every WebGPU host we run on.
const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Serialises host tensors (sorted by name) and optional string metadata into one safetensors file. */
export function serialize(tensors: Record<string, HostTensor>, metadata?: Metadata): Uint8Array {
  if (!littleEndian) throw new FormatError('safetensors: big-endian hosts are not supported');
  const names = Object.keys(tensors).sort();
  // null-prototype, so that a tensor or metadata key named __proto__ is written like any other
  const header: Record<string, unknown> = Object.create(null);
  if (metadata && Object.keys(metadata).length) {
    const meta: Metadata = Object.create(null);
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new FormatError(`safetensors: metadata '${k}' must be a string, got ${typeof v}`);
      meta[k] = v;
    }
    header.__metadata__ = meta;
  }
  let offset = 0;
  for (const name of names) {
    if (name === '__metadata__') throw new FormatError("safetensors: '__metadata__' is reserved and cannot name a tensor");
    const t = tensors[name];
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw new FormatError(`safetensors: tensor '${name}' shape must be non-negative integers, got [${t.shape}]`);
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== n) throw new FormatError(`safetensors: tensor '${name}' has ${t.data.length} values for shape [${t.shape}]`);
    const bytes = fileBytes(name, t).byteLength;
    header[name] = { dtype: t.fileDtype ?? FILE_DTYPE[t.dtype], shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, padded, true);
  view.setUint32(4, Math.floor(padded / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  json = new Uint8Array(0);
  let at = 8 + padded;
  for (const name of names) {
    const d = fileBytes(name, tensors[name]);
    out.set(d, at);
    at += d.byteLength;
  }
  return out;
}

/** A tensor's bytes as the file holds them: I8 narrowed (every value checked first), else the array's own. */
function fileBytes(name: string, t: HostTensor): Uint8Array {
  if (t.fileDtype === undefined) return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  if (t.fileDtype !== 'I8' || t.dtype !== 'int32') throw new FormatError(`safetensors: tensor '${name}' cannot be stored as ${t.fileDtype} (only int32 values as I8)`);
  const bad = t.data.findIndex((v) => v < -128 || v > 127 || !Number.isInteger(v));
  if (bad >= 0) throw new FormatError(`safetensors: tensor '${name}' holds ${t.data[bad]} at index ${bad}, outside I8's range [-128, 127]`);
  return new Uint8Array(Int8Array.from(t.data).buffer);
}

/**
 * Why a file was refused: the reference crate's SafeTensorError variant where one matches, so counts
 * line up with what `safetensors.safe_open` would say; the rest are checks the crate leaves to serde
 * (JSON shape and types) or that shadergrad adds (duplicate keys, unknown fields, dtypes it cannot hold).
 */
export type SafetensorsReason =
  | 'NotBytes'
  | 'HeaderTooSmall' // fewer than 8 bytes
  | 'HeaderTooLarge' // header length over MAX_HEADER_BYTES
  | 'InvalidHeaderLength' // header runs past the end of the file
  | 'InvalidHeader' // not UTF-8
  | 'InvalidHeaderDeserialization' // not JSON, or JSON of the wrong shape
  | 'DuplicateKey' // a key twice in one object (JSON.parse and serde keep the last one silently)
  | 'InvalidMetadata' // __metadata__ not a string→string object
  | 'InvalidTensorInfo' // an entry that is not exactly {dtype, shape, data_offsets} of the right types
  | 'UnsupportedDtype' // a safetensors dtype shadergrad has no storage for, or no dtype at all
  | 'InvalidOffset' // offsets reversed, overlapping, or leaving a gap
  | 'TensorInvalidInfo' // byte length ≠ numel × dtype size
  | 'ValidationOverflow' // numel × dtype size beyond 2^64
  | 'MetadataIncompleteBuffer'; // tensors do not end exactly at the end of the file

/** A malformed safetensors file; `reason` classifies it (see SafetensorsReason). */
export class SafetensorsFormatError extends FormatError {
  constructor(
    readonly reason: SafetensorsReason,
    message: string,
  ) {
    super(`safetensors: ${message}`);
  }
}
function fail(reason: SafetensorsReason, message: string): never {
  throw new SafetensorsFormatError(reason, message);
}

/** Parses and validates a safetensors file; the tensors' data are copies (the input may be dropped). */
export function parse(input: ArrayBuffer | ArrayBufferView): { tensors: Record<string, HostTensor>; metadata: Metadata } {
  const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : ArrayBuffer.isView(input) ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : null;
  if (!bytes) return fail('NotBytes', `expected an ArrayBuffer or a typed array, got ${describe(input)}`);
  if (bytes.length < 8) fail('HeaderTooSmall', `file of ${bytes.length} bytes is too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLen > MAX_HEADER_BYTES) fail('HeaderTooLarge', `header length ${headerLen} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (headerLen > bytes.length - 8) fail('InvalidHeaderLength', `header length ${headerLen} runs past the end of the file (${bytes.length} bytes): truncated?`);
  if (headerLen < 2) fail('InvalidHeaderLength', `header length ${headerLen} is too short for a JSON object`);

  let text = '';
  try {
    // ignoreBOM keeps a byte-order mark in the text, where the JSON reader refuses it (as serde_json does)
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    fail('InvalidHeader', 'header is not valid UTF-8');
  }
  const header = readJson(text);
  if (!isObject(header)) return fail('InvalidHeaderDeserialization', `header must be a JSON object, got ${describe(header)}`);

  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const metadata: Metadata = Object.create(null);
  const entries: { name: string; dtype: DType; wide: boolean; narrow: boolean; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (raw === null) continue; // the crate reads `null` as "no metadata"
      if (!isObject(raw)) fail('InvalidMetadata', `__metadata__ must be an object of strings, got ${describe(raw)}`);
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v !== 'string') fail('InvalidMetadata', `__metadata__ '${k}' must be a string, got ${describe(v)}`);
        metadata[k] = v as string;
      }
      continue;
    }
    const where = `tensor '${name}'`;
    if (!isObject(raw)) return fail('InvalidTensorInfo', `${where} must be an object with dtype, shape and data_offsets, got ${describe(raw)}`);
    const extra = Object.keys(raw).filter((k) => k !== 'dtype' && k !== 'shape' && k !== 'data_offsets');
    if (extra.length) fail('InvalidTensorInfo', `${where} has unknown field(s) ${extra.join(', ')}`);
    const { dtype, shape, data_offsets: offsets } = raw;
    if (typeof dtype !== 'string') return fail('InvalidTensorInfo', `${where} has no dtype string (got ${describe(dtype)})`);
    if (!KNOWN_DTYPES.has(dtype)) fail('InvalidTensorInfo', `${where} has dtype ${JSON.stringify(dtype)}, which is not a safetensors dtype`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      fail('InvalidTensorInfo', `${where} shape must be an array of non-negative integers, got ${describe(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0))
      fail('InvalidTensorInfo', `${where} data_offsets must be [begin, end] non-negative integers, got ${describe(offsets)}`);
    const ours = Object.hasOwn(FROM_FILE, dtype) ? FROM_FILE[dtype] : undefined;
    if (!ours) return fail('UnsupportedDtype', `${where} has dtype ${JSON.stringify(dtype)}, which shadergrad does not support (supported: F32, I32, and I64 and I8 read as int32)`);
    const [begin, end] = offsets as number[];
    if (begin > end) fail('InvalidOffset', `${where} data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLen) fail('MetadataIncompleteBuffer', `${where} data_offsets [${begin}, ${end}] run past the data section (${dataLen} bytes): truncated?`);
    // exact: numel × size in BigInt, so a huge shape cannot wrap around into a plausible size
    const needed = (shape as number[]).reduce((n, d) => n * BigInt(d), BigInt(ITEM_BYTES[dtype]));
    if (needed >= 2n ** 64n) fail('ValidationOverflow', `${where} of dtype ${dtype} and shape [${shape}] needs more than 2^64 (${needed}) bytes, its data_offsets [${begin}, ${end}] hold ${end - begin}`);
    if (needed !== BigInt(end - begin))
      fail('TensorInvalidInfo', `${where} of dtype ${dtype} and shape [${shape}] needs ${needed} bytes, its data_offsets [${begin}, ${end}] hold ${end - begin}`);
    entries.push({ name, dtype: ours, wide: dtype === 'I64', narrow: dtype === 'I8', shape: shape as number[], begin, end });
  }

  // the tensors must tile the data section exactly: no overlaps, no gaps, nothing after the last
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of entries) {
    if (e.begin < expected) fail('InvalidOffset', `tensor '${e.name}' data_offsets [${e.begin}, ${e.end}] overlap the previous tensor (which ends at ${expected})`);
    if (e.begin > expected) fail('InvalidOffset', `gap of ${e.begin - expected} bytes before tensor '${e.name}' (data_offsets [${e.begin}, ${e.end}])`);
    expected = e.end;
  }
  if (expected !== dataLen) fail('MetadataIncompleteBuffer', `${dataLen - expected} bytes after the last tensor (data section ${dataLen} bytes, tensors end at ${expected})`);
  if (!littleEndian) throw new FormatError('safetensors: big-endian hosts are not supported');

  // null-prototype: a tensor named __proto__, constructor or toString is an ordinary key here
  const tensors: Record<string, HostTensor> = Object.create(null);
  for (const e of entries) {
    const copy = bytes.slice(dataStart + e.begin, dataStart + e.end).buffer; // aligned copy
    if (e.narrow) {
      tensors[e.name] = { dtype: 'int32', shape: e.shape, data: Int32Array.from(new Int8Array(copy)), fileDtype: 'I8' };
      continue;
    }
    const data = e.wide ? narrowI64(new BigInt64Array(copy), e.name) : e.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    tensors[e.name] = { dtype: e.dtype, shape: e.shape, data };
  }
  return { tensors, metadata };
}

/** An I64 tensor's values as int32, refused (before anything is returned) if one does not fit. */
function narrowI64(wide: BigInt64Array, name: string): Int32Array {
  const out = new Int32Array(wide.length);
  for (let i = 0; i < wide.length; i++) {
    const v = wide[i];
    if (v < -2147483648n || v > 2147483647n) throw new FormatError(`safetensors: tensor '${name}' (I64) holds ${v} at index ${i}, outside int32's range (shadergrad reads I64 as int32)`);
    out[i] = Number(v);
  }
  return out;
}

// ---- a strict JSON reader ---------------------------------------------------------------------------
// JSON.parse keeps the last of two equal keys and turns "__proto__" into a prototype hazard; serde_json
// (the crate's reader) refuses what RFC 8259 refuses. This reader does both jobs: RFC 8259 exactly (no
// BOM, no control characters in strings, no lone surrogates, whitespace only around values), objects
// as null-prototype records, a FormatError naming the key path for a duplicate, and nesting bounded by
// serde_json's recursion limit (128) so a hostile header cannot overflow the stack.

/** A number written with a fraction or an exponent ("1.0", "1e3"), which no size or offset may be. */
class JsonFloat {
  constructor(readonly text: string) {}
}
const MAX_DEPTH = 128;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function readJson(text: string): unknown {
  let at = 0;
  const bad = (what: string): never => fail('InvalidHeaderDeserialization', `header is not valid JSON (${what} at character ${at})`);
  const ws = () => {
    for (let c = text.charCodeAt(at); c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d; c = text.charCodeAt(++at));
  };
  const path = (keys: string[]) => keys.map((k) => JSON.stringify(k)).join(' → ');
  const str = (): string => {
    const begin = at++; // the opening quote
    for (;;) {
      const c = text.charCodeAt(at);
      if (at >= text.length) bad('unterminated string');
      if (c === 0x22) break;
      if (c < 0x20) bad('control character in a string');
      if (c === 0x5c) {
        const e = text[at + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) bad('bad \\u escape');
          at += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) at += 2;
        else bad('bad escape');
      } else at++;
    }
    const s = JSON.parse(text.slice(begin, ++at)) as string;
    if (LONE_SURROGATE.test(s)) bad('lone surrogate in a string');
    return s;
  };
  const value = (keys: string[]): unknown => {
    if (keys.length > MAX_DEPTH) bad(`nesting deeper than ${MAX_DEPTH}`);
    ws();
    const c = text[at];
    if (c === '{') {
      at++;
      const obj: Record<string, unknown> = Object.create(null);
      ws();
      if (text[at] === '}') return at++, obj;
      for (;;) {
        ws();
        if (text[at] !== '"') bad('expected a key');
        const key = str();
        if (key in obj) fail('DuplicateKey', `duplicate key ${path([...keys, key])} in the header`);
        ws();
        if (text[at++] !== ':') bad("expected ':'");
        obj[key] = value([...keys, key]);
        ws();
        if (text[at] === ',') at++;
        else if (text[at] === '}') return at++, obj;
        else bad("expected ',' or '}'");
      }
    }
    if (c === '[') {
      at++;
      const arr: unknown[] = [];
      ws();
      if (text[at] === ']') return at++, arr;
      for (;;) {
        arr.push(value([...keys, String(arr.length)]));
        ws();
        if (text[at] === ',') at++;
        else if (text[at] === ']') return at++, arr;
        else bad("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    const m = /^-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(at, at + 400));
    if (m) {
      at += m[0].length;
      return m[1] || m[2] || m[0] === '-0' ? new JsonFloat(m[0]) : Number(m[0]);
    }
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) if (text.startsWith(word, at)) return (at += word.length), v;
    return bad(at >= text.length ? 'unexpected end' : `unexpected ${JSON.stringify(text[at])}`);
  };
  const v = value([]);
  ws();
  if (at !== text.length) bad('trailing characters after the header object (padding must be spaces)');
  return v;
}

/** Reads every tensor of a state dict back to the host (one readback each). */
export async function toHost(state: StateDict): Promise<Record<string, HostTensor>> {
  const out: Record<string, HostTensor> = Object.create(null);
  for (const [name, t] of Object.entries(state)) {
    if (!t || typeof t.data !== 'function') throw new FormatError(`save: '${name}' is not a Tensor (got ${describe(t)})`);
    out[name] = { dtype: t.dtype, shape: [...t.shape], data: await t.data() };
  }
  return out;
}

/** Host tensors to GPU tensors, in a null-prototype record (so `'toString' in state` means a tensor of that name). */
export function fromHostTensors(tensors: Record<string, HostTensor>): StateDict {
  const out: StateDict = Object.create(null);
  for (const [name, t] of Object.entries(tensors)) out[name] = fromHost(t.data, t.shape, t.dtype);
  return out;
}

export interface SaveOptions {
  /** String key/values stored in the header's __metadata__. */
  metadata?: Metadata;
}

/** save()'s options (here and in the Node entry): only `metadata`, an object (its values must be strings). */
export function checkSaveOptions(options: unknown): void {
  checkOptions('save', options, { metadata: OBJECT });
}

/** A state dict as the bytes of a safetensors file (browsers: download it, or keep it in IndexedDB). */
export async function save(state: StateDict, options: SaveOptions = {}): Promise<ArrayBuffer> {
  checkSaveOptions(options);
  const bytes = serialize(await toHost(state), options.metadata);
  return bytes.buffer as ArrayBuffer;
}

/** Anything with named parameters and buffers (a Module), to check a file against before loading. */
export interface StateShapes {
  stateDict(): StateDict;
}

export interface LoadOptions {
  /** Check that the file holds exactly this model's tensors, with its shapes and dtypes (FormatError otherwise). */
  model?: StateShapes;
}

/** load()'s options (here and in the Node entry): only `model`, something with stateDict(). */
export function checkLoadOptions(options: unknown): void {
  checkOptions('load', options, { model: withMethods('stateDict') });
}

/** Loads a safetensors file into GPU tensors, by name: `model.loadStateDict(await sg.load(bytes))`. */
export async function load(input: ArrayBuffer | ArrayBufferView, options: LoadOptions = {}): Promise<StateDict> {
  checkLoadOptions(options);
  const { tensors } = parse(input);
  if (options.model) checkAgainst(tensors, options.model.stateDict());
  return fromHostTensors(tensors);
}

/** FormatError unless `tensors` has exactly the names, shapes and dtypes of `expected`. */
export function checkAgainst(tensors: Record<string, HostTensor>, expected: StateDict, what = 'the model'): void {
  const missing = Object.keys(expected).filter((k) => !Object.hasOwn(tensors, k));
  const unexpected = Object.keys(tensors).filter((k) => !Object.hasOwn(expected, k));
  if (missing.length || unexpected.length)
    throw new FormatError(
      `safetensors: names do not match ${what}:` + (missing.length ? ` missing [${missing.join(', ')}]` : '') + (unexpected.length ? ` unexpected [${unexpected.join(', ')}]` : ''),
    );
  for (const [name, t] of Object.entries(expected)) {
    const f = tensors[name];
    if (f.dtype !== t.dtype || f.shape.length !== t.shape.length || f.shape.some((d, i) => d !== t.shape[i]))
      throw new FormatError(`safetensors: tensor '${name}' is ${f.dtype} [${f.shape}] in the file, ${t.dtype} [${t.shape}] in ${what}`);
  }
}

/** Offers `bytes` as a file download (browsers). */
export function download(bytes: ArrayBuffer | Uint8Array, filename: string): void {
  const doc = (globalThis as { document?: Document }).document;
  if (!doc) throw new FormatError('download: needs a browser document (in Node, sg.save(state, path) writes a file)');
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
  const a = doc.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

const IDB_STORE = 'files';
function openDb(dbName: string): Promise<IDBDatabase> {
  const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!idb) return Promise.reject(new FormatError('IndexedDB is not available here (browsers only)'));
  return new Promise((resolve, reject) => {
    const req = idb.open(dbName, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(IDB_STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}
function idbRequest<T>(db: IDBDatabase, mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(IDB_STORE, mode);
    const req = op(tx.objectStore(IDB_STORE));
    tx.oncomplete = () => resolve(req.result);
    tx.onerror = () => reject(tx.error);
  });
}

/** Stores bytes under `key` in IndexedDB (one transaction: the old value stays until it commits). */
export async function idbPut(key: string, bytes: ArrayBuffer | Uint8Array, dbName = 'shadergrad'): Promise<void> {
  const db = await openDb(dbName);
  try {
    await idbRequest(db, 'readwrite', (s) => s.put(bytes instanceof Uint8Array ? bytes.slice().buffer : bytes, key));
  } finally {
    db.close();
  }
}

/** The bytes stored under `key` in IndexedDB, or null. */
export async function idbGet(key: string, dbName = 'shadergrad'): Promise<ArrayBuffer | null> {
  const db = await openDb(dbName);
  try {
    return ((await idbRequest(db, 'readonly', (s) => s.get(key))) as ArrayBuffer | undefined) ?? null;
  } finally {
    db.close();
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof JsonFloat);
}

function describe(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (x instanceof JsonFloat) return `number ${x.text}`;
  if (Array.isArray(x)) return `array [${x.map((v) => (v instanceof JsonFloat ? v.text : JSON.stringify(v))).join(',').slice(0, 40)}]`;
  if (typeof x === 'object') return Array.isArray(x) ? `array ${JSON.stringify(x).slice(0, 40)}` : (x.constructor?.name ?? 'object');
  return `${typeof x} ${JSON.stringify(x)?.slice(0, 40)}`;
}
