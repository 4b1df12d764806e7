// safetensors: bit-exact round trips (bytes and files), the layout other readers expect, and a file
// format that refuses every malformed input with a FormatError naming the problem.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { useGpu } from '../helpers/gpu.js';
import { MAX_HEADER_BYTES, parse, serialize, type HostTensor } from '../../src/io/safetensors.js';
import { Random } from '../../src/core/random.js';

useGpu();

const dir = mkdtempSync(join(tmpdir(), 'sg-safetensors-'));
const mlp = (seed: number) => {
  sg.manualSeed(seed);
  return new sg.nn.Sequential(new sg.nn.Linear(12, 7), new sg.nn.ReLU(), new sg.nn.Linear(7, 3));
};
const bits = async (t: sg.Tensor) => new Uint32Array((await t.data()).slice().buffer);

describe('round trip', () => {
  test('a model saved to a file loads back bit-exact, and computes the same outputs', async () => {
    const a = mlp(1);
    const b = mlp(2);
    const path = join(dir, 'mlp.safetensors');
    await sg.save(a.stateDict(), path);
    b.loadStateDict(await sg.load(path));
    for (const [name, t] of Object.entries(a.stateDict())) expect(await bits(b.stateDict()[name]), name).toEqual(await bits(t));
    const x = sg.randn([5, 12], { seed: 3 });
    expect(await bits(b.forward(x))).toEqual(await bits(a.forward(x)));
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]); // no temp file left behind
  });

  test('awkward values (-0, subnormals, extremes, int32 range) survive bytes → GPU → bytes', async () => {
    const f = new Float32Array([-0, 1e-45, -1.2e-38, 3.4028234e38, -3.4028234e38, Math.PI, 1 / 3, 0.1]);
    const i = new Int32Array([-(2 ** 31), 2 ** 31 - 1, 0, -1, 7]);
    const bytes = await sg.save({ f: sg.tensor(f, [2, 4]), i: sg.tensor(i, [5], { dtype: 'int32' }), scalar: sg.tensor(2.5) });
    const back = await sg.load(bytes);
    expect(new Uint32Array((await back.f.data()).buffer)).toEqual(new Uint32Array(f.buffer));
    expect(back.f.shape).toEqual([2, 4]);
    expect(back.i.dtype).toBe('int32');
    expect(await back.i.data()).toEqual(i);
    expect(back.scalar.shape).toEqual([]);
    expect(await back.scalar.item()).toBe(2.5);
  });

  test('the file is real safetensors: u64 LE header length, padded JSON, sorted contiguous data', async () => {
    const bytes = new Uint8Array(
      await sg.save({ b: sg.tensor([1, 2, 3]), a: sg.tensor(Int32Array.from([4, 5]), [1, 2], { dtype: 'int32' }) }, undefined, { metadata: { who: 'test' } }),
    );
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({
      __metadata__: { who: 'test' },
      a: { dtype: 'I32', shape: [1, 2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [3], data_offsets: [8, 20] },
    });
    expect(bytes.length).toBe(8 + n + 20);
    expect(new Float32Array(bytes.slice(8 + n + 8).buffer)).toEqual(new Float32Array([1, 2, 3]));
    expect(parse(bytes).metadata).toEqual({ who: 'test' });
  });

  test('the file written to disk is the same bytes as the ArrayBuffer form', async () => {
    const sd = mlp(4).stateDict();
    const path = join(dir, 'same.safetensors');
    await sg.save(sd, path);
    expect(new Uint8Array(readFileSync(path))).toEqual(new Uint8Array(await sg.save(sd)));
  });

  test('load({ model }) checks names, shapes and dtypes against the model', async () => {
    const bytes = await sg.save(mlp(1).stateDict());
    await expect(sg.load(bytes, { model: mlp(2) })).resolves.toBeDefined();
    const other = new sg.nn.Sequential(new sg.nn.Linear(12, 7), new sg.nn.ReLU(), new sg.nn.Linear(7, 4));
    await expect(sg.load(bytes, { model: other })).rejects.toThrow(/tensor '2.weight' is float32 \[3,7\] in the file, float32 \[4,7\]/);
    const deeper = new sg.nn.Sequential(new sg.nn.Linear(12, 7));
    await expect(sg.load(bytes, { model: deeper })).rejects.toThrow(sg.FormatError);
    await expect(sg.load(bytes, { model: deeper })).rejects.toThrow(/unexpected \[2.bias, 2.weight\]/);
  });
});

// ---- malformed files ---------------------------------------------------------------------------

