// ONNX import for inference: `sg.onnx.importModel(bytes)` gives a Module whose forward() runs the graph's
// nodes with our ops, one table row per ONNX op. Float initializers become Parameters (named as in the
// file, so stateDict()/loadStateDict() work); Constant nodes and int64 tensors (shapes) stay on the host.
// Everything is checked at import (ops known, attributes valid, inputs defined before use, tensor sizes),
// so a bad file fails with a FormatError naming the node, not halfway through a forward.
import { Module, Parameter } from '../nn/module.js';
import { FormatError } from '../runtime/errors.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { DataType, decodeModel, type AttributeMsg, type GraphMsg, type NodeMsg, type TensorMsg } from './proto.js';

/** A constant on the host: float data (as f32 values) or integers (int64/int32, e.g. shapes and axes). */
interface HostConst {
  kind: 'float' | 'int';
  shape: number[];
  data: number[] | Float32Array;
}

type Value = Tensor | HostConst;
const isHost = (v: Value): v is HostConst => (v as HostConst).kind !== undefined;

/** The inputs and attributes of one node while it runs. */
interface NodeArgs {
  node: NodeMsg;
  opset: number;
  /** Input i as a tensor (host constants are uploaded once and cached). */
  t(i: number): Tensor;
  /** Input i as host integers (shapes, axes): must be a constant. */
  ints(i: number): number[];
  has(i: number): boolean;
  attr: Attrs;
}

class Attrs {
  private map: Map<string, AttributeMsg>;
  constructor(private node: NodeMsg) {
    this.map = new Map((node.attribute ?? []).map((a) => [a.name, a]));
  }
  int(name: string, dflt: number): number {
    const a = this.map.get(name);
    return a ? Number(a.i ?? 0) : dflt;
  }
  float(name: string, dflt: number): number {
    const a = this.map.get(name);
    return a ? (a.f ?? 0) : dflt;
  }
  ints(name: string): number[] | undefined {
    const a = this.map.get(name);
    return a ? (a.ints ?? []).map(Number) : undefined;
  }
  string(name: string, dflt: string): string {
    const a = this.map.get(name);
    return a?.s ? new TextDecoder().decode(a.s) : dflt;
  }
  get(name: string): AttributeMsg | undefined {
    return this.map.get(name);
  }
  names(): string[] {
    return [...this.map.keys()];
  }
}

interface OpRule {
  /** Attributes it understands (others are refused at import, as they would change the result). */
  attrs: string[];
  /** Checks at import time that do not need values (attribute values, input counts). */
  check?(node: NodeMsg, attrs: Attrs, opset: number): void;
  run(a: NodeArgs): Tensor;
}

const norm = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);
const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Softmax and LogSoftmax before opset 13 flatten to 2-D around `axis` (default 1). */
function softmaxLike(kind: 'softmax' | 'logSoftmax') {
  return (a: NodeArgs): Tensor => {
    const x = a.t(0);
    if (a.opset >= 13) return x[kind](a.attr.int('axis', -1));
    const axis = norm(a.attr.int('axis', 1), x.rank);
    return x.reshape([prod(x.shape.slice(0, axis)), prod(x.shape.slice(axis))])[kind](-1).reshape(x.shape);
  };
}
const unary = (f: (x: Tensor) => Tensor): OpRule => ({ attrs: [], run: (a) => f(a.t(0)) });
const binary = (f: (x: Tensor, y: Tensor) => Tensor): OpRule => ({ attrs: [], run: (a) => f(a.t(0), a.t(1)) });

/** ONNX op → our ops. */
export const IMPORT_RULES: Record<string, OpRule> = {
  Gemm: {
    attrs: ['alpha', 'beta', 'transA', 'transB'],
    run(a) {
      const A = a.attr.int('transA', 0) ? a.t(0).T : a.t(0);
      const B = a.attr.int('transB', 0) ? a.t(1).T : a.t(1);
      const alpha = a.attr.float('alpha', 1);
      const beta = a.attr.float('beta', 1);
      let y = A.matmul(B);
      if (alpha !== 1) y = y.mul(alpha);
      if (a.has(2) && beta !== 0) y = y.add(beta === 1 ? a.t(2) : a.t(2).mul(beta));
      return y;
    },
  },
  MatMul: binary((x, y) => x.matmul(y)),
  Add: binary((x, y) => x.add(y)),
  Sub: binary((x, y) => x.sub(y)),
  Mul: binary((x, y) => x.mul(y)),
  Div: binary((x, y) => x.div(y)),
  Pow: binary((x, y) => x.pow(y)),
  Relu: unary((x) => x.relu()),
  Sigmoid: unary((x) => x.sigmoid()),
  Tanh: unary((x) => x.tanh()),
  Exp: unary((x) => x.exp()),
  Log: unary((x) => x.log()),
  Sqrt: unary((x) => x.sqrt()),
  Abs: unary((x) => x.abs()),
  Neg: unary((x) => x.neg()),
  Identity: unary((x) => x),
  // inference: dropout is the identity (a second, mask output is refused at import)
  Dropout: { attrs: ['seed'], check: (n) => void ((n.output ?? []).filter(Boolean).length > 1 && fail(n, 'its mask output is not supported')), run: (a) => a.t(0) },
  LeakyRelu: { attrs: ['alpha'], run: (a) => a.t(0).leakyRelu(a.attr.float('alpha', 0.01)) },
  Gelu: {
    attrs: ['approximate'],
    check: (n, attrs) => void (attrs.string('approximate', 'none') !== 'tanh' && fail(n, "only approximate='tanh' is supported (ours is the tanh approximation)")),
    run: (a) => a.t(0).gelu(),
  },
  Softmax: { attrs: ['axis'], run: softmaxLike('softmax') },
  LogSoftmax: { attrs: ['axis'], run: softmaxLike('logSoftmax') },
  Flatten: {
    attrs: ['axis'],
    run(a) {
      const x = a.t(0);
      const axis = norm(a.attr.int('axis', 1), x.rank);
      return x.reshape([prod(x.shape.slice(0, axis)), prod(x.shape.slice(axis))]);
    },
  },
  Reshape: {
    attrs: ['allowzero'],
    run(a) {
      const x = a.t(0);
      const allowZero = a.attr.int('allowzero', 0) === 1;
      return x.reshape(a.ints(1).map((d, i) => (d === 0 && !allowZero ? x.shape[i] : d)));
    },
  },
  Transpose: {
    attrs: ['perm'],
    run(a) {
      const x = a.t(0);
      return x.permute(a.attr.ints('perm') ?? [...x.shape.keys()].reverse());
    },
  },
};

