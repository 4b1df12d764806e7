// The importer's ONNX op schemas (src/onnx/op-schema.ts) against onnxruntime-node, class by class, for every
// op in the table at every opset where its schema changes: each attribute of each other type, with a value in
// a field other than its type's, outside the opsets that define it, unknown, or (when required) missing; one
// input too many or too few, one output too many. onnxruntime must refuse each (so the table says what ONNX says) and we
// must refuse each with a FormatError naming the node, its op and what was expected. The minimal node and
// each attribute given rightly must load in onnxruntime, so that a refusal is about the one change made.
// No GPU: every model here has no initializer, so import makes no tensor.
import * as ort from 'onnxruntime-node';
import { describe, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { atOpset, definedAt, OP_SCHEMAS, OPSET_RANGE, type AttrSpec, type OnnxOp, type OpSchema, type ValueType } from '../../src/onnx/op-schema.js';
import { AttrType, encodeModel, type AttributeMsg, type AttrTypeName, type ModelMsg, type NodeMsg } from '../../src/onnx/proto.js';

const schemaOf = (op: OnnxOp): OpSchema => OP_SCHEMAS[op];

/** A value of each attribute type, in that type's field. */
const VALUE: Partial<Record<AttrTypeName, Partial<AttributeMsg>>> = {
  FLOAT: { f: 0.5 },
  INT: { i: 1 },
  STRING: { s: new TextEncoder().encode('x') },
  INTS: { ints: [1, 1] },
  FLOATS: { floats: [1] },
  TENSOR: { t: { dims: [], data_type: 1, float_data: [1] } },
};
/** Values for the attributes where VALUE's would not load in onnxruntime. */
const EXAMPLE: Record<string, Partial<AttributeMsg>> = {
  auto_pad: { s: new TextEncoder().encode('NOTSET') },
  approximate: { s: new TextEncoder().encode('tanh') },
  pads: { ints: [0, 0, 0, 0] },
  perm: { ints: [1, 0] },
  output_padding: { ints: [0, 0] },
  training_mode: { i: 0 },
  storage_order: { i: 0 },
  allowzero: { i: 0 },
};
const attr = (name: string, type: ValueType, value = EXAMPLE[name] ?? VALUE[type]): AttributeMsg => ({ name, type: AttrType[type], ...value });
/** Element types of inputs that are not float (Reshape's shape, Dropout's training_mode). */
const INPUT_TYPE: Partial<Record<OnnxOp, number[]>> = { Reshape: [1, 7], Dropout: [1, 1, 9] };

/** A one-node model of `op` at `opset` with `n` inputs and outputs, its required attributes, and `attrs`. */
function model(op: OnnxOp, opset: number, o: { inputs?: number; outputs?: number; attrs?: AttributeMsg[]; required?: boolean } = {}): ModelMsg {
  const s = schemaOf(op);
  const nIn = o.inputs ?? atOpset(s.inputs, opset)![0];
  const nOut = o.outputs ?? 1;
  const required = o.required === false ? [] : Object.entries(s.attrs).filter(([, a]) => a.required && definedAt(a, opset)).map(([k, a]) => attr(k, a.type));
  const ins = Array.from({ length: nIn }, (_, i) => `in${i}`);
  const outs = Array.from({ length: nOut }, (_, i) => (i ? `out${i}` : 'y'));
  const node: NodeMsg = { op_type: op, name: 'n', input: ins, output: outs, attribute: [...required, ...(o.attrs ?? [])] };
  return {
    ir_version: 8,
    opset_import: [{ domain: '', version: opset }],
    graph: {
      name: 'one',
      node: [node],
      // at least one graph input, for our importer; x unused when the node takes none
      input: (ins.length ? ins : ['x']).map((name, i) => ({ name, type: { tensor_type: { elem_type: INPUT_TYPE[op]?.[i] ?? 1 } } })),
      output: [{ name: 'y', type: { tensor_type: { elem_type: 1 } } }], // optional outputs (mask, indices, ...) need not be graph outputs
    },
  };
}

/** The opsets in range at which `op`'s schema changes (and the range's ends). */
function opsetsOf(op: OnnxOp): number[] {
  const s = schemaOf(op);
  const keys = [...Object.keys(s.inputs), ...Object.keys(s.outputs)].map(Number);
  const attrEdges = Object.values(s.attrs).flatMap((a) => [a.since, a.until, a.until && a.until - 1]).filter((v): v is number => !!v);
  const first = Math.max(OPSET_RANGE[0], Math.min(...Object.keys(s.inputs).map(Number)));
  return [...new Set([first, ...keys, ...attrEdges, OPSET_RANGE[1]])].filter((v) => v >= first && v <= OPSET_RANGE[1]).sort((a, b) => a - b);
}

/** Loading is what is tested: one thread and no graph optimisation keep a session cheap (a few ms). */
const ORT_OPTIONS: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'disabled' };
let sessions = 0;
async function ortLoads(m: ModelMsg): Promise<true | string> {
  sessions++;
  try {
    await ort.InferenceSession.create(encodeModel(m), ORT_OPTIONS);
    return true;
  } catch (e) {
    return String((e as Error).message).slice(0, 300);
  }
}
function ourRefusal(m: ModelMsg): string | null {
  try {
    sg.onnx.importModel(encodeModel(m));
    return null;
  } catch (e) {
    if (!(e instanceof sg.FormatError)) throw e;
    return e.message;
  }
}

