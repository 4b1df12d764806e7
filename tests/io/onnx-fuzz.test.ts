// ONNX import fuzzing with onnxruntime-node as the oracle: seeded mutations of exported models (and of a
// graph as another exporter writes it). Every mutated model that onnxruntime refuses at load must be
// refused by us too, with a FormatError; a model both accept must compute the same outputs. Prints the
// outcomes counted by mutation class.
import * as ort from 'onnxruntime-node';
import { describe, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { Random } from '../../src/core/random.js';
import { decodeModel, encodeModel, type ModelMsg, type NodeMsg } from '../../src/onnx/proto.js';
import { useGpu } from '../helpers/gpu.js';

useGpu();

const pick = <T>(r: Random, a: T[]): T => a[r.int(a.length)];
const nodes = (m: ModelMsg) => m.graph!.node!;
const withAttrs = (m: ModelMsg) => nodes(m).filter((n) => n.attribute?.length);

/** Each mutation edits a decoded model in place; false when it does not apply to this model. */
const MUTATIONS: Record<string, (m: ModelMsg, r: Random) => boolean> = {
  'attribute of the wrong type': (m, r) => {
    const ns = withAttrs(m).filter((n) => n.op_type !== 'Constant');
    if (!ns.length) return false;
    const a = pick(r, pick(r, ns).attribute!);
    const [type, field] = pick(r, [[1, { f: 1 }], [2, { i: 1 }], [3, { s: new TextEncoder().encode('x') }], [6, { floats: [1] }], [7, { ints: [1] }]] as [number, object][]);
    if (type === a.type) return false;
    for (const k of ['f', 'i', 's', 'floats', 'ints', 't'] as const) delete (a as unknown as Record<string, unknown>)[k];
    Object.assign(a, { type }, field);
    return true;
  },
  'attribute type left UNDEFINED': (m, r) => {
    const ns = withAttrs(m).filter((n) => n.op_type !== 'Constant');
    return ns.length ? (delete pick(r, pick(r, ns).attribute!).type, true) : false;
  },
  'attribute given twice': (m, r) => {
    const ns = withAttrs(m);
    if (!ns.length) return false;
    const n = pick(r, ns);
    n.attribute!.push(structuredClone(pick(r, n.attribute!)));
    return true;
  },
  'more inputs than the schema allows': (m, r) => {
    const n = pick(r, nodes(m).filter((x) => x.op_type !== 'Constant'));
    const extra = pick(r, n.input!.filter(Boolean));
    for (let k = 1 + r.int(3); k > 0; k--) n.input!.push(extra);
    return true;
  },
  'a required input removed': (m, r) => {
    const ns = nodes(m).filter((x) => (x.input?.length ?? 0) >= 1);
    const n = pick(r, ns);
    n.input!.splice(r.int(n.input!.length), 1);
    return true;
  },
  'more outputs than the schema allows': (m, r) => {
    const n = pick(r, nodes(m));
    n.output!.push(`${n.output![0]}_extra1`, `${n.output![0]}_extra2`, `${n.output![0]}_extra3`, `${n.output![0]}_extra4`, `${n.output![0]}_extra5`);
    return true;
  },
  'duplicate node name': (m, r) => {
    const ns = nodes(m);
    if (ns.length < 2) return false;
    const i = r.int(ns.length);
    const j = (i + 1 + r.int(ns.length - 1)) % ns.length;
    ns[j].name = ns[i].name || 'same';
    ns[i].name = ns[j].name;
    return true;
  },
  'duplicate output name': (m, r) => {
    const ns = nodes(m);
    if (ns.length < 2) return false;
    const i = r.int(ns.length - 1);
    ns[i + 1].output![0] = ns[i].output![0];
    return true;
  },
  'output name reuses an initializer': (m, r) => {
    const inits = m.graph!.initializer ?? [];
    if (!inits.length) return false;
    pick(r, nodes(m)).output![0] = pick(r, inits).name!;
    return true;
  },
  'missing initializer': (m, r) => {
    const inits = m.graph!.initializer ?? [];
    if (!inits.length) return false;
    const [gone] = inits.splice(r.int(inits.length), 1);
    m.graph!.input = (m.graph!.input ?? []).filter((v) => v.name !== gone.name);
    return true;
  },
  'unknown op': (m, r) => ((pick(r, nodes(m)).op_type = pick(r, ['Foo', 'relu', 'Resize', 'Einsum', 'LayerNormalization'])), true),
  'op from an unknown domain': (m, r) => ((pick(r, nodes(m)).domain = pick(r, ['com.example', 'ai.onnx.ml', 'com.microsoft'])), true),
  'opset too new or too old': (m, r) => ((m.opset_import![0].version = pick(r, [1, 5, 6, 22, 24, 99, 1000])), true),
  'no default-domain opset': (m) => ((m.opset_import = [{ domain: 'com.example', version: 1 }]), true),
  'opset imported twice': (m) => (m.opset_import!.push({ domain: '', version: 9 }), true),
  'IR version unset or too new': (m, r) => ((m.ir_version = pick(r, [0, 1, 2, 12, 99])), true),
  'input used before it is defined': (m) => (nodes(m).reverse(), true),
  'op newer than the opset': (m, r) => {
    const ns = nodes(m).filter((n) => ['Relu', 'Tanh', 'Sigmoid'].includes(n.op_type!));
    if (!ns.length) return false;
    const n = pick(r, ns);
    n.op_type = 'Gelu';
    n.attribute = [{ name: 'approximate', type: 3, s: new TextEncoder().encode('tanh') }];
    m.opset_import![0].version = pick(r, [11, 13, 17]);
    return true;
  },
  'attribute newer than the opset': (m, r) => {
    const ns = nodes(m).filter((n) => n.op_type === 'Reshape' || n.op_type === 'MaxPool');
    if (!ns.length) return false;
    const n = pick(r, ns);
    n.attribute!.push(n.op_type === 'Reshape' ? { name: 'allowzero', type: 2, i: 0 } : { name: 'dilations', type: 7, ints: [1, 1] });
    m.opset_import![0].version = n.op_type === 'Reshape' ? 13 : 9;
    return true;
  },
  'graph input without a name': (m) => ((m.graph!.input![0].name = ''), true),
  'no graph output': (m) => ((m.graph!.output = []), true),
};

/** Base models: exported by us (opset 17 and 11) and one written the way other exporters write. */
async function baseModels(): Promise<{ name: string; bytes: Uint8Array; inShape: number[] }[]> {
  const { nn } = sg;
  sg.manualSeed(5);
  const mlp = new nn.Sequential(new nn.Linear(12, 10), new nn.ReLU(), new nn.Linear(10, 6), new nn.Tanh(), new nn.Linear(6, 4), new nn.Softmax(-1));
  sg.manualSeed(6);
  const cnn = new nn.Sequential(new nn.Conv2d(1, 3, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(3 * 4 * 4, 5));
  const foreign: ModelMsg = {
    ir_version: 7,
    opset_import: [{ domain: '', version: 13 }],
    graph: {
      name: 'foreign',
      initializer: [
        { name: 'w', dims: [12, 6], data_type: 1, float_data: Array.from({ length: 72 }, (_, i) => Math.sin(i)) },
        { name: 'c', dims: [6], data_type: 1, float_data: [0.1, 0.2, 0.3, -0.1, -0.2, 0] },
        { name: 'shape', dims: [2], data_type: 7, int64_data: [0, 6] },
      ],
      node: [
        { op_type: 'Gemm', name: 'g', input: ['x', 'w', 'c'], output: ['h'], attribute: [{ name: 'alpha', type: 1, f: 0.5 }, { name: 'transA', type: 2, i: 0 }] },
        { op_type: 'Reshape', name: 'r', input: ['h', 'shape'], output: ['h2'], attribute: [] },
        { op_type: 'LeakyRelu', name: 'l', input: ['h2'], output: ['h3'], attribute: [{ name: 'alpha', type: 1, f: 0.1 }] },
        { op_type: 'Sigmoid', name: 's', input: ['h3'], output: ['y'], attribute: [] },
      ] as NodeMsg[],
      input: [{ name: 'x', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 4 }, { dim_value: 12 }] } } } }],
      output: [{ name: 'y', type: { tensor_type: { elem_type: 1 } } }],
    },
  };
  return [
    { name: 'mlp/17', bytes: await sg.onnx.exportModel(mlp, sg.zeros([4, 12])), inShape: [4, 12] },
    { name: 'mlp/11', bytes: await sg.onnx.exportModel(mlp, sg.zeros([4, 12]), { opset: 11 }), inShape: [4, 12] },
    { name: 'cnn/13', bytes: await sg.onnx.exportModel(cnn, sg.zeros([2, 1, 8, 8]), { opset: 13 }), inShape: [2, 1, 8, 8] },
    { name: 'foreign/13', bytes: encodeModel(foreign), inShape: [4, 12] },
  ];
}