function fail(node: NodeMsg, problem: string): never {
  throw new FormatError(`onnx: node '${node.name || node.output?.[0] || '?'}' (${node.op_type}): ${problem}`);
}

/** A host constant from a TensorProto; FormatError on types and sizes it cannot hold. */
function hostTensor(t: TensorMsg, where: string): HostConst {
  const shape = (t.dims ?? []).map(Number);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new FormatError(`onnx: ${where} has invalid dims [${shape}]`);
  if (t.data_location === 1) throw new FormatError(`onnx: ${where} keeps its data in an external file, which is not supported`);
  const n = prod(shape);
  const raw = t.raw_data && t.raw_data.length ? t.raw_data : null;
  const type = t.data_type ?? 0;
  const check = (count: number) => {
    if (count !== n) throw new FormatError(`onnx: ${where} has ${count} values for dims [${shape}] (${n} expected)`);
  };
  if (type === DataType.FLOAT) {
    if (raw) {
      if (raw.length !== n * 4) throw new FormatError(`onnx: ${where} raw_data has ${raw.length} bytes for dims [${shape}] (${n * 4} expected)`);
      return { kind: 'float', shape, data: new Float32Array(raw.slice().buffer) };
    }
    check(t.float_data?.length ?? 0);
    return { kind: 'float', shape, data: Float32Array.from(t.float_data ?? []) };
  }
  if (type === DataType.INT64 || type === DataType.INT32) {
    if (raw) {
      const size = type === DataType.INT64 ? 8 : 4;
      if (raw.length !== n * size) throw new FormatError(`onnx: ${where} raw_data has ${raw.length} bytes for dims [${shape}] (${n * size} expected)`);
      const copy = raw.slice().buffer;
      return { kind: 'int', shape, data: type === DataType.INT64 ? Array.from(new BigInt64Array(copy), Number) : Array.from(new Int32Array(copy)) };
    }
    const data = (type === DataType.INT64 ? t.int64_data : t.int32_data) ?? [];
    check(data.length);
    return { kind: 'int', shape, data: data.map(Number) };
  }
  throw new FormatError(`onnx: ${where} has data type ${type}; supported: FLOAT (1), INT32 (6), INT64 (7)`);
}

/** A Constant node's value. */
function constantValue(node: NodeMsg, attrs: Attrs): HostConst {
  const [name] = attrs.names();
  const a = attrs.get(name);
  if (!a || attrs.names().length !== 1) fail(node, 'needs exactly one value attribute');
  switch (name) {
    case 'value':
      if (!a.t) fail(node, "'value' holds no tensor");
      return hostTensor(a.t, `Constant '${node.output?.[0]}'`);
    case 'value_float':
      return { kind: 'float', shape: [], data: Float32Array.of(a.f ?? 0) };
    case 'value_floats':
      return { kind: 'float', shape: [a.floats?.length ?? 0], data: Float32Array.from(a.floats ?? []) };
    case 'value_int':
      return { kind: 'int', shape: [], data: [Number(a.i ?? 0)] };
    case 'value_ints':
      return { kind: 'int', shape: [a.ints?.length ?? 0], data: (a.ints ?? []).map(Number) };
    default:
      return fail(node, `Constant '${name}' is not supported`);
  }
}

/** An imported ONNX graph as a Module: forward(...inputs) runs its nodes and returns the first graph output. */
export class OnnxModel extends Module {
  readonly inputNames: string[];
  readonly outputNames: string[];
  private readonly weights = new Map<string, Parameter>();
  private readonly constants = new Map<string, HostConst>();
  private readonly uploaded = new Map<string, Tensor>();

