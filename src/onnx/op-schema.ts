// The ONNX operator schemas of the ops the importer runs, as onnxruntime checks them when it loads a model
// (onnx's OpSchema::Verify): per op, its input and output counts by opset, and each attribute's type, the
// opsets that define it and whether it is required. This table is the one place for them: import.ts's rules
// give the ops their meaning, checkNode() here decides whether a node is well formed, before any GPU work.
// tests/io/onnx-schema.test.ts checks every entry against onnxruntime-node.
import { FormatError } from '../core/errors.js';
import { AttrType, type AttrTypeName, type AttributeMsg, type NodeMsg } from './proto.js';

/** Opsets of the default domain that the importer implements (onnxruntime reads 7 on; 21 is ONNX 1.16's). */
export const OPSET_RANGE = [7, 21] as const;
/** IR versions: 3 introduced opset_import; 10 is ONNX 1.16's. */
export const IR_RANGE = [3, 10] as const;

export type ValueType = Exclude<AttrTypeName, 'UNDEFINED'>;
export interface AttrSpec {
  type: ValueType;
  /** The opsets that define it: [since, until). */
  since?: number;
  until?: number;
  required?: boolean;
  /** Valid ONNX that the importer does not implement: refused by name rather than ignored. */
  unsupported?: boolean;
}
type Count = readonly [min: number, max: number];
/** Values keyed by the opset from which each holds; the smallest key is the opset that introduced the op. */
type ByOpset<T> = Readonly<Record<number, T>>;
export interface OpSchema {
  inputs: ByOpset<Count>;
  outputs: ByOpset<Count>;
  attrs: Readonly<Record<string, AttrSpec>>;
}

const ONE: ByOpset<Count> = { 1: [1, 1] };
const unary: OpSchema = { inputs: ONE, outputs: ONE, attrs: {} };
const binary: OpSchema = { inputs: { 1: [2, 2] }, outputs: ONE, attrs: {} };
/** Conv's, ConvTranspose's and the pools' window attributes (MaxPool and AveragePool gained dilations later). */
const windowAttrs = (dilationsSince = 1) =>
  ({
    auto_pad: { type: 'STRING' },
    kernel_shape: { type: 'INTS' },
    strides: { type: 'INTS' },
    pads: { type: 'INTS' },
    dilations: { type: 'INTS', since: dilationsSince },
  }) as const;

