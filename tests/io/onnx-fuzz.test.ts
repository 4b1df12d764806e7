// ONNX import fuzzing with onnxruntime-node as the oracle: seeded mutations of exported models (and of a
// graph as another exporter writes it), by class of defect, and random byte flips. Every mutated model that
// onnxruntime refuses at load must be refused by us too, with a FormatError; each class must have models we
// refuse, and a class whose every model is invalid must be refused throughout; a model both accept must
// compute the same outputs. Prints the outcomes counted by class; a second test shows that the judgement
// fails an importer that accepts everything, in every class.
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { Random } from '../../src/core/random.js';
import { OP_SCHEMAS, type OnnxOp } from '../../src/onnx/op-schema.js';
import { decodeModel, encodeModel, type AttributeMsg, type ModelMsg, type NodeMsg } from '../../src/onnx/proto.js';
import { useGpu } from '../helpers/gpu.js';

useGpu();

const pick = <T>(r: Random, a: T[]): T => a[r.int(a.length)];
const nodes = (m: ModelMsg) => m.graph!.node!;
const withAttrs = (m: ModelMsg) => nodes(m).filter((n) => n.attribute?.length);

/**
 * A mutation edits a decoded model in place (false when it does not apply to that model). `weRefuse`: every
 * model it makes must be refused by us (it breaks ONNX, or leaves what we implement); `ortRefuses`: by
 * onnxruntime too. Where a flag is false, the comment says why the class may hold loadable models.
 */
interface Mutation {
  weRefuse: boolean;
  ortRefuses: boolean;
  apply: (m: ModelMsg, r: Random) => boolean;
}
const always = (apply: Mutation['apply']): Mutation => ({ weRefuse: true, ortRefuses: true, apply });
/** Invalid by ONNX's rules or outside our opsets, but onnxruntime loads it anyway (see each). */
const stricter = (apply: Mutation['apply']): Mutation => ({ weRefuse: true, ortRefuses: false, apply });

const VALUES: [number, Partial<AttributeMsg>][] = [[1, { f: 1 }], [2, { i: 1 }], [3, { s: new TextEncoder().encode('x') }], [6, { floats: [1] }], [7, { ints: [1] }]];
const schemaAttrs = (n: NodeMsg) => Object.keys(OP_SCHEMAS[n.op_type as OnnxOp]?.attrs ?? {});