const host = (data: number[], shape: number[], dtype: 'float32' | 'int32' = 'float32'): HostTensor => ({
  dtype,
  shape,
  data: dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data),
});
const valid = serialize({ w: host([1, 2, 3, 4, 5, 6], [2, 3]), b: host([7, 8], [2]), n: host([1, 2, 3], [3], 'int32') }, { k: 'v' });

/** A file with this header object (raw JSON text when a string) and `dataBytes` bytes of data. */
function file(header: unknown, dataBytes: number, headerLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(json.length), true);
  out.set(json, 8);
  return out;
}
const t = (dtype: string, shape: number[], offsets: number[]) => ({ dtype, shape, data_offsets: offsets });

/** A file of one I64 tensor 'n' holding `values` (as PyTorch's safetensors writes num_batches_tracked). */
function i64File(values: bigint[]): Uint8Array {
  const out = file({ n: t('I64', [values.length], [0, 8 * values.length]) }, 8 * values.length);
  const dataStart = out.length - 8 * values.length;
  values.forEach((v, i) => new DataView(out.buffer).setBigInt64(dataStart + 8 * i, v, true));
  return out;
}

test('I64 tensors (PyTorch writes num_batches_tracked so) are read as int32; one outside int32 is refused', () => {
  const n = parse(i64File([0n, 7n, -3n, 2147483647n])).tensors.n;
  expect(n.dtype).toBe('int32');
  expect(Array.from(n.data)).toEqual([0, 7, -3, 2147483647]);
  expect(() => parse(i64File([1n, 2n ** 31n]))).toThrow(/tensor 'n' \(I64\) holds 2147483648 at index 1, outside int32's range/);
  expect(() => parse(i64File([-(2n ** 40n)]))).toThrow(sg.FormatError);
  expect(() => parse(file({ n: t('I64', [2], [0, 12]) }, 12))).toThrow(/dtype I64 and shape \[2\] needs 16 bytes/);
});

const rejects: [string, Uint8Array, RegExp][] = [
  ['empty', new Uint8Array(0), /too short for the 8-byte header length/],
  ['7 bytes', valid.slice(0, 7), /too short/],
  ['truncated header', valid.slice(0, 20), /runs past the end of the file/],
  ['truncated data', valid.slice(0, valid.length - 1), /past the data section|truncated/],
  ['huge header length (2^40)', file({}, 0, 2n ** 40n), /exceeds the 104857600-byte limit/],
  ['huge header length (2^64 - 1)', file({}, 0, 2n ** 64n - 1n), /exceeds the .*limit/],
  ['header length just over the limit', file({}, 0, BigInt(MAX_HEADER_BYTES + 1)), /exceeds/],
  ['header length 0', file('', 0), /too short for a JSON object/],
  ['bad JSON', file('{"w": {"dtype": "F32",', 0), /not valid JSON/],
  ['JSON array', file('[1, 2]', 0), /must be a JSON object/],
  ['JSON null', file('null', 0), /must be a JSON object/],
  ['invalid UTF-8', file('{"\xff": 1}', 0).map((b, i) => (i === 10 ? 0xff : b)), /not valid UTF-8/],
  ['entry not an object', file({ w: 5 }, 0), /tensor 'w' must be an object/],
  ['unsupported dtype F16', file({ w: t('F16', [2], [0, 4]) }, 4), /tensor 'w' has dtype "F16", which shadergrad does not support \(supported: F32, I32, and I64 and I8 read as int32\)/],
  ['unsupported dtype F64', file({ w: t('F64', [1], [0, 8]) }, 8), /"F64", which shadergrad does not support/],
  ['unknown dtype', file({ w: t('F33', [1], [0, 4]) }, 4), /"F33", which is not a safetensors dtype/],
  ['missing dtype', file({ w: { shape: [1], data_offsets: [0, 4] } }, 4), /has no dtype/],
  ['extra field', file({ w: { ...t('F32', [1], [0, 4]), stride: [1] } }, 4), /unknown field\(s\) stride/],
  ['negative dim', file({ w: t('F32', [-1], [0, 4]) }, 4), /shape must be an array of non-negative integers/],
  ['fractional dim', file({ w: t('F32', [1.5], [0, 6]) }, 6), /shape must be/],
  ['shape not an array', file({ w: { dtype: 'F32', shape: 4, data_offsets: [0, 16] } }, 16), /shape must be/],
  ['offsets wrong arity', file({ w: t('F32', [1], [0]) }, 4), /data_offsets must be \[begin, end\]/],
  ['offsets reversed', file({ w: t('F32', [0], [4, 0]) }, 4), /end before they begin/],
  ['offsets past the end', file({ w: t('F32', [2], [0, 8]) }, 4), /run past the data section \(4 bytes\)/],
  ['offsets far out of range', file({ w: t('F32', [1], [2 ** 50, 2 ** 50 + 4]) }, 4), /run past the data section/],
  ['size does not match shape', file({ w: t('F32', [3], [0, 8]) }, 8), /dtype F32 and shape \[3\] needs 12 bytes, its data_offsets \[0, 8\] hold 8/],
  ['I32 size mismatch', file({ w: t('I32', [2, 2], [0, 12]) }, 12), /needs 16 bytes/],
  ['huge shape (overflow)', file({ w: t('F32', [2 ** 40, 2 ** 40, 2 ** 40], [0, 4]) }, 4), /needs .* bytes, its data_offsets \[0, 4\] hold 4/],
  ['overlap', file({ a: t('F32', [2], [0, 8]), b: t('F32', [2], [4, 12]) }, 12), /tensor 'b' data_offsets \[4, 12\] overlap the previous tensor \(which ends at 8\)/],
  ['same bytes twice', file({ a: t('F32', [1], [0, 4]), b: t('F32', [1], [0, 4]) }, 4), /overlap/],
  ['gap', file({ a: t('F32', [1], [0, 4]), b: t('F32', [1], [8, 12]) }, 12), /gap of 4 bytes before tensor 'b'/],
  ['gap at the start', file({ a: t('F32', [1], [4, 8]) }, 8), /gap of 4 bytes before tensor 'a'/],
  ['trailing bytes', file({ a: t('F32', [1], [0, 4]) }, 8), /4 bytes after the last tensor/],
  ['metadata not strings', file({ __metadata__: { n: 1 } }, 0), /__metadata__ 'n' must be a string/],
  ['metadata an array', file({ __metadata__: ['x'] }, 0), /__metadata__ must be an object/],
];

describe('malformed files are rejected with FormatError', () => {
  test.each(rejects)('%s', async (_name, bytes, message) => {
    expect(() => parse(bytes)).toThrow(sg.FormatError);
    expect(() => parse(bytes)).toThrow(message);
    await expect(sg.load(bytes)).rejects.toThrow(sg.FormatError);
  });

  test('not bytes at all', async () => {
    await expect(sg.load(42 as unknown as ArrayBuffer)).rejects.toThrow(/expected an ArrayBuffer or a typed array, got number 42/);
  });

  test('a missing file is an ordinary ENOENT, not a crash', async () => {
    await expect(sg.load(join(dir, 'nope.safetensors'))).rejects.toThrow(/ENOENT/);
  });

  test('an empty state dict, and zero-size tensors, are valid', () => {
    expect(parse(serialize({})).tensors).toEqual({});
    const z = parse(serialize({ e: host([], [0, 5]), f: host([1], [1]) }));
    expect(z.tensors.e.shape).toEqual([0, 5]);
    expect(Array.from(z.tensors.f.data)).toEqual([1]);
  });

  test('every prefix of a file is rejected (truncation anywhere)', () => {
    for (let n = 0; n < valid.length; n++) expect(() => parse(valid.subarray(0, n)), `prefix ${n}`).toThrow(sg.FormatError);
    expect(() => parse(valid)).not.toThrow();
  });

  test('random byte flips: each file parses or throws FormatError; nothing else, fast, bounded memory', () => {
    const rng = new Random(12345);
    const rand = () => rng.next();
    let accepted = 0;
    let rejected = 0;
    const before = process.memoryUsage().arrayBuffers;
    const start = performance.now();
    for (let trial = 0; trial < 3000; trial++) {
      const bytes = valid.slice();
      const flips = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < flips; k++) {
        const at = Math.floor(rand() * bytes.length);
        bytes[at] = rand() < 0.5 ? bytes[at] ^ (1 << Math.floor(rand() * 8)) : Math.floor(rand() * 256);
      }
      try {
        const { tensors } = parse(bytes);
        for (const h of Object.values(tensors)) expect(h.data.length).toBe(h.shape.reduce((a, b) => a * b, 1));
        accepted++;
      } catch (e) {
        if (!(e instanceof sg.FormatError)) throw new Error(`trial ${trial}: ${String(e)} is not a FormatError`);
        rejected++;
      }
    }
    expect(accepted).toBeGreaterThan(0); // flips in the data section leave a valid file
    expect(rejected).toBeGreaterThan(1000);
    expect(performance.now() - start).toBeLessThan(5000);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });
});