const KINDS = ['too many inputs', 'too few inputs', 'too many outputs', 'unknown attribute', 'attribute outside its opsets', 'required attribute missing', 'attribute of another type', 'value in another type\'s field'] as const;
type Kind = (typeof KINDS)[number];
const refusedByBoth = new Map<Kind, number>();

/** One mutated model per case: what it is, and what our message must say. */
interface Case {
  kind: Kind;
  what: string;
  model: ModelMsg;
  message: RegExp;
}

function casesOf(op: OnnxOp, opset: number): { valid: [string, ModelMsg][]; invalid: Case[] } {
  const s = schemaOf(op);
  const node = `node 'n' \\(${op}\\): `;
  const [minIn, maxIn] = atOpset(s.inputs, opset)!;
  const [, maxOut] = atOpset(s.outputs, opset)!;
  // ONNX's shape inference gives BatchNormalization (opset 14 on) its optional outputs only in training mode
  const training = op === 'BatchNormalization' && opset >= 14 ? [attr('training_mode', 'INT', { i: 1 })] : [];
  const valid: [string, ModelMsg][] = [
    [`${op} with ${minIn} inputs`, model(op, opset)],
    [`${op} with ${maxIn} inputs and ${maxOut} outputs`, model(op, opset, { inputs: maxIn, outputs: maxOut, attrs: maxOut > 1 ? training : [] })],
  ];
  const invalid: Case[] = [
    { kind: 'too many inputs', what: `${maxIn + 1} inputs`, model: model(op, opset, { inputs: maxIn + 1 }), message: new RegExp(`${node}has ${maxIn + 1} input\\(s\\); ${op} takes`) },
    { kind: 'too many outputs', what: `${maxOut + 1} outputs`, model: model(op, opset, { outputs: maxOut + 1 }), message: new RegExp(`${node}has ${maxOut + 1} output\\(s\\); ${op} gives`) },
    { kind: 'unknown attribute', what: 'an unknown attribute', model: model(op, opset, { attrs: [attr('not_an_attribute', 'INT')] }), message: new RegExp(`${node}attribute 'not_an_attribute' is not defined for ${op} at opset ${opset}`) },
  ];
  if (minIn > 0) invalid.push({ kind: 'too few inputs', what: `${minIn - 1} inputs`, model: model(op, opset, { inputs: minIn - 1 }), message: new RegExp(`${node}has ${minIn - 1} input\\(s\\)`) });
  for (const [name, a] of Object.entries(s.attrs)) attributeCases(op, opset, name, a, valid, invalid);
  return { valid, invalid };
}