const MUTATIONS: Record<string, Mutation> = {
  'attribute of the wrong type': always((m, r) => {
    const ns = withAttrs(m).filter((n) => n.op_type !== 'Constant');
    if (!ns.length) return false;
    const a = pick(r, pick(r, ns).attribute!);
    const [type, field] = pick(r, VALUES);
    if (type === a.type) return false;
    for (const k of ['f', 'i', 's', 'floats', 'ints', 't'] as const) delete a[k];
    Object.assign(a, { type }, field);
    return true;
  }),
  'attribute value in another type\'s field': always((m, r) => {
    const ns = withAttrs(m);
    if (!ns.length) return false;
    const a = pick(r, pick(r, ns).attribute!);
    const [type, field] = pick(r, VALUES);
    if (type === a.type) return false;
    Object.assign(a, field); // the declared type stays
    return true;
  }),
  'attribute type left UNDEFINED': always((m, r) => {
    const ns = withAttrs(m).filter((n) => n.op_type !== 'Constant');
    return ns.length ? (delete pick(r, pick(r, ns).attribute!).type, true) : false;
  }),
  'attribute given twice': always((m, r) => {
    const ns = withAttrs(m);
    if (!ns.length) return false;
    const n = pick(r, ns);
    n.attribute!.push(structuredClone(pick(r, n.attribute!)));
    return true;
  }),
  // an attribute of another op (or none): not in this op's schema at any opset
  'unknown attribute': always((m, r) => {
    const n = pick(r, nodes(m).filter((x) => x.op_type !== 'Constant'));
    const name = pick(r, ['perm', 'axis', 'alpha', 'kernel_shape', 'group', 'epsilon', 'not_an_attribute'].filter((a) => !schemaAttrs(n).includes(a)));
    (n.attribute ??= []).push({ name, type: 2, i: 1 });
    return true;
  }),
  'required attribute removed': always((m) => {
    const n = nodes(m).find((x) => ['MaxPool', 'AveragePool', 'Constant'].includes(x.op_type!));
    if (!n) return false;
    n.attribute = n.attribute!.filter((a) => a.name !== 'kernel_shape' && a.name !== 'value');
    return true;
  }),
  'more inputs than the schema allows': always((m, r) => {
    const n = pick(r, nodes(m).filter((x) => x.op_type !== 'Constant'));
    const extra = pick(r, n.input!.filter(Boolean));
    for (let k = 1 + r.int(3); k > 0; k--) n.input!.push(extra);
    return true;
  }),
  // removing an optional input (Gemm's C from opset 11, Conv's B) leaves a valid model
  'an input removed': { weRefuse: false, ortRefuses: false, apply: (m, r) => {
    const n = pick(r, nodes(m).filter((x) => (x.input?.length ?? 0) >= 1));
    n.input!.splice(r.int(n.input!.length), 1);
    return true;
  } },
  'more outputs than the schema allows': always((m, r) => {
    const n = pick(r, nodes(m));
    n.output!.push(`${n.output![0]}_extra1`, `${n.output![0]}_extra2`, `${n.output![0]}_extra3`, `${n.output![0]}_extra4`, `${n.output![0]}_extra5`);
    return true;
  }),
  'duplicate node name': always((m, r) => {
    const ns = nodes(m);
    if (ns.length < 2) return false;
    const i = r.int(ns.length);
    const j = (i + 1 + r.int(ns.length - 1)) % ns.length;
    ns[j].name = ns[i].name || 'same';
    ns[i].name = ns[j].name;
    return true;
  }),
  'duplicate output name': always((m, r) => {
    const ns = nodes(m);
    if (ns.length < 2) return false;
    const i = r.int(ns.length - 1);
    ns[i + 1].output![0] = ns[i].output![0];
    return true;
  }),
  'output name reuses an initializer': always((m, r) => {
    const inits = m.graph!.initializer ?? [];
    if (!inits.length) return false;
    pick(r, nodes(m)).output![0] = pick(r, inits).name!;
    return true;
  }),
  'graph input listed twice': always((m) => (m.graph!.input!.push(structuredClone(m.graph!.input![0])), true)),
  'input names nothing': always((m, r) => {
    const n = pick(r, nodes(m).filter((x) => x.input?.some(Boolean)));
    n.input![n.input!.findIndex(Boolean)] = 'nowhere';
    return true;
  }),
  'missing initializer': always((m, r) => {
    const inits = m.graph!.initializer ?? [];
    if (!inits.length) return false;
    const [gone] = inits.splice(r.int(inits.length), 1);
    m.graph!.input = (m.graph!.input ?? []).filter((v) => v.name !== gone.name);
    return true;
  }),
  // ONNX requires topological order; onnxruntime sorts the nodes itself
  'input used before it is defined': stricter((m) => (nodes(m).reverse(), true)),
  // some names are real ONNX ops that onnxruntime runs (Resize, Einsum, ...) and we do not implement
  'unknown op': stricter((m, r) => ((pick(r, nodes(m)).op_type = pick(r, ['Foo', 'relu', 'Resize', 'Einsum', 'LayerNormalization'])), true)),
  'op from an unknown domain': always((m, r) => ((pick(r, nodes(m)).domain = pick(r, ['com.example', 'ai.onnx.ml', 'com.microsoft'])), true)),
  // onnxruntime loads opsets 22..24 and, for ops older than 7, 5 and 6; ours implements 7..21 only
  'opset outside 7..21': stricter((m, r) => ((m.opset_import![0].version = pick(r, [1, 5, 6, 22, 24, 99, 1000])), true)),
  // onnxruntime then assumes its own newest opset
  'no default-domain opset': stricter((m) => ((m.opset_import = [{ domain: 'com.example', version: 1 }]), true)),
  // onnxruntime keeps one of the two; which the writer meant is unknowable
  'opset imported twice': stricter((m) => (m.opset_import!.push({ domain: '', version: 9 }), true)),
  // onnxruntime loads IR 11 and 12 (newer than the ONNX we follow) and an unset IR
  'IR version unset or too new': stricter((m, r) => ((m.ir_version = pick(r, [0, 1, 2, 12, 99])), true)),
  'op newer than the opset': always((m, r) => {
    const ns = nodes(m).filter((n) => ['Relu', 'Tanh', 'Sigmoid'].includes(n.op_type!));
    if (!ns.length) return false;
    const n = pick(r, ns);
    n.op_type = 'Gelu';
    n.attribute = [{ name: 'approximate', type: 3, s: new TextEncoder().encode('tanh') }];
    m.opset_import![0].version = pick(r, [11, 13, 17]);
    return true;
  }),
  'attribute newer than the opset': always((m, r) => {
    const ns = nodes(m).filter((n) => n.op_type === 'Reshape' || n.op_type === 'MaxPool');
    if (!ns.length) return false;
    const n = pick(r, ns);
    n.attribute!.push(n.op_type === 'Reshape' ? { name: 'allowzero', type: 2, i: 0 } : { name: 'dilations', type: 7, ints: [1, 1] });
    m.opset_import![0].version = n.op_type === 'Reshape' ? 13 : 9;
    return true;
  }),
  'graph input without a name': always((m) => ((m.graph!.input![0].name = ''), true)),
  // onnxruntime loads a graph without outputs (and runs nothing)
  'no graph output': stricter((m) => ((m.graph!.output = []), true)),
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

/** Loading is what is judged: single-threaded sessions without graph optimisation load in about a millisecond. */
const ORT_OPTIONS: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'disabled' };
const FLIPS = 'random byte flips';

