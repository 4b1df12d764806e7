// safetensors (https://github.com/huggingface/safetensors), browser-safe: bytes in, bytes out.
// Layout: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
//   { "name": { "dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end] }, ..., "__metadata__": { "k": "v" } }
// (padded with spaces to a multiple of 8), then the tensors' bytes, little-endian, contiguous, offsets
// relative to the end of the header. Parsing trusts nothing: every length, offset and shape is checked
// against the bytes actually there before anything is allocated, and every problem is a FormatError.
import type { DType } from '../core/dtype.js';
import { FormatError } from '../core/errors.js';
import { fromHost, type Tensor } from '../tensor/tensor.js';

/** A tensor's values on the host. */
export interface HostTensor {
  dtype: DType;
  shape: number[];
  data: Float32Array | Int32Array;
}

export type StateDict = Record<string, Tensor>;
export type Metadata = Record<string, string>;

/** The header of a safetensors file is refused above this size (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

const FILE_DTYPE: Record<DType, string> = { float32: 'F32', int32: 'I32' };
const FROM_FILE: Record<string, DType> = { F32: 'float32', I32: 'int32' };
/** Sizes of the dtypes the format knows, so that a refusal can say what the file holds. */
const KNOWN_DTYPES = ['F64', 'F32', 'F16', 'BF16', 'F8_E4M3', 'F8_E5M2', 'I64', 'I32', 'I16', 'I8', 'U64', 'U32', 'U16', 'U8', 'BOOL'];
const ITEM_BYTES = 4; // F32 and I32

// Typed arrays are read and written as raw bytes: the format is little-endian, so is every WebGPU host we run on.
const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Serialises host tensors (sorted by name) and optional string metadata into one safetensors file. */
export function serialize(tensors: Record<string, HostTensor>, metadata?: Metadata): Uint8Array {
  if (!littleEndian) throw new FormatError('safetensors: big-endian hosts are not supported');
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) {
    for (const [k, v] of Object.entries(metadata))
      if (typeof v !== 'string') throw new FormatError(`safetensors: metadata '${k}' must be a string, got ${typeof v}`);
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const name of names) {
    if (name === '__metadata__') throw new FormatError("safetensors: '__metadata__' is reserved and cannot name a tensor");
    const t = tensors[name];
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== n) throw new FormatError(`safetensors: tensor '${name}' has ${t.data.length} values for shape [${t.shape}]`);
    header[name] = { dtype: FILE_DTYPE[t.dtype], shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
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
    const d = tensors[name].data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    at += d.byteLength;
  }
  return out;
}