// Only opsets 7..21 matter (OPSET_RANGE); what changed before 7 (Gemm's and Add's `broadcast`, BatchNormalization's
// `is_test`, Reshape's `shape` attribute) is left out. Attributes that do not change an inference result are
// listed and ignored: Dropout's ratio and seed, BatchNormalization's momentum, MaxPool's storage_order (which
// orders the Indices output only, and that output is refused).
export const OP_SCHEMAS = {
  Constant: {
    inputs: { 1: [0, 0] },
    outputs: ONE,
    attrs: {
      value: { type: 'TENSOR' },
      sparse_value: { type: 'SPARSE_TENSOR', since: 11, unsupported: true },
      value_float: { type: 'FLOAT', since: 12 },
      value_floats: { type: 'FLOATS', since: 12 },
      value_int: { type: 'INT', since: 12 },
      value_ints: { type: 'INTS', since: 12 },
      value_string: { type: 'STRING', since: 12, unsupported: true },
      value_strings: { type: 'STRINGS', since: 12, unsupported: true },
    },
  },
  Gemm: {
    inputs: { 1: [3, 3], 11: [2, 3] },
    outputs: ONE,
    attrs: { alpha: { type: 'FLOAT' }, beta: { type: 'FLOAT' }, transA: { type: 'INT' }, transB: { type: 'INT' } },
  },
  MatMul: binary,
  Add: binary,
  Sub: binary,
  Mul: binary,
  Div: binary,
  Pow: binary,
  Relu: unary,
  Sigmoid: unary,
  Erf: { inputs: { 9: [1, 1] }, outputs: ONE, attrs: {} },
  Elu: { inputs: ONE, outputs: ONE, attrs: { alpha: { type: 'FLOAT' } } },
  Softplus: unary,
  HardSigmoid: { inputs: ONE, outputs: ONE, attrs: { alpha: { type: 'FLOAT' }, beta: { type: 'FLOAT' } } },
  PRelu: binary,
  Tanh: unary,
  Exp: unary,
  Log: unary,
  Sqrt: unary,
  Abs: unary,
  Neg: unary,
  Identity: unary,
  // opset 12 turned the ratio attribute into an input and added a training_mode input
  Dropout: { inputs: { 1: [1, 1], 12: [1, 3] }, outputs: { 1: [1, 2] }, attrs: { ratio: { type: 'FLOAT', until: 12 }, seed: { type: 'INT', since: 12 } } },
  LeakyRelu: { inputs: ONE, outputs: ONE, attrs: { alpha: { type: 'FLOAT' } } },
  Gelu: { inputs: { 20: [1, 1] }, outputs: ONE, attrs: { approximate: { type: 'STRING' } } },
  Softmax: { inputs: ONE, outputs: ONE, attrs: { axis: { type: 'INT' } } },
  LogSoftmax: { inputs: ONE, outputs: ONE, attrs: { axis: { type: 'INT' } } },
  Flatten: { inputs: ONE, outputs: ONE, attrs: { axis: { type: 'INT' } } },
  Reshape: { inputs: { 5: [2, 2] }, outputs: ONE, attrs: { allowzero: { type: 'INT', since: 14 } } },
  Conv: { inputs: { 1: [2, 3] }, outputs: ONE, attrs: { ...windowAttrs(), group: { type: 'INT' } } },
  ConvTranspose: {
    inputs: { 1: [2, 3] },
    outputs: ONE,
    attrs: { ...windowAttrs(), group: { type: 'INT' }, output_padding: { type: 'INTS' }, output_shape: { type: 'INTS', unsupported: true } },
  },
  MaxPool: {
    inputs: ONE,
    outputs: { 1: [1, 1], 8: [1, 2] },
    attrs: { ...windowAttrs(10), kernel_shape: { type: 'INTS', required: true }, ceil_mode: { type: 'INT', since: 10 }, storage_order: { type: 'INT', since: 8 } },
  },
  AveragePool: {
    inputs: ONE,
    outputs: ONE,
    attrs: { ...windowAttrs(19), kernel_shape: { type: 'INTS', required: true }, ceil_mode: { type: 'INT', since: 10 }, count_include_pad: { type: 'INT', since: 7 } },
  },
  GlobalAveragePool: unary,
  BatchNormalization: {
    inputs: { 1: [5, 5] },
    outputs: { 1: [1, 5], 14: [1, 3] },
    attrs: { epsilon: { type: 'FLOAT' }, momentum: { type: 'FLOAT' }, spatial: { type: 'INT', until: 9 }, training_mode: { type: 'INT', since: 14 } },
  },
  Transpose: { inputs: ONE, outputs: ONE, attrs: { perm: { type: 'INTS' } } },
} as const satisfies Record<string, OpSchema>;

export type OnnxOp = keyof typeof OP_SCHEMAS;
export const isOnnxOp = (op: string): op is OnnxOp => Object.hasOwn(OP_SCHEMAS, op);

/** A FormatError that names the node (its name, else its first output) and its op. */
export function failNode(node: NodeMsg, problem: string): never {
  throw new FormatError(`onnx: node '${node.name || node.output?.[0] || '?'}' (${node.op_type}): ${problem}`);
}

/** The entry of `byOpset` that holds at `opset`; undefined before the op existed. */
export function atOpset<T>(byOpset: ByOpset<T>, opset: number): T | undefined {
  const from = Object.keys(byOpset).map(Number).filter((k) => k <= opset);
  return from.length ? byOpset[Math.max(...from)] : undefined;
}

export const definedAt = (spec: AttrSpec, opset: number) => (spec.since ?? 1) <= opset && opset < (spec.until ?? Infinity);

/**
 * FormatError unless `node` is well formed at `opset`: its op exists there, its input and output counts are
 * the op's (required ones non-empty), and its attributes are the op's, each once, of its type, holding its
 * value in that type's field; required attributes present.
 */