interface Case {
  cls: string; // a MUTATIONS key, or FLIPS
  seed: number;
  base: { name: string; inShape: number[] };
  bytes: Uint8Array;
  theirs: ort.InferenceSession | null;
  ortError: string;
}

async function withOrtVerdict(c: Omit<Case, 'theirs' | 'ortError'>): Promise<Case> {
  try {
    return { ...c, theirs: await ort.InferenceSession.create(c.bytes, ORT_OPTIONS), ortError: '' };
  } catch (e) {
    return { ...c, theirs: null, ortError: String((e as Error).message).slice(0, 200) };
  }
}

/** Seeded mutations of the base models, then random byte flips of them, each with onnxruntime's verdict. */
async function buildCases(): Promise<Case[]> {
  const bases = await baseModels();
  const classes = Object.keys(MUTATIONS);
  const cases: Case[] = [];
  for (let seed = 0; seed < 400; seed++) {
    const r = new Random(seed);
    const base = bases[seed % bases.length];
    const cls = classes[Math.floor(seed / bases.length) % classes.length];
    const m = decodeModel(base.bytes);
    if (!MUTATIONS[cls].apply(m, r)) continue;
    let bytes: Uint8Array;
    try {
      bytes = encodeModel(m);
    } catch {
      continue; // not expressible as a ModelProto
    }
    cases.push(await withOrtVerdict({ cls, seed, base, bytes }));
  }
  for (let seed = 0; seed < 300; seed++) {
    const r = new Random(1_000_000 + seed);
    const base = bases[seed % bases.length];
    const bytes = base.bytes.slice();
    for (let k = 1 + r.int(3); k > 0; k--) bytes[r.int(bytes.length)] = r.nextUint32() & 255;
    cases.push(await withOrtVerdict({ cls: FLIPS, seed, base, bytes }));
  }
  return cases;
}

type Verdict = sg.onnx.OnnxModel | 'refused';
const COLS = ['both refuse', 'only we refuse', 'both accept', 'ORT REFUSES, WE ACCEPT'] as const;
type Counts = Record<(typeof COLS)[number], number>;

function ours(bytes: Uint8Array): Verdict {
  try {
    return sg.onnx.importModel(bytes);
  } catch (e) {
    if (e instanceof sg.FormatError) return 'refused';
    throw e;
  }
}

/**
 * `load`'s verdict on each case, counted by class, and each breach of the rules: nothing onnxruntime refuses
 * is accepted; every class was applied and had at least one model refused by us; a class marked weRefuse had
 * all refused; one marked ortRefuses was refused by onnxruntime throughout (else its mutation or flag is wrong).
 * Byte flips are held to the first two only: a flip may land in a weight and leave a valid model.
 */
