// safetensors fuzzing: seeded valid files (names that collide with Object.prototype's keys included)
// round-trip bit-exact; seeded mutations that each make a file invalid by construction are all refused
// with a FormatError; random byte flips either parse to a consistent file or are refused. Prints the
// refusals counted by reason (the reference crate's SafeTensorError names where one matches).
import { describe, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { Random } from '../../src/core/random.js';
import { parse, serialize, SafetensorsFormatError, type HostTensor } from '../../src/io/safetensors.js';
import { useGpu } from '../helpers/gpu.js';

useGpu();

const NAMES = ['w', 'b', '0.weight', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '', 'é', 'a"b', '__defineGetter__', 'layer/1'];

/** One header entry as raw JSON texts, so that mutations can write what JSON.stringify never would. */
interface Entry {
  name: string;
  fields: [string, string][];
  raw?: string; // the entry's whole value, instead of the fields
}
interface Model {
  entries: Entry[];
  metadata: [string, string][] | string | null; // pairs of raw texts, one raw text, or none
  data: Uint8Array;
  prefix: string; // before the header object (a BOM, say)
  pad: string; // padding character
  lengthDelta: number; // added to the true header length
  suffix: string; // after the padding, inside the header
  body?: string; // the whole header value, instead of the object
}

function randomTensors(r: Random): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = Object.create(null);
  const n = r.int(5);
  for (let i = 0; i < n; i++) {
    const name = r.next() < 0.7 ? NAMES[r.int(NAMES.length)] : `t${r.int(1000)}`;
    const shape = Array.from({ length: r.int(4) }, () => r.int(4));
    const numel = shape.reduce((a, b) => a * b, 1);
    const int = r.next() < 0.3;
    out[name] = int
      ? { dtype: 'int32', shape, data: Int32Array.from({ length: numel }, () => r.nextUint32() | 0) }
      : { dtype: 'float32', shape, data: new Float32Array(Uint32Array.from({ length: numel }, () => r.nextUint32()).buffer) };
  }
  return out;
}

function modelOf(tensors: Record<string, HostTensor>, metadata: Record<string, string> | null): Model {
  let offset = 0;
  const names = Object.keys(tensors).sort();
  const entries = names.map((name) => {
    const t = tensors[name];
    const fields: [string, string][] = [
      ['dtype', JSON.stringify(t.dtype === 'int32' ? 'I32' : 'F32')],
      ['shape', JSON.stringify(t.shape)],
      ['data_offsets', JSON.stringify([offset, offset + t.data.byteLength])],
    ];
    offset += t.data.byteLength;
    return { name, fields };
  });
  const data = new Uint8Array(offset);
  let at = 0;
  for (const name of names) {
    const d = tensors[name].data;
    data.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    at += d.byteLength;
  }
  const meta = metadata ? Object.entries(metadata).map(([k, v]) => [JSON.stringify(k), JSON.stringify(v)] as [string, string]) : null;
  return { entries, metadata: meta, data, prefix: '', pad: ' ', lengthDelta: 0, suffix: '' };
}