let lastOrtError = '';
async function ortLoads(bytes: Uint8Array): Promise<ort.InferenceSession | null> {
  try {
    return await ort.InferenceSession.create(bytes);
  } catch (e) {
    lastOrtError = String((e as Error).message).slice(0, 200);
    return null;
  }
}

function oursLoads(bytes: Uint8Array): sg.onnx.OnnxModel | 'refused' {
  try {
    return sg.onnx.importModel(bytes);
  } catch (e) {
    if (e instanceof sg.FormatError) return 'refused';
    throw e;
  }
}

describe('onnx import fuzz (onnxruntime as the oracle)', () => {
  test('every mutation onnxruntime refuses is refused by us; what both accept computes the same', async () => {
    const bases = await baseModels();
    const counts = new Map<string, Record<string, number>>();
    const bump = (row: string, col: string) => {
      const c = counts.get(row) ?? {};
      c[col] = (c[col] ?? 0) + 1;
      counts.set(row, c);
    };
    const ops = Object.keys(MUTATIONS);
    const failures: string[] = [];
    for (let seed = 0; seed < 400; seed++) {
      const r = new Random(seed);
      const base = bases[seed % bases.length];
      const op = ops[Math.floor(seed / bases.length) % ops.length];
      const m = decodeModel(base.bytes);
      if (!MUTATIONS[op](m, r)) continue;
      let bytes: Uint8Array;
      try {
        bytes = encodeModel(m);
      } catch {
        continue; // not expressible as a ModelProto
      }
      const theirs = await ortLoads(bytes);
      const ours = oursLoads(bytes);
      if (!theirs) {
        bump(op, ours === 'refused' ? 'both refuse' : 'ORT REFUSES, WE ACCEPT');
        if (ours !== 'refused') failures.push(`seed ${seed} (${base.name}): '${op}' accepted by us, refused by onnxruntime: ${lastOrtError}`);
        continue;
      }
      if (ours === 'refused') {
        bump(op, 'only we refuse');
        continue;
      }
      bump(op, 'both accept');
      const x = sg.randn(base.inShape, { seed });
      const xs = (await x.data()) as Float32Array;
      const out = await theirs.run({ [theirs.inputNames[0]]: new ort.Tensor('float32', xs, base.inShape) });
      const want = out[theirs.outputNames[0]].data as Float32Array;
      const got = (await ours.forward(x).data()) as Float32Array;
      const diff = want.length === got.length ? Math.max(0, ...Array.from(got, (v, i) => Math.abs(v - want[i]))) : Infinity;
      if (!(diff < 1e-4)) failures.push(`seed ${seed} (${base.name}): '${op}' accepted by both but outputs differ by ${diff}`);
    }
    // random byte flips of the encoded models: same rule
    let flips = 0;
    for (let seed = 0; seed < 300; seed++) {
      const r = new Random(1_000_000 + seed);
      const base = bases[seed % bases.length];
      const bytes = base.bytes.slice();
      for (let k = 1 + r.int(3); k > 0; k--) bytes[r.int(bytes.length)] = r.nextUint32() & 255;
      const theirs = await ortLoads(bytes);
      const ours = oursLoads(bytes);
      flips++;
      const col = theirs ? (ours === 'refused' ? 'only we refuse' : 'both accept') : ours === 'refused' ? 'both refuse' : 'ORT REFUSES, WE ACCEPT';
      bump('random byte flips', col);
      if (!theirs && ours !== 'refused') failures.push(`flip seed ${seed} (${base.name}): accepted by us, refused by onnxruntime`);
    }
    const cols = ['both refuse', 'only we refuse', 'both accept', 'ORT REFUSES, WE ACCEPT'];
    const w = Math.max(...[...counts.keys()].map((k) => k.length));
    console.log(
      `onnx import fuzz: outcomes by mutation (${flips} byte-flip cases)\n` +
        [`${'mutation'.padEnd(w)}  ${cols.map((c) => c.padStart(12)).join('  ')}`, ...[...counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, c]) => `${k.padEnd(w)}  ${cols.map((col) => String(c[col] ?? 0).padStart(12)).join('  ')}`)].join('\n'),
    );
    expect(failures).toEqual([]);
  }, 240_000);
});