function judge(cases: Case[], load: (bytes: Uint8Array) => Verdict) {
  const counts = new Map<string, Counts>();
  const problems: string[] = [];
  const accepted: [Case, sg.onnx.OnnxModel][] = [];
  for (const c of cases) {
    const v = load(c.bytes);
    const col = c.theirs ? (v === 'refused' ? 'only we refuse' : 'both accept') : v === 'refused' ? 'both refuse' : 'ORT REFUSES, WE ACCEPT';
    const row = counts.get(c.cls) ?? { 'both refuse': 0, 'only we refuse': 0, 'both accept': 0, 'ORT REFUSES, WE ACCEPT': 0 };
    row[col]++;
    counts.set(c.cls, row);
    if (col === 'ORT REFUSES, WE ACCEPT') problems.push(`seed ${c.seed} (${c.base.name}): '${c.cls}' accepted by us, refused by onnxruntime: ${c.ortError}`);
    if (col === 'both accept' && v !== 'refused') accepted.push([c, v]);
  }
  for (const cls of [...Object.keys(MUTATIONS), FLIPS]) {
    const row = counts.get(cls);
    if (!row) {
      problems.push(`'${cls}' never applied`);
      continue;
    }
    if (row['both refuse'] + row['only we refuse'] === 0) problems.push(`'${cls}': we refused none`);
    const rules = MUTATIONS[cls];
    if (rules?.weRefuse && row['both accept'] > 0) problems.push(`'${cls}': we accepted ${row['both accept']}, each of which is invalid`);
    if (rules?.ortRefuses && row['only we refuse'] + row['both accept'] > 0) problems.push(`'${cls}': onnxruntime loaded ${row['only we refuse'] + row['both accept']} (the mutation or its flag is wrong)`);
  }
  return { counts, problems, accepted };
}

function table(counts: Map<string, Counts>): string {
  const w = Math.max(...[...counts.keys()].map((k) => k.length));
  const line = (k: string, cells: string[]) => `${k.padEnd(w)}  ${cells.map((c) => c.padStart(12)).join('  ')}`;
  return [line('class', [...COLS]), ...[...counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, c]) => line(k, COLS.map((col) => String(c[col]))))].join('\n');
}

describe('onnx import fuzz (onnxruntime as the oracle)', () => {
  let cases: Case[] = [];
  beforeAll(async () => {
    cases = await buildCases();
  }, 120_000);

  test('nothing onnxruntime refuses is accepted, every class is refused as it must be, and what both accept computes the same', async () => {
    const { counts, problems, accepted } = judge(cases, ours);
    console.log(`onnx import fuzz: ${cases.length} models, outcomes by class\n${table(counts)}`);
    for (const [c, model] of accepted) {
      const x = sg.randn(c.base.inShape, { seed: c.seed });
      const out = await c.theirs!.run({ [c.theirs!.inputNames[0]]: new ort.Tensor('float32', (await x.data()) as Float32Array, c.base.inShape) });
      const want = out[c.theirs!.outputNames[0]].data as Float32Array;
      const got = (await model.forward(x).data()) as Float32Array;
      const diff = want.length === got.length ? Math.max(0, ...Array.from(got, (v, i) => Math.abs(v - want[i]))) : Infinity;
      if (!(diff < 1e-4)) problems.push(`seed ${c.seed} (${c.base.name}): '${c.cls}' accepted by both but outputs differ by ${diff}`);
    }
    expect(accepted.length, 'some mutations leave a valid model, and both must compute it alike').toBeGreaterThan(0);
    expect(problems).toEqual([]);
  }, 120_000);

  test('the same judgement fails an importer that accepts everything, in every class', () => {
    const acceptAll = () => ({}) as sg.onnx.OnnxModel;
    const { problems } = judge(cases, acceptAll);
    for (const cls of [...Object.keys(MUTATIONS), FLIPS]) expect(problems.some((p) => p.includes(`'${cls}'`)), cls).toBe(true);
  });
});
