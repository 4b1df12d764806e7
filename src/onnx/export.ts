// ONNX export: a table from module type to the ONNX nodes it becomes. The exporter walks the module
// tree from the root, threading a symbolic value (name + shape) through each module's rule; weights
// become initializers named as in stateDict(). To support a new layer, add one row to EXPORT_RULES.
import * as nn from '../nn/index.js';
import type { Module, Parameter } from '../nn/module.js';
import { ValueError } from '../runtime/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { AttrType, DataType, encodeModel, type AttributeMsg, type NodeMsg, type TensorMsg } from './proto.js';

/** A value in the graph being built: its name, and its shape (dimension 0 is the batch). */
export interface Value {
  name: string;
  shape: number[];
}

/** An attribute: a number is an INT, `{ float }` a FLOAT, an array INTS, `{ floats }` FLOATS, a string STRING. */
type Attr = number | number[] | string | { float: number } | { floats: number[] };

/** What an export rule can do: add nodes and weights, and recurse into child modules. */
export interface ExportContext {
  /** Adds a node; returns its (single) output's name. */
  node(opType: string, inputs: string[], attrs?: Record<string, Attr>): string;
  /** The initializer holding a parameter of the model (named as in stateDict()). */
  param(p: Parameter): string;
  /** A float or int64 constant (a Constant node: not a weight when imported back). */
  constant(values: number[], dims: number[], type?: 'float' | 'int64'): string;
  /** Exports a child module. */
  emit(m: Module, x: Value): Value;
}

export type ExportRule<M extends Module = Module> = (m: M, x: Value, ctx: ExportContext) => Value;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ctor<M> = abstract new (...args: any[]) => M;
const rule = <M extends Module>(type: Ctor<M>, fn: ExportRule<M>): [Ctor<Module>, ExportRule] => [type, fn as ExportRule];

const same = (x: Value, name: string): Value => ({ name, shape: x.shape });
const axisOf = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

/** Module type → ONNX nodes. The first row whose type the module is an instance of applies. */
export const EXPORT_RULES: [Ctor<Module>, ExportRule][] = [
  rule(nn.Sequential, (m, x, ctx) => m.layers.reduce((h, layer) => ctx.emit(layer, h), x)),
  rule(nn.Linear, (m, x, ctx) => {
    const shape = [...x.shape.slice(0, -1), m.outFeatures];
    const w = ctx.param(m.weight);
    if (x.shape.length === 2) {
      // Gemm: x · Wᵀ + b
      return { name: ctx.node('Gemm', m.bias ? [x.name, w, ctx.param(m.bias)] : [x.name, w], { transB: 1 }), shape };
    }
    const y = ctx.node('MatMul', [x.name, ctx.node('Transpose', [w], { perm: [1, 0] })]);
    return { name: m.bias ? ctx.node('Add', [y, ctx.param(m.bias)]) : y, shape };
  }),
  rule(nn.ReLU, (_m, x, ctx) => same(x, ctx.node('Relu', [x.name]))),
  rule(nn.Sigmoid, (_m, x, ctx) => same(x, ctx.node('Sigmoid', [x.name]))),
  rule(nn.Tanh, (_m, x, ctx) => same(x, ctx.node('Tanh', [x.name]))),
  rule(nn.Identity, (_m, x, ctx) => same(x, ctx.node('Identity', [x.name]))),
  rule(nn.LeakyReLU, (m, x, ctx) => same(x, ctx.node('LeakyRelu', [x.name], { alpha: { float: m.negativeSlope } }))),
  rule(nn.GELU, (_m, x, ctx) => {
    // ours is the tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), spelled out for opsets before Gelu (20)
    const c = (v: number) => ctx.constant([v], []);
    const x3 = ctx.node('Mul', [ctx.node('Mul', [x.name, x.name]), x.name]);
    const inner = ctx.node('Mul', [ctx.node('Add', [x.name, ctx.node('Mul', [x3, c(0.044715)])]), c(Math.sqrt(2 / Math.PI))]);
    const onePlus = ctx.node('Add', [ctx.node('Tanh', [inner]), c(1)]);
    return same(x, ctx.node('Mul', [ctx.node('Mul', [x.name, onePlus]), c(0.5)]));
  }),
  rule(nn.Softmax, (m, x, ctx) => same(x, ctx.node('Softmax', [x.name], { axis: axisOf(m.dim, x.shape.length) }))),
  rule(nn.LogSoftmax, (m, x, ctx) => same(x, ctx.node('LogSoftmax', [x.name], { axis: axisOf(m.dim, x.shape.length) }))),
  rule(nn.Flatten, (m, x, ctx) => {
    const rank = x.shape.length;
    const s = axisOf(m.startDim, rank);
    const e = axisOf(m.endDim, rank);
    const shape = [...x.shape.slice(0, s), x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1), ...x.shape.slice(e + 1)];
    if (s === 1 && e === rank - 1) return { name: ctx.node('Flatten', [x.name], { axis: 1 }), shape };
    // Reshape: 0 copies a dimension (keeps the batch dynamic), -1 is the flattened run
    const target = shape.map((d, i) => (i < s ? 0 : i === s ? -1 : d));
    return { name: ctx.node('Reshape', [x.name, ctx.constant(target, [target.length], 'int64')]), shape };
  }),
];

