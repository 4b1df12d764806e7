// TensorBoard event files, browser-safe (no Node import): TFRecord framing and the `Event` protos that
// TensorBoard reads (scalars, histograms, PNG images). The file writer is src/node/summary-writer.ts.
//
// A TFRecord is: uint64 length (little-endian), uint32 masked CRC32C of those 8 bytes, the data, uint32
// masked CRC32C of the data. CRC32C is the Castagnoli CRC (reflected polynomial 0x82F63B78); the mask
// (TensorFlow's crc32c::Mask) is ((crc >>> 15) | (crc << 17)) + 0xa282ead8, so a CRC of data that itself
// holds CRCs does not degenerate. The first event of a file has file_version "brain.Event:2".
import protobuf from 'protobufjs';
import { FormatError, InternalError, ValueError } from '../core/errors.js';
import EVENT_SCHEMA from './tfevents-schema.json';

const CASTAGNOLI_REFLECTED = 0x82f63b78;

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ CASTAGNOLI_REFLECTED : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC32C (Castagnoli) of `bytes`, as an unsigned 32-bit number ("123456789" → 0xe3069283). */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC32C_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** TensorFlow's masked CRC32C, the form TFRecord stores. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** One TFRecord around `data`: length, its masked CRC, the data, its masked CRC. */
export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

// tfevents-schema.json: protobufjs's JSON form of the part of tensorflow/core/util/event.proto and
// framework/summary.proto written here (Event, Summary, Summary.Value, Summary.Image, HistogramProto), with
// their real field numbers; fields not listed are never written, and readers skip what they do not know.
const EventProto = protobuf.Root.fromJSON(EVENT_SCHEMA).lookupType('tensorboard.Event');

export const FILE_VERSION = 'brain.Event:2';

export interface HistogramMsg {
  min: number;
  max: number;
  num: number;
  sum: number;
  sum_squares: number;
  /** Right edge of each bucket (TensorBoard takes the first bucket's left edge from `min`). */
  bucket_limit: number[];
  /** Count of each bucket. */
  bucket: number[];
}

export interface ImageMsg {
  height: number;
  width: number;
  /** 1 grayscale, 2 grayscale + alpha, 3 RGB, 4 RGBA. */
  colorspace: number;
  encoded_image_string: Uint8Array;
}

/** Raw pixels for an image summary: row-major height × width × channels; a Uint8Array holds 0..255, other arrays 0..1 (torch's rule). */
export interface ImagePixels {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: ArrayLike<number>;
}

export type SummaryValue = { tag: string; simple_value: number } | { tag: string; histo: HistogramMsg } | { tag: string; image: ImageMsg };

export interface EventMsg {
  /** Seconds since the Unix epoch. */
  wall_time: number;
  step: number;
  file_version?: string;
  summary?: { value: SummaryValue[] };
}

/** The Event's protobuf bytes (not yet framed). */
export function encodeEvent(event: EventMsg): Uint8Array {
  const err = EventProto.verify(event);
  if (err) throw new InternalError(`tfevents: internal error building an Event: ${err}`);
  return EventProto.encode(EventProto.fromObject(event)).finish();
}

/** Framed records, ready to append to an event file. */
export const eventRecord = (event: EventMsg): Uint8Array => frameRecord(encodeEvent(event));

/** Throws a ValueError naming `owner` unless tag is a non-empty string and step a non-negative safe integer. */
export function checkTagAndStep(owner: string, tag: unknown, step: unknown): void {
  if (typeof tag !== 'string' || tag.length === 0) throw new ValueError(`${owner}: tag must be a non-empty string, got ${JSON.stringify(tag)}`);
  if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) throw new ValueError(`${owner}: step must be a non-negative integer, got ${String(step)} (tag '${tag}')`);
}

/** Buckets per histogram: TensorFlow 2's tf.summary.histogram default. */
export const HISTOGRAM_BUCKETS = 30;

/**
 * A HistogramProto of `values` with `buckets` equal-width buckets from min to max (one bucket when all
 * values are equal). Every value must be finite: the message names the tag and the first bad index.
 */
export function histogram(tag: string, values: ArrayLike<number>, buckets = HISTOGRAM_BUCKETS): HistogramMsg {
  if (values.length === 0) throw new ValueError(`histogram '${tag}': values are empty`);
  if (!Number.isInteger(buckets) || buckets < 1) throw new ValueError(`histogram '${tag}': buckets must be a positive integer, got ${buckets}`);
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`histogram '${tag}': values[${i}] is ${String(v)}; every value must be a finite number`);
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sumSquares += v * v;
  }
  if (min === max) return { min, max, num: values.length, sum, sum_squares: sumSquares, bucket_limit: [max], bucket: [values.length] };
  const width = (max - min) / buckets;
  const counts = new Array<number>(buckets).fill(0);
  // bucket k holds (limit[k-1], limit[k]]; the first also holds min itself
  for (let i = 0; i < values.length; i++) counts[Math.min(buckets - 1, Math.max(0, Math.ceil((values[i] - min) / width) - 1))]++;
  const limits = counts.map((_, k) => (k === buckets - 1 ? max : min + (k + 1) * width));
  return { min, max, num: values.length, sum, sum_squares: sumSquares, bucket_limit: limits, bucket: counts };
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** PNG colour type → Summary.Image colorspace (palette images are shown as RGB). */
const PNG_COLORSPACE: Record<number, number> = { 0: 1, 4: 2, 2: 3, 3: 3, 6: 4 };

/** Width, height and colorspace from a PNG's IHDR chunk; a FormatError unless `bytes` start like a PNG. */
export function pngImage(owner: string, bytes: Uint8Array): ImageMsg {
  if (bytes.length < 33 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) throw new FormatError(`${owner}: not a PNG (no PNG signature${bytes.length < 33 ? `, only ${bytes.length} bytes` : ''})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunk = String.fromCharCode(...bytes.subarray(12, 16));
  if (chunk !== 'IHDR') throw new FormatError(`${owner}: PNG's first chunk is '${chunk}', not IHDR`);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const colorspace = PNG_COLORSPACE[bytes[25]];
  if (width === 0 || height === 0 || colorspace === undefined) throw new FormatError(`${owner}: PNG header is invalid (${width}x${height}, colour type ${bytes[25]})`);
  return { height, width, colorspace, encoded_image_string: bytes };
}