/** The cases of one attribute of `op` at `opset`, added to `valid` and `invalid`. */
function attributeCases(op: OnnxOp, opset: number, name: string, a: AttrSpec, valid: [string, ModelMsg][], invalid: Case[]): void {
  const node = `node 'n' \\(${op}\\): `;
  const required = Object.entries(schemaOf(op).attrs).filter(([k, b]) => k !== name && b.required && definedAt(b, opset)).map(([k, b]) => attr(k, b.type));
  const withAttr = (x: AttributeMsg) => model(op, opset, { required: false, attrs: [x, ...required] });
  if (!definedAt(a, opset)) {
    invalid.push({ kind: 'attribute outside its opsets', what: `${name} outside opsets [${a.since ?? 1}, ${a.until ?? '∞'})`, model: withAttr(attr(name, a.type)), message: new RegExp(`${node}attribute '${name}' is not defined for ${op} at opset ${opset}`) });
    return;
  }
  if (a.required) invalid.push({ kind: 'required attribute missing', what: `required ${name} missing`, model: model(op, opset, { required: false, attrs: required }), message: new RegExp(`${node}required attribute '${name}' \\(${a.type}\\) is missing`) });
  valid.push([`${name} as ${a.type}`, withAttr(attr(name, a.type))]);
  for (const t of (Object.keys(VALUE) as ValueType[]).filter((t) => t !== a.type))
    invalid.push({ kind: 'attribute of another type', what: `${name} as ${t}`, model: withAttr(attr(name, t)), message: new RegExp(`${node}attribute '${name}' must be of type ${a.type}, got ${t}`) });
  // the declared type right, and a value in another type's field too
  const stray = a.type === 'FLOAT' ? 'INT' : 'FLOAT';
  invalid.push({ kind: "value in another type's field", what: `${name} with a ${stray} value too`, model: withAttr({ ...attr(name, a.type), ...VALUE[stray] }), message: new RegExp(`${node}attribute '${name}' is ${a.type} \\(field '\\w+'\\) but holds a value in field\\(s\\) '${stray === 'INT' ? 'i' : 'f'}'`) });
}

// Constant is left to the next block: onnxruntime turns Constant nodes into initializers before it checks
// schemas, so it loads Constants that ONNX's schema refuses (value_float at opset 11, two values)
const OPS = (Object.keys(OP_SCHEMAS) as OnnxOp[]).filter((op) => op !== 'Constant');

describe('every op of the schema table, at every opset where its schema changes, against onnxruntime', () => {
  test.each(OPS)('%s: each malformed node is refused by onnxruntime and by us, naming node, op and what was expected', async (op) => {
    const problems: string[] = [];
    for (const opset of opsetsOf(op)) {
      const { valid, invalid } = casesOf(op, opset);
      for (const [what, m] of valid) {
        const theirs = await ortLoads(m);
        if (theirs !== true) problems.push(`opset ${opset}, ${what}: onnxruntime refuses the well-formed node: ${theirs}`);
        // we may refuse it for what we do not implement (ceil_mode=1, exact Gelu, ...), never for its schema
        const ours = ourRefusal(m);
        if (ours && /is not defined for|must be of type|input\(s\)|output\(s\)|holds a value|is missing/.test(ours)) problems.push(`opset ${opset}, ${what}: we refuse it: ${ours}`);
      }
      for (const c of invalid) {
        if ((await ortLoads(c.model)) === true) problems.push(`opset ${opset}, ${c.what}: onnxruntime loads it (the table disagrees with ONNX)`);
        const ours = ourRefusal(c.model);
        if (!ours) problems.push(`opset ${opset}, ${c.what}: WE ACCEPT IT`);
        else if (!c.message.test(ours)) problems.push(`opset ${opset}, ${c.what}: refused, but the message ${JSON.stringify(ours)} does not match ${c.message}`);
        else refusedByBoth.set(c.kind, (refusedByBoth.get(c.kind) ?? 0) + 1);
      }
    }
    expect(problems).toEqual([]);
  });
  test('every class of malformation was built and refused by both', () => {
    console.log(`onnx schema conformance (${sessions} models): refused by both, by class\n${KINDS.map((k) => `  ${k.padEnd(30)} ${refusedByBoth.get(k) ?? 0}`).join('\n')}`);
    for (const k of KINDS) expect(refusedByBoth.get(k) ?? 0, k).toBeGreaterThan(0);
  });
});