export interface ExportOptions {
  /** ONNX opset (default 17). */
  opset?: number;
  /** Name the batch dimension symbolically so any batch size runs (default true). */
  dynamicBatch?: boolean;
  inputName?: string;
  outputName?: string;
}

/**
 * `await sg.onnx.exportModel(model, exampleInput)`: an ONNX ModelProto of the model in eval mode.
 * The example input fixes every dimension but the batch. Modules without a rule throw a ValueError naming them.
 */
export async function exportModel(model: Module, exampleInput: Tensor, options: ExportOptions = {}): Promise<Uint8Array> {
  const opset = options.opset ?? 17;
  const inputName = options.inputName ?? 'input';
  const outputName = options.outputName ?? 'output';
  const paramName = new Map<Parameter, string>();
  for (const [name, p] of model.namedParameters()) if (!paramName.has(p)) paramName.set(p, name);

  const nodes: NodeMsg[] = [];
  const initializers = new Map<string, Parameter>();
  const used = new Set<string>([inputName]);
  const fresh = (base: string) => {
    let n = base;
    for (let k = 1; used.has(n); k++) n = `${base}_${k}`;
    used.add(n);
    return n;
  };
  for (const name of paramName.values()) used.add(name);
  const path: string[] = []; // the names (as in stateDict()) of the modules being exported, below the root
  const stack: Module[] = [];

  const ctx: ExportContext = {
    node(opType, inputs, attrs = {}) {
      const out = fresh(`${path.join('.') || 'root'}/${opType}`);
      nodes.push({ op_type: opType, name: out, input: inputs, output: [out], attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
      return out;
    },
    param(p) {
      const name = paramName.get(p);
      if (!name) throw new ValueError('onnx.exportModel: a layer uses a parameter that the model does not register');
      initializers.set(name, p);
      return name;
    },
    constant(values, dims, type = 'float') {
      const t: TensorMsg = type === 'float' ? { dims, data_type: DataType.FLOAT, float_data: values } : { dims, data_type: DataType.INT64, int64_data: values };
      const out = fresh(`${path.join('.') || 'root'}/Constant`);
      nodes.push({ op_type: 'Constant', name: out, input: [], output: [out], attribute: [{ name: 'value', type: AttrType.TENSOR, t }] });
      return out;
    },
    emit(m, x) {
      const parent = stack[stack.length - 1];
      const name = parent ? (parent.namedChildren().find(([, c]) => c === m)?.[0] ?? '?') : null;
      if (name !== null) path.push(name);
      stack.push(m);
      try {
        return emitRule(m, x);
      } finally {
        stack.pop();
        if (name !== null) path.pop();
      }
    },
  };
  function emitRule(m: Module, x: Value): Value {
    const entry = EXPORT_RULES.find(([type]) => m instanceof type);
    if (!entry)
      throw new ValueError(
        `onnx.exportModel: no ONNX rule for ${m.constructor.name}${path.length ? ` (at '${path.join('.')}')` : ''}; ` +
          `supported: ${EXPORT_RULES.map(([t]) => t.name).join(', ')}`,
      );
    return entry[1](m, x, ctx);
  }

  const inShape = exampleInput.shape;
  if (inShape.length === 0) throw new ValueError('onnx.exportModel: the example input must have a batch dimension, got a scalar');
  const out = ctx.emit(model, { name: inputName, shape: inShape });

  // the last node writes the graph output directly; a model that is the identity gets an Identity node
  const last = nodes[nodes.length - 1];
  if (last && last.output![0] === out.name) last.output = [outputName];
  else nodes.push({ op_type: 'Identity', name: 'output/Identity', input: [out.name], output: [outputName] });

  const hostValues = await Promise.all([...initializers.values()].map((p) => p.data()));
  const initializer: TensorMsg[] = [...initializers.keys()].map((name, i) => {
    const data = hostValues[i] as Float32Array;
    return { name, dims: initializers.get(name)!.shape, data_type: DataType.FLOAT, raw_data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  });
  const dims = (shape: number[]) => shape.map((d, i) => (i === 0 && options.dynamicBatch !== false ? { dim_param: 'batch' } : { dim_value: d }));
  const valueInfo = (name: string, shape: number[]) => ({ name, type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: dims(shape) } } } });
  return encodeModel({
    ir_version: 8,
    opset_import: [{ domain: '', version: opset }],
    producer_name: 'shadergrad',
    producer_version: '0.1.0',
    graph: {
      name: model.constructor.name,
      node: nodes,
      initializer,
      input: [valueInfo(inputName, inShape)],
      output: [valueInfo(outputName, out.shape)],
    },
  });
}

function attribute(name: string, v: Attr): AttributeMsg {
  if (typeof v === 'number') return { name, type: AttrType.INT, i: v };
  if (typeof v === 'string') return { name, type: AttrType.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: AttrType.INTS, ints: v };
  if ('float' in v) return { name, type: AttrType.FLOAT, f: v.float };
  return { name, type: AttrType.FLOATS, floats: v.floats };
}