  constructor(
    private readonly graph: GraphMsg,
    private readonly opset: number,
  ) {
    super();
    const defined = new Set<string>();
    for (const init of graph.initializer ?? []) {
      const name = init.name ?? '';
      if (!name) throw new FormatError('onnx: an initializer has no name');
      const h = hostTensor(init, `initializer '${name}'`);
      if (h.kind === 'float') this.weights.set(name, new Parameter(tensor(h.data, h.shape)));
      else this.constants.set(name, h);
      defined.add(name);
    }
    this.inputNames = (graph.input ?? []).map((v) => v.name).filter((n) => !defined.has(n));
    this.outputNames = (graph.output ?? []).map((v) => v.name);
    if (this.inputNames.length === 0) throw new FormatError('onnx: the graph has no inputs');
    if (this.outputNames.length === 0) throw new FormatError('onnx: the graph has no outputs');
    for (const n of this.inputNames) defined.add(n);
    for (const node of graph.node ?? []) {
      const op = node.op_type ?? '';
      if (node.domain && node.domain !== 'ai.onnx') fail(node, `domain '${node.domain}' is not supported`);
      const attrs = new Attrs(node);
      if (op === 'Constant') {
        this.constants.set(node.output?.[0] ?? '', constantValue(node, attrs));
      } else {
        const rule = Object.hasOwn(IMPORT_RULES, op) ? IMPORT_RULES[op] : undefined;
        if (!rule) fail(node, `op ${JSON.stringify(op)} is not supported (supported: Constant, ${Object.keys(IMPORT_RULES).join(', ')})`);
        const unknown = attrs.names().filter((a) => !rule.attrs.includes(a));
        if (unknown.length) fail(node, `attribute(s) ${unknown.join(', ')} are not supported`);
        rule.check?.(node, attrs, opset);
      }
      for (const input of node.input ?? []) if (input && !defined.has(input)) fail(node, `input '${input}' is used before it is defined (or never is)`);
      if (!node.output?.[0]) fail(node, 'has no output');
      for (const o of node.output) if (o) defined.add(o);
    }
    for (const o of this.outputNames) if (!defined.has(o)) throw new FormatError(`onnx: graph output '${o}' is not computed by any node`);
  }

  protected override ownParameters(): [string, Parameter][] {
    return [...this.weights];
  }

  forward(...inputs: Tensor[]): Tensor {
    return this.run(inputs)[0];
  }

  /** Every graph output, in order. */
  run(inputs: Tensor[]): Tensor[] {
    if (inputs.length !== this.inputNames.length)
      throw new FormatError(`onnx model: forward takes ${this.inputNames.length} input(s) (${this.inputNames.join(', ')}), got ${inputs.length}`);
    const values = new Map<string, Value>([...this.weights, ...this.constants]);
    this.inputNames.forEach((n, i) => values.set(n, inputs[i]));
    for (const node of this.graph.node ?? []) {
      if (node.op_type === 'Constant') continue;
      const ins = node.input ?? [];
      const get = (i: number) => values.get(ins[i]) ?? fail(node, `input ${i} is missing`);
      const args: NodeArgs = {
        node,
        opset: this.opset,
        attr: new Attrs(node),
        has: (i) => !!ins[i],
        t: (i) => {
          const v = get(i);
          if (!isHost(v)) return v;
          if (v.kind !== 'float') fail(node, `input '${ins[i]}' is an integer constant where a float tensor is needed`);
          let t = this.uploaded.get(ins[i]);
          if (!t) this.uploaded.set(ins[i], (t = tensor(v.data, v.shape)));
          return t;
        },
        ints: (i) => {
          const v = get(i);
          if (!isHost(v) || v.kind !== 'int') fail(node, `input '${ins[i]}' must be an integer constant (initializer or Constant node)`);
          return Array.from(v.data);
        },
      };
      values.set(node.output![0], IMPORT_RULES[node.op_type!].run(args));
    }
    return this.outputNames.map((n) => {
      const v = values.get(n)!;
      return isHost(v) ? tensor(v.data, v.shape) : v;
    });
  }
}

/** `sg.onnx.importModel(bytes)`: an ONNX ModelProto as a Module for inference with our ops. */
export function importModel(bytes: ArrayBuffer | ArrayBufferView): OnnxModel {
  const u8 = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : ArrayBuffer.isView(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : null;
  if (!u8) throw new FormatError('onnx.importModel: expected an ArrayBuffer or a typed array');
  let model;
  try {
    model = decodeModel(u8);
  } catch (e) {
    throw new FormatError(`onnx: not a valid ModelProto (${(e as Error).message})`);
  }
  if (!model.graph) throw new FormatError('onnx: the model has no graph (not an ONNX file?)');
  const ops = (model.opset_import ?? []).filter((o) => !o.domain || o.domain === 'ai.onnx');
  if (ops.length === 0) throw new FormatError('onnx: the model imports no ai.onnx opset');
  const opset = Number(ops[0].version ?? 0);
  if (opset < 7) throw new FormatError(`onnx: opset ${opset} is too old (7 or later)`);
  return new OnnxModel(model.graph, opset);
}