/** A graph of float inputs `inputs` and output y, with `nodes`. */
function graph(nodes: NodeMsg[], o: { opset?: number; imports?: ModelMsg['opset_import']; ir?: number; inputs?: string[]; initializers?: string[]; outputs?: string[]; sparse?: boolean } = {}): ModelMsg {
  const f32 = (name: string) => ({ name, dims: [3], data_type: 1, float_data: [1, 2, 3] });
  const value = (name: string) => ({ name, type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 2 }, { dim_value: 3 }] } } } });
  return {
    ir_version: o.ir ?? 8,
    opset_import: o.imports ?? [{ domain: '', version: o.opset ?? 13 }],
    graph: {
      name: 'g',
      node: nodes,
      initializer: (o.initializers ?? []).map(f32),
      ...(o.sparse ? { sparse_initializer: [{ values: { name: 's', dims: [1], data_type: 1, float_data: [1] }, indices: { dims: [1], data_type: 7, int64_data: [0] }, dims: [3] }] } : {}),
      input: (o.inputs ?? ['x']).map(value),
      output: (o.outputs ?? ['y']).map(value),
    },
  };
}
const relu = (name: string, input: string, output: string): NodeMsg => ({ op_type: 'Relu', name, input: [input], output: [output] });
const node = (op_type: string, input: string[], attribute: AttributeMsg[] = []): NodeMsg => ({ op_type, name: 'n', input, output: ['y'], attribute });
const RANGE = `this importer implements opsets ${OPSET_RANGE[0]} to ${OPSET_RANGE[1]}`;