/** Parses and validates a safetensors file; the tensors' data are copies (the input may be dropped). */
export function parse(input: ArrayBuffer | ArrayBufferView): { tensors: Record<string, HostTensor>; metadata: Metadata } {
  const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : ArrayBuffer.isView(input) ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : null;
  if (!bytes) throw new FormatError(`safetensors: expected an ArrayBuffer or a typed array, got ${describe(input)}`);
  if (bytes.length < 8) throw new FormatError(`safetensors: file of ${bytes.length} bytes is too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLen > MAX_HEADER_BYTES) throw new FormatError(`safetensors: header length ${headerLen} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (headerLen > bytes.length - 8) throw new FormatError(`safetensors: header length ${headerLen} runs past the end of the file (${bytes.length} bytes): truncated?`);
  if (headerLen < 2) throw new FormatError(`safetensors: header length ${headerLen} is too short for a JSON object`);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    throw new FormatError('safetensors: header is not valid UTF-8');
  }
  if (!text.startsWith('{')) throw new FormatError(`safetensors: header must be a JSON object, starts with ${JSON.stringify(text.slice(0, 8))}`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new FormatError(`safetensors: header is not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(header)) throw new FormatError('safetensors: header must be a JSON object');

  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const metadata: Metadata = {};
  const entries: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isObject(raw)) throw new FormatError('safetensors: __metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v !== 'string') throw new FormatError(`safetensors: __metadata__ '${k}' must be a string, got ${describe(v)}`);
        metadata[k] = v;
      }
      continue;
    }
    const where = `tensor '${name}'`;
    if (!isObject(raw)) throw new FormatError(`safetensors: ${where} must be an object with dtype, shape and data_offsets`);
    const extra = Object.keys(raw).filter((k) => k !== 'dtype' && k !== 'shape' && k !== 'data_offsets');
    if (extra.length) throw new FormatError(`safetensors: ${where} has unknown field(s) ${extra.join(', ')}`);
    const { dtype, shape, data_offsets: offsets } = raw as { dtype: unknown; shape: unknown; data_offsets: unknown };
    if (typeof dtype !== 'string') throw new FormatError(`safetensors: ${where} has no dtype string`);
    const ours = Object.hasOwn(FROM_FILE, dtype) ? FROM_FILE[dtype] : undefined;
    if (!ours)
      throw new FormatError(
        `safetensors: ${where} has dtype ${JSON.stringify(dtype)}` +
          `${KNOWN_DTYPES.includes(dtype) ? ', which shadergrad does not support' : ', which is not a safetensors dtype'} (supported: F32, I32)`,
      );
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw new FormatError(`safetensors: ${where} shape must be an array of non-negative integers, got ${describe(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0))
      throw new FormatError(`safetensors: ${where} data_offsets must be [begin, end] non-negative integers, got ${describe(offsets)}`);
    const [begin, end] = offsets as number[];
    if (begin > end) throw new FormatError(`safetensors: ${where} data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLen) throw new FormatError(`safetensors: ${where} data_offsets [${begin}, ${end}] run past the data section (${dataLen} bytes): truncated?`);
    // the product is compared as it grows, so a huge shape cannot overflow into a plausible size
    let count = shape.includes(0) ? 0 : 1;
    for (const d of shape) {
      if (count === 0 || count * ITEM_BYTES > dataLen) break;
      count *= d;
    }
    if (count * ITEM_BYTES !== end - begin)
      throw new FormatError(`safetensors: ${where} of dtype ${dtype} and shape [${shape}] needs ${count * ITEM_BYTES} bytes, its data_offsets [${begin}, ${end}] hold ${end - begin}`);
    entries.push({ name, dtype: ours, shape: shape as number[], begin, end });
  }

  // the tensors must tile the data section exactly: no overlaps, no gaps, nothing after the last
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of entries) {
    if (e.begin < expected) throw new FormatError(`safetensors: tensor '${e.name}' data_offsets [${e.begin}, ${e.end}] overlap the previous tensor (which ends at ${expected})`);
    if (e.begin > expected) throw new FormatError(`safetensors: gap of ${e.begin - expected} bytes before tensor '${e.name}' (data_offsets [${e.begin}, ${e.end}])`);
    expected = e.end;
  }
  if (expected !== dataLen) throw new FormatError(`safetensors: ${dataLen - expected} bytes after the last tensor (data section ${dataLen} bytes, tensors end at ${expected})`);
  if (!littleEndian) throw new FormatError('safetensors: big-endian hosts are not supported');

  const tensors: Record<string, HostTensor> = {};
  for (const e of entries) {
    const copy = bytes.slice(dataStart + e.begin, dataStart + e.end).buffer; // aligned copy
    tensors[e.name] = { dtype: e.dtype, shape: e.shape, data: e.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy) };
  }
  return { tensors, metadata };
}

/** Reads every tensor of a state dict back to the host (one readback each). */
export async function toHost(state: StateDict): Promise<Record<string, HostTensor>> {
  const out: Record<string, HostTensor> = {};
  for (const [name, t] of Object.entries(state)) {
    if (!t || typeof t.data !== 'function') throw new FormatError(`save: '${name}' is not a Tensor (got ${describe(t)})`);
    out[name] = { dtype: t.dtype, shape: [...t.shape], data: await t.data() };
  }
  return out;
}

/** Host tensors to GPU tensors. */
export function fromHostTensors(tensors: Record<string, HostTensor>): StateDict {
  return Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, fromHost(t.data, t.shape, t.dtype)]));
}

export interface SaveOptions {
  /** String key/values stored in the header's __metadata__. */
  metadata?: Metadata;
}

/** A state dict as the bytes of a safetensors file (browsers: download it, or keep it in IndexedDB). */
export async function save(state: StateDict, options: SaveOptions = {}): Promise<ArrayBuffer> {
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

/** Loads a safetensors file into GPU tensors, by name: `model.loadStateDict(await sg.load(bytes))`. */
export async function load(input: ArrayBuffer | ArrayBufferView, options: LoadOptions = {}): Promise<StateDict> {
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
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function describe(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (typeof x === 'object') return Array.isArray(x) ? `array ${JSON.stringify(x).slice(0, 40)}` : (x.constructor?.name ?? 'object');
  return `${typeof x} ${JSON.stringify(x)?.slice(0, 40)}`;
}