export function checkNode(node: NodeMsg, op: OnnxOp, opset: number): void {
  const schema: OpSchema = OP_SCHEMAS[op];
  const inputs = atOpset(schema.inputs, opset);
  if (!inputs) failNode(node, `${op} is defined from opset ${Math.min(...Object.keys(schema.inputs).map(Number))}; the model imports opset ${opset}`);
  checkCount(node, node.input ?? [], inputs, { what: 'input', verb: 'takes', opset });
  checkCount(node, node.output ?? [], atOpset(schema.outputs, opset)!, { what: 'output', verb: 'gives', opset });
  checkAttributes(node, schema.attrs, opset);
}

/** Optional trailing inputs and outputs may be left out or named ''; required ones may not. */
function checkCount(node: NodeMsg, names: string[], [min, max]: Count, o: { what: string; verb: string; opset: number }): void {
  if (names.length < min || names.length > max)
    failNode(node, `has ${names.length} ${o.what}(s); ${node.op_type} ${o.verb} ${min === max ? min : `${min} to ${max}`} at opset ${o.opset}`);
  const gap = names.slice(0, min).findIndex((n) => !n);
  if (gap >= 0) failNode(node, `required ${o.what} ${gap} is empty`);
}

function checkAttributes(node: NodeMsg, specs: Readonly<Record<string, AttrSpec>>, opset: number): void {
  const given = new Set<string>();
  for (const a of node.attribute ?? []) {
    if (!a.name) failNode(node, 'has an attribute without a name');
    if (given.has(a.name)) failNode(node, `attribute '${a.name}' is given twice`);
    given.add(a.name);
    const spec = Object.hasOwn(specs, a.name) ? specs[a.name] : undefined;
    if (!spec || !definedAt(spec, opset)) {
      const known = Object.keys(specs).filter((k) => definedAt(specs[k], opset));
      failNode(node, `attribute '${a.name}' is not defined for ${node.op_type} at opset ${opset} (its attributes there: ${known.join(', ') || 'none'})`);
    }
    checkValueField(node, a, spec.type);
    if (spec.unsupported) failNode(node, `attribute '${a.name}' is valid ONNX but not supported by this importer`);
  }
  for (const [name, spec] of Object.entries(specs))
    if (spec.required && definedAt(spec, opset) && !given.has(name)) failNode(node, `required attribute '${name}' (${spec.type}) is missing`);
}

/** AttributeProto's value field for each type. */
const VALUE_FIELD: Record<ValueType, keyof AttributeMsg> = {
  FLOAT: 'f', INT: 'i', STRING: 's', TENSOR: 't', GRAPH: 'g', SPARSE_TENSOR: 'sparse_tensor', TYPE_PROTO: 'tp',
  FLOATS: 'floats', INTS: 'ints', STRINGS: 'strings', TENSORS: 'tensors', GRAPHS: 'graphs', SPARSE_TENSORS: 'sparse_tensors', TYPE_PROTOS: 'type_protos',
};
const TYPE_NAME = Object.fromEntries(Object.entries(AttrType).map(([k, v]) => [v, k])) as Record<number, AttrTypeName>;

/** The value fields that hold something (repeated ones decode as [] when absent). */
const usedFields = (a: AttributeMsg) =>
  Object.values(VALUE_FIELD).filter((f) => {
    const v = a[f];
    return Array.isArray(v) ? v.length > 0 : v != null;
  });

/**
 * The declared type must be the schema's, and a value may sit only in that type's field. A scalar field may be
 * absent (a proto3 writer leaves out a value equal to the default: INT 0 reads as 0, as in onnx's checker);
 * a message-typed one (TENSOR, GRAPH, ...) must be there.
 */
function checkValueField(node: NodeMsg, a: AttributeMsg, type: ValueType): void {
  const got = TYPE_NAME[a.type ?? 0] ?? String(a.type);
  if (got !== type) failNode(node, `attribute '${a.name}' must be of type ${type}, got ${got}`);
  const field = VALUE_FIELD[type];
  const stray = usedFields(a).filter((f) => f !== field);
  if (stray.length) failNode(node, `attribute '${a.name}' is ${type} (field '${field}') but holds a value in field(s) ${stray.map((f) => `'${f}'`).join(', ')}`);
  const message = ['TENSOR', 'GRAPH', 'SPARSE_TENSOR', 'TYPE_PROTO'].includes(type);
  if (message && a[field] == null) failNode(node, `attribute '${a.name}' is ${type} but its field '${field}' is empty`);
}