// Graph-level classes: names (SSA), opsets and domains, Constant. `ort` is onnxruntime's verdict, asserted too,
// so that each row where we are stricter says so (and why) and notices if onnxruntime changes its mind.
const GRAPH_CASES: [what: string, model: ModelMsg, ort: 'refuses' | 'loads', ours: RegExp][] = [
  ['two nodes of the same name', graph([relu('r', 'x', 'h'), relu('r', 'h', 'y')]), 'refuses', /node 'r' \(Relu\): node name 'r' is used twice/],
  ['two nodes giving the same output', graph([relu('a', 'x', 'y'), relu('b', 'x', 'y')]), 'refuses', /value 'y' is defined twice \(again by node 'b' \(Relu\)\)/],
  ['a node output named like a graph input', graph([relu('a', 'x', 'x'), relu('b', 'x', 'y')]), 'refuses', /value 'x' is defined twice \(again by node 'a' \(Relu\)\)/],
  ['a node output named like an initializer', graph([node('Add', ['x', 'w']), relu('b', 'x', 'w')], { initializers: ['w'] }), 'refuses', /value 'w' is defined twice/],
  ['a graph input listed twice', graph([relu('a', 'x', 'y')], { inputs: ['x', 'x'] }), 'refuses', /value 'x' is defined twice \(again by graph input 'x'\)/],
  ['an input that nothing gives', graph([node('Add', ['x', 'nowhere'])]), 'refuses', /node 'n' \(Add\): input 'nowhere' is used before it is defined \(or never is\)/],
  ['a graph output that nothing gives', graph([relu('a', 'x', 'y')], { outputs: ['y', 'z'] }), 'refuses', /graph output 'z' is not computed by any node/],
  // ONNX requires nodes in topological order; onnxruntime sorts them itself
  ['an input given by a later node', graph([relu('b', 'h', 'y'), relu('a', 'x', 'h')]), 'loads', /node 'b' \(Relu\): input 'h' is used before it is defined/],
  // onnxruntime warns and keeps the last; ONNX's checker refuses: which one was meant is unknowable
  ['an initializer given twice', graph([node('Add', ['x', 'w'])], { initializers: ['w', 'w'] }), 'loads', /value 'w' is defined twice \(again by initializer 'w'\)/],
  ['a node of another domain', graph([{ ...relu('a', 'x', 'y'), domain: 'com.microsoft' }], { imports: [{ domain: '', version: 13 }, { domain: 'com.microsoft', version: 1 }] }), 'refuses', /node 'a' \(Relu\): domain 'com.microsoft' is not supported/],
  ['no opset import at all', graph([relu('a', 'x', 'y')], { imports: [] }), 'refuses', new RegExp(`imports no opset of the default domain \\(ai.onnx; ${RANGE}\\)`)],
  // onnxruntime then assumes its newest opset: the ops' meaning would be a guess
  ['no opset of the default domain', graph([relu('a', 'x', 'y')], { imports: [{ domain: 'com.example', version: 1 }] }), 'loads', new RegExp(`imports no opset of the default domain \\(ai.onnx; ${RANGE}\\)`)],
  ['the default domain imported twice', graph([relu('a', 'x', 'y')], { imports: [{ domain: '', version: 13 }, { domain: 'ai.onnx', version: 11 }] }), 'loads', /opset_import names domain 'ai.onnx' twice/],
  ['opset 6 (before the range)', graph([relu('a', 'x', 'y')], { opset: 6 }), 'loads', new RegExp(`imports opset 6 of the default domain; ${RANGE}`)],
  // newer opsets may change what an op means (Reshape, Pad, ... did); we follow each op only through the range
  ['opset 22 (after the range)', graph([relu('a', 'x', 'y')], { opset: 22 }), 'loads', new RegExp(`imports opset 22 of the default domain; ${RANGE}`)],
  ['opset 1000', graph([relu('a', 'x', 'y')], { opset: 1000 }), 'refuses', new RegExp(`imports opset 1000 of the default domain; ${RANGE}`)],
  // before IR 3 a file had no opset_import: the opset it was written against is unknown
  ['IR version 2 (no opset_import yet)', graph([relu('a', 'x', 'y')], { ir: 2 }), 'loads', /IR version 2 is not supported \(3 to 10\)/],
  ['sparse initializers', graph([relu('a', 'x', 'y')], { sparse: true }), 'loads', /sparse initializers are not supported/],
  // with training_mode true, onnxruntime drops at random; we run Dropout as the identity
  ['Dropout with a training_mode input', graph([node('Dropout', ['x', '', 'x'])], { opset: 13 }), 'refuses', /node 'n' \(Dropout\): its training_mode input is not supported/],
  ['Flatten with a negative axis before opset 11', graph([node('Flatten', ['x'], [{ name: 'axis', type: 2, i: -1 }])], { opset: 9 }), 'refuses', /node 'n' \(Flatten\): axis -1 must be >= 0 before opset 11/],
  ['Transpose with a perm that is no permutation', graph([node('Transpose', ['x'], [{ name: 'perm', type: 7, ints: [0, 0] }])]), 'refuses', /node 'n' \(Transpose\): perm \[0,0\] is not a permutation of 0..1/],
];
// onnxruntime folds Constant nodes into initializers before it checks their schema, so it loads Constants that
// ONNX refuses; ours follow ONNX's Constant schema
const c = (opset: number, ...attribute: AttributeMsg[]) => graph([{ op_type: 'Constant', name: 'c', input: [], output: ['k'], attribute }, node('Add', ['x', 'k'])], { opset });
const CONSTANT_CASES: [string, ModelMsg, RegExp][] = [
  ['value_float before opset 12', c(11, { name: 'value_float', type: 1, f: 2 }), /node 'c' \(Constant\): attribute 'value_float' is not defined for Constant at opset 11 \(its attributes there: value, sparse_value\)/],
  ['two values', c(13, { name: 'value_float', type: 1, f: 2 }, { name: 'value_int', type: 2, i: 2 }), /node 'c' \(Constant\): needs exactly one value attribute/],
  ['a TENSOR value without its tensor', c(13, { name: 'value', type: 4 }), /node 'c' \(Constant\): attribute 'value' is TENSOR but its field 't' is empty/],
  ['a value in another type\'s field', c(13, { name: 'value_float', type: 1, i: 2 }), /node 'c' \(Constant\): attribute 'value_float' is FLOAT \(field 'f'\) but holds a value in field\(s\) 'i'/],
  ['value_string', c(13, { name: 'value_string', type: 3, s: new Uint8Array([65]) }), /node 'c' \(Constant\): attribute 'value_string' is valid ONNX but not supported by this importer/],
];

describe('graph-level rules (names, opsets, domains) against onnxruntime', () => {
  test.each(GRAPH_CASES)('%s', async (_what, m, verdict, ours) => {
    expect((await ortLoads(m)) === true ? 'loads' : 'refuses').toBe(verdict);
    expect(ourRefusal(m)).toMatch(ours);
  });
  test.each(CONSTANT_CASES)('Constant: %s is refused', (_what, m, ours) => expect(ourRefusal(m)).toMatch(ours));
  test('the graphs above are refused for the one change: the same graph without it loads in both', async () => {
    const m = graph([relu('a', 'x', 'h'), relu('b', 'h', 'y')]);
    expect(await ortLoads(m)).toBe(true);
    expect(ourRefusal(m)).toBeNull();
  });
});