function bytesOf(m: Model): Uint8Array {
  const parts: string[] = [];
  if (m.metadata !== null) parts.push(`"__metadata__":${typeof m.metadata === 'string' ? m.metadata : `{${m.metadata.map(([k, v]) => `${k}:${v}`).join(',')}}`}`);
  for (const e of m.entries) parts.push(`${JSON.stringify(e.name)}:${e.raw ?? `{${e.fields.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`}`);
  const json = new TextEncoder().encode(`${m.prefix}${m.body ?? `{${parts.join(',')}}`}`);
  const padded = Math.ceil(json.length / 8) * 8;
  const suffix = new TextEncoder().encode(m.suffix);
  const headerLen = padded + suffix.length;
  const out = new Uint8Array(8 + headerLen + m.data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(Math.max(0, headerLen + m.lengthDelta)), true);
  out.set(json, 8);
  out.fill(m.pad.charCodeAt(0), 8 + json.length, 8 + padded);
  out.set(suffix, 8 + padded);
  out.set(m.data, 8 + headerLen);
  return out;
}

const field = (e: Entry, k: string) => e.fields.find(([f]) => f === k)!;
const offsetsOf = (e: Entry) => JSON.parse(field(e, 'data_offsets')[1]) as [number, number];
const numelOf = (e: Entry) => (JSON.parse(field(e, 'shape')[1]) as number[]).reduce((a, b) => a * b, 1);
const pick = <T>(r: Random, a: T[]) => a[r.int(a.length)];

/**
 * Mutations, each of which makes ANY valid file invalid (or returns false when it does not apply).
 * The name is the class of the defect; the test counts how each class was refused.
 */
const MUTATIONS: Record<string, (m: Model, r: Random) => boolean> = {
  'duplicate tensor name': (m, r) => (m.entries.length ? (m.entries.splice(r.int(m.entries.length + 1), 0, structuredClone(pick(r, m.entries))), true) : false),
  'duplicate field in an entry': (m, r) => {
    if (!m.entries.length) return false;
    const e = pick(r, m.entries);
    e.fields.splice(r.int(e.fields.length + 1), 0, [...pick(r, e.fields)]);
    return true;
  },
  'duplicate __metadata__ key': (m) => (Array.isArray(m.metadata) && m.metadata.length ? (m.metadata.push(m.metadata[0]), true) : false),
  'duplicate __metadata__': (m) => (m.entries.push({ name: '__metadata__', fields: [] }), m.metadata === null && (m.metadata = []), true),
  'end offset moved': (m, r) => {
    if (!m.entries.length) return false;
    const e = pick(r, m.entries);
    const [b, end] = offsetsOf(e);
    const moved = end + (r.next() < 0.5 ? -1 : 1) * (1 + r.int(8));
    field(e, 'data_offsets')[1] = JSON.stringify([b, moved >= 0 ? moved : end + 1]);
    return true;
  },
  'begin offset moved': (m, r) => {
    if (!m.entries.length) return false;
    const e = pick(r, m.entries);
    const [b, end] = offsetsOf(e);
    const nb = b > 0 && r.next() < 0.5 ? b - 1 - r.int(b) : b + 1 + r.int(4);
    field(e, 'data_offsets')[1] = JSON.stringify([nb, end]);
    return true;
  },
  'offsets reversed': (m, r) => {
    const es = m.entries.filter((e) => numelOf(e) > 0);
    if (!es.length) return false;
    const e = pick(r, es);
    field(e, 'data_offsets')[1] = JSON.stringify(offsetsOf(e).reverse());
    return true;
  },
  'two tensors on the same bytes': (m, r) => {
    const es = m.entries.filter((e) => numelOf(e) > 0);
    if (es.length < 2) return false;
    const [a, b] = [es[0], es[1 + r.int(es.length - 1)]];
    if (numelOf(a) !== numelOf(b)) field(b, 'shape')[1] = field(a, 'shape')[1];
    field(b, 'data_offsets')[1] = field(a, 'data_offsets')[1];
    return true;
  },
  'shape grows': (m, r) => {
    const es = m.entries.filter((e) => numelOf(e) > 0);
    if (!es.length) return false;
    const e = pick(r, es);
    const shape = JSON.parse(field(e, 'shape')[1]) as number[];
    shape.splice(r.int(shape.length + 1), 0, 2 + r.int(3));
    field(e, 'shape')[1] = JSON.stringify(shape);
    return true;
  },
  'shape dim not a non-negative integer': (m, r) => {
    if (!m.entries.length) return false;
    const e = pick(r, m.entries);
    const shape = (JSON.parse(field(e, 'shape')[1]) as number[]).map(String);
    const bad = pick(r, ['-1', '1.0', '1e0', '0.5', '"2"', 'null', 'true', '[]', '9007199254740993']);
    if (shape.length && r.next() < 0.5) shape[r.int(shape.length)] = bad;
    else shape.push(bad);
    field(e, 'shape')[1] = `[${shape.join(',')}]`;
    return true;
  },
  'shape not an array': (m, r) => (m.entries.length ? ((field(pick(r, m.entries), 'shape')[1] = pick(r, ['4', '"[4]"', 'null', '{}'])), true) : false),
  'offsets not [begin, end] integers': (m, r) => {
    if (!m.entries.length) return false;
    const e = pick(r, m.entries);
    const [b, end] = offsetsOf(e);
    field(e, 'data_offsets')[1] = pick(r, [`[${b}]`, `[${b},${end},${end}]`, `[${b},${end}.0]`, `[${b}.0,${end}]`, `[-1,${end}]`, `"${b},${end}"`, 'null', `{"0":${b},"1":${end}}`, '[]']);
    return true;
  },
  'unknown dtype': (m, r) => (m.entries.length ? ((field(pick(r, m.entries), 'dtype')[1] = pick(r, ['"F33"', '"f32"', '"float32"', '""', '"F32 "', '32', 'null', '["F32"]'])), true) : false),
  'dtype shadergrad cannot hold': (m, r) => (m.entries.length ? ((field(pick(r, m.entries), 'dtype')[1] = JSON.stringify(pick(r, ['F16', 'BF16', 'F64', 'U8', 'BOOL', 'U32', 'F8_E4M3']))), true) : false),
  'extra field': (m, r) => (m.entries.length ? (pick(r, m.entries).fields.push([pick(r, ['stride', 'offsets', '__proto__', 'constructor', 'Dtype']), '[1]']), true) : false),
  'missing field': (m, r) => {
    if (!m.entries.length) return false;
    const e = pick(r, m.entries);
    e.fields.splice(r.int(e.fields.length), 1);
    return true;
  },
  'entry not an object': (m, r) => (m.entries.length ? ((pick(r, m.entries).raw = pick(r, ['1', '"F32"', 'null', '[]', '["F32",[1],[0,4]]', 'true'])), true) : false),
  'trailing data bytes': (m, r) => ((m.data = Uint8Array.from([...m.data, ...new Uint8Array(1 + r.int(9))])), true),
  'data truncated': (m, r) => (m.data.length ? ((m.data = m.data.slice(0, m.data.length - 1 - r.int(Math.min(8, m.data.length)))), true) : false),
  'header length off': (m, r) => ((m.lengthDelta = (r.next() < 0.5 ? -1 : 1) * (1 + r.int(16))), true),
  'header length huge': (m, r) => ((m.lengthDelta = pick(r, [100_000_000, 104_857_601, 2 ** 40, 2 ** 53])), true),
  'header not an object': (m, r) => ((m.body = pick(r, ['[]', '[{}]', '"{}"', '1', 'null', 'true'])), true),
  'header not JSON': (m, r) => ((m.prefix = pick(r, ['[', '"', '1', 'null,', "'", '//', '{'])), true),
  'byte-order mark': (m) => ((m.prefix = '\ufeff'), true),
  'padding not spaces': (m, r) => ((m.suffix = pick(r, ['\0', '\0\0\0\0\0\0\0\0', '}', 'x', ',', '{}'])), true),
  'metadata not strings': (m, r) => {
    const bad = pick(r, ['1', 'null', 'true', '{}', '["v"]', '1.5']);
    if (Array.isArray(m.metadata) && m.metadata.length) m.metadata[r.int(m.metadata.length)][1] = bad;
    else m.metadata = [['"k"', bad]];
    return true;
  },
  '__metadata__ not an object': (m, r) => ((m.metadata = pick(r, ['"x"', '1', '["a","b"]', 'true', '1.0'])), true),
  'lone surrogate in a name': (m) => (m.entries.length ? ((m.entries[0].name = '\ud800'), true) : ((m.metadata = [['"\\udc00"', '"v"']]), true)),
  'nesting too deep': (m) => ((m.metadata = [['"k"', '['.repeat(5000) + ']'.repeat(5000)]]), true),
};

function run(seed: number) {
  const r = new Random(seed);
  const tensors = randomTensors(r);
  const metadata = r.next() < 0.5 ? { format: 'pt', [pick(r, ['__proto__', 'constructor', 'k'])]: 'v' } : null;
  return { r, tensors, metadata, model: modelOf(tensors, metadata) };
}

function reasonOf(e: unknown): string {
  if (e instanceof SafetensorsFormatError) return e.reason;
  if (e instanceof sg.FormatError) return 'FormatError';
  throw e;
}

function table(title: string, counts: Map<string, Map<string, number>>): string {
  const rows = [...counts].sort(([a], [b]) => a.localeCompare(b));
  const w = Math.max(...rows.map(([k]) => k.length), title.length);
  return [title.padEnd(w) + '  cases  refused by reason', ...rows.map(([k, m]) => {
    const total = [...m.values()].reduce((a, b) => a + b, 0);
    return `${k.padEnd(w)}  ${String(total).padStart(5)}  ${[...m].sort((a, b) => b[1] - a[1]).map(([why, n]) => `${why} ${n}`).join(', ')}`;
  })].join('\n');
}
const bump = (counts: Map<string, Map<string, number>>, row: string, col: string) => {
  if (!counts.has(row)) counts.set(row, new Map());
  const m = counts.get(row)!;
  m.set(col, (m.get(col) ?? 0) + 1);
};

const sameTensors = (a: Record<string, HostTensor>, b: Record<string, HostTensor>) => {
  expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
  for (const k of Object.keys(a)) {
    expect(b[k].dtype, k).toBe(a[k].dtype);
    expect(b[k].shape, k).toEqual(a[k].shape);
    expect(Buffer.from(b[k].data.buffer, b[k].data.byteOffset, b[k].data.byteLength).equals(Buffer.from(a[k].data.buffer, a[k].data.byteOffset, a[k].data.byteLength)), k).toBe(true);
  }
};

describe('safetensors fuzz', () => {
  test('valid files (prototype-key names included) round-trip; every file mutated invalid is refused; counts by reason', () => {
    const start = performance.now();
    const counts = new Map<string, Map<string, number>>();
    const ops = Object.keys(MUTATIONS);
    let valid = 0;
    for (let seed = 0; seed < 4000; seed++) {
      const { r, tensors, metadata, model } = run(seed);
      const good = bytesOf(model);
      expect(Buffer.from(good).equals(serialize(tensors, metadata ?? undefined)), `seed ${seed}`).toBe(true); // the test's writer is the real one
      const back = parse(good);
      sameTensors(tensors, back.tensors);
      expect({ ...back.metadata }).toEqual(metadata ?? {});
      valid++;
      const op = ops[seed % ops.length];
      if (!MUTATIONS[op](model, r)) continue;
      const bad = bytesOf(model);
      let why = 'ACCEPTED';
      try {
        parse(bad);
      } catch (e) {
        why = reasonOf(e);
      }
      bump(counts, op, why);
      if (why === 'ACCEPTED') throw new Error(`seed ${seed}: '${op}' accepted: ${new TextDecoder().decode(bad.subarray(8, 8 + Math.min(400, bad.length - 8)))}`);
    }
    console.log(`safetensors fuzz: ${valid} valid files round-tripped; mutated files refused, by mutation and reason\n${table('mutation', counts)}`);
    for (const op of ops) expect(counts.get(op), `mutation '${op}' never applied`).toBeDefined();
    expect(performance.now() - start).toBeLessThan(30_000);
  }, 60_000);

  test('random byte flips: refused with FormatError, or accepted only as a consistent file that JSON.parse reads the same', () => {
    const counts = new Map<string, Map<string, number>>();
    for (let seed = 0; seed < 3000; seed++) {
      const { r, model } = run(10_000 + seed);
      const bytes = bytesOf(model);
      for (let k = 1 + r.int(3); k > 0; k--) bytes[r.int(bytes.length)] = r.next() < 0.5 ? r.nextUint32() & 255 : bytes[r.int(bytes.length)] ^ (1 << r.int(8));
      let parsed: ReturnType<typeof parse>;
      try {
        parsed = parse(bytes);
      } catch (e) {
        bump(counts, 'byte flips', reasonOf(e));
        continue;
      }
      bump(counts, 'byte flips', 'accepted');
      // what was accepted is a real file: it re-serializes to itself modulo key order and padding
      sameTensors(parsed.tensors, parse(serialize(parsed.tensors, parsed.metadata)).tensors);
      const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
      const viaJson = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
      expect(Object.keys(viaJson).filter((k) => k !== '__metadata__').sort()).toEqual(Object.keys(parsed.tensors).sort());
    }
    console.log(table('random flips', counts));
  }, 60_000);
});

describe('names that collide with Object.prototype, and duplicates', () => {
  const f = (n: number) => ({ dtype: 'float32' as const, shape: [n], data: Float32Array.from({ length: n }, (_, i) => i + n) });

  test.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', '__defineGetter__', 'valueOf'])("a tensor named '%s' loads like any other", async (name) => {
    const bytes = serialize({ [name]: f(3), plain: f(2) } as Record<string, HostTensor>);
    const { tensors } = parse(bytes);
    expect(Object.keys(tensors).sort()).toEqual([name, 'plain'].sort());
    expect(Object.hasOwn(tensors, name)).toBe(true);
    expect(Array.from(tensors[name].data)).toEqual([3, 4, 5]);
    const state = await sg.load(bytes);
    expect(Object.keys(state).sort()).toEqual([name, 'plain'].sort());
    expect(Array.from(await state[name].data())).toEqual([3, 4, 5]);
    expect(({} as Record<string, unknown>).dtype).toBeUndefined(); // nothing leaked into Object.prototype
    // and writes back out under the same name
    expect(Object.keys(parse(await sg.save(state)).tensors).sort()).toEqual([name, 'plain'].sort());
  });

  test("a JSON '__proto__' key is data, never a prototype: the header cannot pollute or hide tensors", () => {
    const raw = '{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"__metadata__":{"__proto__":"x","constructor":"y"}}';
    const json = new TextEncoder().encode(raw);
    const bytes = new Uint8Array(8 + json.length + 4);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
    bytes.set(json, 8);
    const { tensors, metadata } = parse(bytes);
    expect(Object.keys(tensors)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(tensors)).toBe(null);
    expect({ ...metadata }).toEqual(Object.fromEntries([['__proto__', 'x'], ['constructor', 'y']]));
    expect(Object.getPrototypeOf(metadata)).toBe(null);
  });

  test.each([
    ['a tensor name twice', '{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', 8, /duplicate key "w"/],
    ['__proto__ twice', '{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', 8, /duplicate key "__proto__"/],
    ['a field twice', '{"w":{"dtype":"F32","dtype":"I32","shape":[1],"data_offsets":[0,4]}}', 4, /duplicate key "w" → "dtype"/],
    ['a metadata key twice', '{"__metadata__":{"k":"a","k":"b"}}', 0, /duplicate key "__metadata__" → "k"/],
    ['__metadata__ twice', '{"__metadata__":{},"__metadata__":{}}', 0, /duplicate key "__metadata__"/],
    ['an escaped spelling of the same name', '{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"\\u0077":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', 8, /duplicate key "w"/],
  ])('%s is refused as DuplicateKey', (_what, raw, dataBytes, message) => {
    const json = new TextEncoder().encode(raw);
    const bytes = new Uint8Array(8 + json.length + dataBytes);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
    bytes.set(json, 8);
    expect(() => parse(bytes)).toThrow(message);
    try {
      parse(bytes);
    } catch (e) {
      expect(e).toBeInstanceOf(sg.FormatError);
      expect((e as SafetensorsFormatError).reason).toBe('DuplicateKey');
    }
  });
});
