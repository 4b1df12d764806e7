// ONNX import for inference: `sg.onnx.importModel(bytes)` gives a Module whose forward() runs the graph's
// nodes with our ops, one table row per ONNX op. Float initializers become Parameters (named as in the
// file, so stateDict()/loadStateDict() work); Constant nodes and int64 tensors (shapes) stay on the host.
// Everything is checked at import (each node against its op's ONNX schema in ./op-schema.ts: opset,
// input/output counts, attribute names, types and value fields; then what our rules do not implement;
// names defined once and before use; tensor sizes), so a bad file fails with a FormatError naming the
// node, not halfway through a forward, and before any GPU work.
import { Module, Parameter } from '../nn/module.js';
import { conv2d, convTranspose2d } from '../ops/conv.js';
import { cat } from '../ops/movement.js';
import { elu, softplus } from '../ops/activation.js';
import { where } from '../ops/elementwise.js';
import { batchNorm } from '../ops/norm.js';
import { avgPool2d, maxPool2d } from '../ops/pool.js';
import { FormatError, ShapeError, ValueError } from '../core/errors.js';
import { tensor, zeros } from '../tensor/creation.js';
import { sameShape, shapeStr } from '../core/shape.js';
import { noGrad, type Tensor } from '../tensor/tensor.js';
import { DataType, decodeModel, type AttributeMsg, type GraphMsg, type NodeMsg, type TensorMsg } from './proto.js';
import { checkNode, failNode as fail, IR_RANGE, isOnnxOp, OP_SCHEMAS, OPSET_RANGE, type OnnxOp } from './op-schema.js';

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

/** How one ONNX op runs; which attributes and inputs it may have is ./op-schema.ts's, checked before `check`. */
interface OpRule {
  /** Checks at import time of what the rule does not implement, or values the schema cannot say (no input values needed). */
  check?(node: NodeMsg, attrs: Attrs, opset: number, dimsOf: (name: string) => number[] | undefined): void;
  run(a: NodeArgs): Tensor;
}

const norm = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);
const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Softmax and LogSoftmax before opset 13 flatten to 2-D around `axis` (default 1). */
function softmaxLike(kind: 'softmax' | 'logSoftmax') {
  return (a: NodeArgs): Tensor => {
    const x = a.t(0);
    const given = a.attr.int('axis', a.opset >= 13 ? -1 : 1);
    if (given < -x.rank || given >= x.rank) fail(a.node, `axis ${given} is out of range for an input of rank ${x.rank} ([${-x.rank}, ${x.rank - 1}])`);
    if (a.opset >= 13) return x[kind](given);
    const axis = norm(given, x.rank);
    return x.reshape([prod(x.shape.slice(0, axis)), prod(x.shape.slice(axis))])[kind](-1).reshape(x.shape);
  };
}
/** A pooling node's input (rank 4), kernel_shape and resolved strides/padding/dilations. */
function poolWindow(a: NodeArgs) {
  const x = a.t(0);
  needRank(a, x, [4]);
  const k = a.attr.ints('kernel_shape')!;
  return { x, k, g: spatial(a, x.shape, k) };
}

/** What MaxPool and AveragePool both require: 2-D windows (kernel_shape is required by their schema) and no ceil_mode. */
function checkPool(node: NodeMsg, attrs: Attrs): void {
  checkSpatial(node, attrs, { ranks: [2] });
  if (attrs.int('ceil_mode', 0) !== 0) fail(node, 'ceil_mode=1 is not supported');
}

/** Spatial attributes of Conv/ConvTranspose/MaxPool/AveragePool, checked where they need no values. */
function checkSpatial(node: NodeMsg, attrs: Attrs, o: { ranks: number[]; asymmetric?: boolean; samePad?: boolean }): void {
  const autoPad = attrs.string('auto_pad', 'NOTSET');
  const allowed = ['NOTSET', 'VALID', ...(o.samePad ? ['SAME_UPPER', 'SAME_LOWER'] : [])];
  if (!allowed.includes(autoPad)) fail(node, `auto_pad '${autoPad}' is not supported (${allowed.join(', ')})`);
  const k = attrs.ints('kernel_shape');
  if (k && !o.ranks.includes(k.length)) fail(node, `kernel_shape [${k}] has ${k.length} spatial dimensions; supported: ${o.ranks.join(' or ')}`);
  const n = k?.length;
  for (const [name, min, len] of [['strides', 1, n], ['dilations', 1, n], ['pads', 0, n && 2 * n]] as const) {
    const v = attrs.ints(name);
    if (!v) continue;
    if (len !== undefined && v.length !== len) fail(node, `${name} [${v}] must have ${len} values for kernel_shape [${k}]`);
    if (v.some((e) => !Number.isInteger(e) || e < min)) fail(node, `${name} [${v}] must be integers >= ${min}`);
  }
  const pads = attrs.ints('pads');
  if (pads && !o.asymmetric && pads.some((p, i) => i < pads.length / 2 && p !== pads[i + pads.length / 2]))
    fail(node, `asymmetric pads [${pads}] are not supported (begin and end padding must be equal)`);
}

/** The spatial geometry of a node over an input [N, C, ...spatial] with kernel dims `k`: per-dim stride, dilation, begin/end pads. */
function spatial(a: NodeArgs, xShape: number[], k: number[]) {
  const n = k.length;
  const strides = a.attr.ints('strides') ?? new Array(n).fill(1);
  const dilations = a.attr.ints('dilations') ?? new Array(n).fill(1);
  let pads = a.attr.ints('pads') ?? new Array(2 * n).fill(0);
  const autoPad = a.attr.string('auto_pad', 'NOTSET');
  if (autoPad === 'VALID') pads = new Array(2 * n).fill(0);
  else if (autoPad.startsWith('SAME')) {
    // output size ceil(in / stride); the odd padding at the end (SAME_UPPER) or the beginning (SAME_LOWER)
    pads = new Array(2 * n).fill(0);
    for (let i = 0; i < n; i++) {
      const size = xShape[2 + i];
      const total = Math.max(0, (Math.ceil(size / strides[i]) - 1) * strides[i] + (k[i] - 1) * dilations[i] + 1 - size);
      pads[i] = autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
      pads[i + n] = total - pads[i];
    }
  }
  if (strides.length !== n || dilations.length !== n || pads.length !== 2 * n) fail(a.node, `strides/dilations/pads do not match a ${n}-D kernel`);
  return { strides, dilations, begin: pads.slice(0, n), end: pads.slice(n) };
}

/** Zeros added along `axis`: `before` in front, `after` behind. */
function padZeros(x: Tensor, axis: number, before: number, after: number): Tensor {
  const part = (n: number) => zeros(x.shape.map((d, i) => (i === axis ? n : d)));
  const parts = [...(before ? [part(before)] : []), x, ...(after ? [part(after)] : [])];
  return parts.length === 1 ? x : cat(parts, axis);
}

function needRank(a: NodeArgs, x: Tensor, ranks: number[]): void {
  if (!ranks.includes(x.rank)) fail(a.node, `input must be ${ranks.map((r) => `${r}-D`).join(' or ')}, got shape ${shapeStr(x.shape)}`);
}

const unary = (f: (x: Tensor) => Tensor): OpRule => ({ run: (a) => f(a.t(0)) });
const binary = (f: (x: Tensor, y: Tensor) => Tensor): OpRule => ({ run: (a) => f(a.t(0), a.t(1)) });

/** ONNX op → our ops: one rule for every op of the schema table but Constant (whose value is read at import). */
export const IMPORT_RULES: Record<Exclude<OnnxOp, 'Constant'>, OpRule> = {
  Gemm: {
    // A and B are matrices (ONNX shape inference refuses others); C at most 2-D
    check(n, _attrs, _opset, dimsOf) {
      (n.input ?? []).forEach((name, i) => {
        const d = name ? dimsOf(name) : undefined;
        if (d && (i < 2 ? d.length !== 2 : d.length > 2)) fail(n, `input ${i} '${name}' has rank ${d.length}; Gemm needs ${i < 2 ? 'rank 2' : 'rank <= 2'}`);
      });
    },
    run(a) {
      for (const i of [0, 1]) if (a.t(i).rank !== 2) fail(a.node, `input ${i} has shape ${shapeStr(a.t(i).shape)}; Gemm needs rank 2`);
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
  Erf: unary((x) => x.erf()),
  Elu: { run: (a) => elu(a.t(0), a.attr.float('alpha', 1)) },
  // ONNX's Softplus is log(1 + e^x) everywhere; ours reverts to x above 20, equal to float precision
  Softplus: unary((x) => softplus(x)),
  HardSigmoid: { run: (a) => a.t(0).mul(a.attr.float('alpha', 0.2)).add(a.attr.float('beta', 0.5)).maximum(0).minimum(1) },
  // the slope broadcasts to x from the right (ONNX's unidirectional broadcasting)
  PRelu: binary((x, slope) => where(x.gt(0), x, x.mul(slope))),
  Tanh: unary((x) => x.tanh()),
  Exp: unary((x) => x.exp()),
  Log: unary((x) => x.log()),
  Sqrt: unary((x) => x.sqrt()),
  Abs: unary((x) => x.abs()),
  Neg: unary((x) => x.neg()),
  Identity: unary((x) => x),
  // inference: dropout is the identity; a mask output, or a training_mode input (true would drop), is refused
  Dropout: {
    check(n) {
      if ((n.output ?? []).filter(Boolean).length > 1) fail(n, 'its mask output is not supported');
      if (n.input?.[2]) fail(n, 'its training_mode input is not supported (inference only: dropout is the identity)');
    },
    run: (a) => a.t(0),
  },
  LeakyRelu: { run: (a) => a.t(0).leakyRelu(a.attr.float('alpha', 0.01)) },
  Gelu: {
    check: (n, attrs) => void (!['none', 'tanh'].includes(attrs.string('approximate', 'none')) && fail(n, `approximate must be 'none' or 'tanh', got '${attrs.string('approximate', 'none')}'`)),
    run: (a) => a.t(0).gelu({ approximate: a.attr.string('approximate', 'none') as 'none' | 'tanh' }),
  },
  Softmax: { run: softmaxLike('softmax') },
  LogSoftmax: { run: softmaxLike('logSoftmax') },
  Flatten: {
    // a negative axis counts from the end only from opset 11
    check: (n, attrs, opset) => void (opset < 11 && attrs.int('axis', 1) < 0 && fail(n, `axis ${attrs.int('axis', 1)} must be >= 0 before opset 11 (the model imports ${opset})`)),
    run(a) {
      const x = a.t(0);
      const given = a.attr.int('axis', 1);
      if (given < -x.rank || given > x.rank) fail(a.node, `axis ${given} is out of range for an input of rank ${x.rank} ([${-x.rank}, ${x.rank}])`);
      const axis = norm(given, x.rank);
      return x.reshape([prod(x.shape.slice(0, axis)), prod(x.shape.slice(axis))]);
    },
  },
  Reshape: {
    run(a) {
      const x = a.t(0);
      const allowZero = a.attr.int('allowzero', 0) === 1;
      return x.reshape(a.ints(1).map((d, i) => (d === 0 && !allowZero ? x.shape[i] : d)));
    },
  },
  Conv: {
    check: (n, attrs) => checkSpatial(n, attrs, { ranks: [1, 2], asymmetric: true, samePad: true }),
    run(a) {
      let x = a.t(0);
      let w = a.t(1);
      needRank(a, x, [3, 4]);
      if (w.rank !== x.rank) fail(a.node, `weight ${shapeStr(w.shape)} does not fit input ${shapeStr(x.shape)}`);
      const oneD = x.rank === 3;
      if (oneD) [x, w] = [x.unsqueeze(2), w.unsqueeze(2)];
      const k = w.shape.slice(2);
      const kernel = a.attr.ints('kernel_shape');
      if (kernel && !sameShape(kernel, oneD ? k.slice(1) : k)) fail(a.node, `kernel_shape [${kernel}] does not match weight ${shapeStr(a.t(1).shape)}`);
      const g = spatial(a, oneD ? [x.shape[0], x.shape[1], x.shape[3]] : x.shape, oneD ? [k[1]] : k);
      const at = (v: number[], fill: number) => (oneD ? [fill, v[0]] : [v[0], v[1]]) as [number, number];
      const [bH, bW] = at(g.begin, 0);
      const [eH, eW] = at(g.end, 0);
      // symmetric padding by the convolution, the rest as explicit zeros
      const [pH, pW] = [Math.min(bH, eH), Math.min(bW, eW)];
      x = padZeros(padZeros(x, 2, bH - pH, eH - pH), 3, bW - pW, eW - pW);
      const y = conv2d(x, w, a.has(2) ? a.t(2) : null, {
        stride: at(g.strides, 1),
        dilation: at(g.dilations, 1),
        padding: [pH, pW],
        groups: a.attr.int('group', 1),
        name: `onnx Conv '${a.node.name || a.node.output?.[0]}'`,
      });
      return oneD ? y.squeeze(2) : y;
    },
  },
  ConvTranspose: {
    check: (n, attrs) => checkSpatial(n, attrs, { ranks: [2] }),
    run(a) {
      const x = a.t(0);
      const w = a.t(1);
      needRank(a, x, [4]);
      const g = spatial(a, x.shape, w.shape.slice(2));
      const op = a.attr.ints('output_padding') ?? [0, 0];
      return convTranspose2d(x, w, a.has(2) ? a.t(2) : null, {
        stride: [g.strides[0], g.strides[1]],
        dilation: [g.dilations[0], g.dilations[1]],
        padding: [g.begin[0], g.begin[1]],
        outputPadding: [op[0], op[1]],
        groups: a.attr.int('group', 1),
        name: `onnx ConvTranspose '${a.node.name || a.node.output?.[0]}'`,
      });
    },
  },
  MaxPool: {
    check(n, attrs) {
      checkPool(n, attrs);
      if ((n.output ?? []).filter(Boolean).length > 1) fail(n, 'its Indices output is not supported');
    },
    run(a) {
      const { x, k, g } = poolWindow(a);
      return maxPool2d(x, [k[0], k[1]], { stride: [g.strides[0], g.strides[1]], padding: [g.begin[0], g.begin[1]], dilation: [g.dilations[0], g.dilations[1]], name: `onnx MaxPool '${a.node.name || a.node.output?.[0]}'` });
    },
  },
  AveragePool: {
    check(n, attrs) {
      checkPool(n, attrs);
      if ((attrs.ints('dilations') ?? []).some((d) => d !== 1)) fail(n, 'dilations other than 1 are not supported');
    },
    run(a) {
      const { x, k, g } = poolWindow(a);
      // ONNX's default is count_include_pad=0 (PyTorch's and ours is true)
      return avgPool2d(x, [k[0], k[1]], {
        stride: [g.strides[0], g.strides[1]],
        padding: [g.begin[0], g.begin[1]],
        countIncludePad: a.attr.int('count_include_pad', 0) === 1,
        name: `onnx AveragePool '${a.node.name || a.node.output?.[0]}'`,
      });
    },
  },
  GlobalAveragePool: {
    run(a) {
      const x = a.t(0);
      if (x.rank < 3) fail(a.node, `input must be [N, C, ...] with spatial dimensions, got shape ${shapeStr(x.shape)}`);
      return x.mean([...x.shape.keys()].slice(2), true);
    },
  },
  // inference form: the running statistics (inputs 3 and 4) normalise; they import as buffers, not parameters
  BatchNormalization: {
    check(n, attrs) {
      if (attrs.int('training_mode', 0) !== 0) fail(n, 'training_mode=1 is not supported (inference only)');
      if (attrs.int('spatial', 1) !== 1) fail(n, 'spatial=0 is not supported');
      if ((n.output ?? []).filter(Boolean).length > 1) fail(n, 'its running-statistics outputs are not supported (inference only)');
    },
    run(a) {
      const x = a.t(0);
      if (x.rank < 2) fail(a.node, `input must be [N, C, ...], got shape ${shapeStr(x.shape)}`);
      return batchNorm(x, a.t(3), a.t(4), { weight: a.t(1), bias: a.t(2), training: false, eps: a.attr.float('epsilon', 1e-5), name: `onnx BatchNormalization '${a.node.name || a.node.output?.[0]}'` });
    },
  },
  Transpose: {
    check(n, attrs) {
      const perm = attrs.ints('perm');
      if (perm && !perm.every((p, i) => perm.indexOf(p) === i && p >= 0 && p < perm.length)) fail(n, `perm [${perm}] is not a permutation of 0..${perm.length - 1}`);
    },
    run(a) {
      const x = a.t(0);
      return x.permute(a.attr.ints('perm') ?? [...x.shape.keys()].reverse());
    },
  },
};

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

/** A node's op, once the node fits its op's ONNX schema at `opset` and our rule for it (`dimsOf`: initializers' shapes). */
function checkOp(node: NodeMsg, opset: number, dimsOf: (name: string) => number[] | undefined): OnnxOp {
  const op = node.op_type ?? '';
  if (node.domain && node.domain !== 'ai.onnx') fail(node, `domain '${node.domain}' is not supported (only the default domain, ai.onnx)`);
  if (!op) fail(node, 'has no op_type');
  if (!isOnnxOp(op)) fail(node, `op ${JSON.stringify(op)} is not supported (supported: ${Object.keys(OP_SCHEMAS).join(', ')})`);
  checkNode(node, op, opset);
  if (op !== 'Constant') IMPORT_RULES[op].check?.(node, new Attrs(node), opset, dimsOf);
  return op;
}

/**
 * Everything import checks, on the host: every value name defined once (SSA: an initializer, a graph input or
 * one node output) and before use, every node against its op's schema and our rule. Returns the initializers'
 * and Constant nodes' values, and the graph's inputs (initializers listed as inputs excluded) and outputs.
 */
function checkGraph(graph: GraphMsg, opset: number) {
  const defined = new Set<string>();
  const define = (name: string, by: string) => {
    if (defined.has(name)) throw new FormatError(`onnx: value '${name}' is defined twice (again by ${by})`);
    defined.add(name);
  };
  if (graph.sparse_initializer?.length) throw new FormatError('onnx: sparse initializers are not supported (only dense ones)');
  const initializers = new Map<string, HostConst>();
  for (const init of graph.initializer ?? []) {
    const name = init.name ?? '';
    if (!name) throw new FormatError('onnx: an initializer has no name');
    define(name, `initializer '${name}'`);
    initializers.set(name, hostTensor(init, `initializer '${name}'`));
  }
  for (const v of graph.input ?? []) if (!v.name) throw new FormatError('onnx: a graph input has no name');
  const inputNames = (graph.input ?? []).map((v) => v.name).filter((n) => !defined.has(n));
  const outputNames = (graph.output ?? []).map((v) => v.name);
  if (inputNames.length === 0) throw new FormatError('onnx: the graph has no inputs');
  if (outputNames.length === 0) throw new FormatError('onnx: the graph has no outputs');
  for (const n of inputNames) define(n, `graph input '${n}'`);
  const constants = new Map<string, HostConst>();
  const nodeNames = new Set<string>();
  for (const node of graph.node ?? []) {
    if (node.name) {
      if (nodeNames.has(node.name)) fail(node, `node name '${node.name}' is used twice`);
      nodeNames.add(node.name);
    }
    const op = checkOp(node, opset, (name) => initializers.get(name)?.shape);
    if (op === 'Constant') constants.set(node.output?.[0] ?? '', constantValue(node, new Attrs(node)));
    for (const input of node.input ?? []) if (input && !defined.has(input)) fail(node, `input '${input}' is used before it is defined (or never is)`);
    for (const o of node.output ?? []) if (o) define(o, `node '${node.name || node.output![0]}' (${op})`);
  }
  for (const o of outputNames) if (!defined.has(o)) throw new FormatError(`onnx: graph output '${o}' is not computed by any node`);
  return { initializers, constants, inputNames, outputNames };
}

/** An imported ONNX graph as a Module: forward(...inputs) runs its nodes and returns the first graph output. */
export class OnnxModel extends Module {
  readonly inputNames: string[];
  /** Each input's declared shape: a number per fixed dim, the dim's name (e.g. 'batch') for a symbolic one, null if unnamed or absent. */
  readonly inputShapes: (number | string | null)[][];
  readonly outputNames: string[];
  private readonly weights = new Map<string, Parameter>();
  private readonly constants = new Map<string, HostConst>();
  private readonly uploaded = new Map<string, Tensor>();

  constructor(
    private readonly graph: GraphMsg,
    private readonly opset: number,
  ) {
    super();
    const checked = checkGraph(graph, opset); // before any tensor is made: a refused file uploads nothing
    this.inputNames = checked.inputNames;
    const declared = new Map((graph.input ?? []).map((v) => [v.name, v.type?.tensor_type?.shape?.dim ?? []]));
    this.inputShapes = this.inputNames.map((n) => declared.get(n)!.map((d) => (typeof d.dim_value === 'number' ? d.dim_value : (d.dim_param ?? null))));
    this.outputNames = checked.outputNames;
    // BatchNormalization's running statistics are state, not trainable: buffers (in stateDict(), not parameters())
    const stats = new Set((graph.node ?? []).filter((n) => n.op_type === 'BatchNormalization').flatMap((n) => (n.input ?? []).slice(3, 5)));
    for (const [name, h] of checked.initializers) {
      if (h.kind === 'float' && stats.has(name)) this.registerBuffer(name, tensor(h.data, h.shape));
      else if (h.kind === 'float') this.weights.set(name, new Parameter(tensor(h.data, h.shape)));
      else this.constants.set(name, h);
    }
    for (const [name, h] of checked.constants) this.constants.set(name, h);
  }

  protected override ownParameters(): [string, Parameter][] {
    return [...this.weights];
  }

  /** As Module's, but buffers are found by their whole ONNX name (which may hold dots). */
  override loadStateDict(state: Record<string, Tensor>, options: { strict?: boolean } = {}): void {
    const rest: Record<string, Tensor> = {};
    const own: [string, Tensor][] = [];
    for (const [name, value] of Object.entries(state)) if (this.buffers.has(name)) own.push([name, value]);
    else rest[name] = value;
    if (options.strict ?? true) {
      const missing = [...this.weights.keys(), ...this.buffers.keys()].filter((k) => !Object.hasOwn(state, k));
      const unexpected = Object.keys(rest).filter((k) => !this.weights.has(k));
      if (missing.length || unexpected.length)
        throw new ValueError(`loadStateDict: ${[missing.length ? `missing keys [${missing.join(', ')}]` : '', unexpected.length ? `unexpected keys [${unexpected.join(', ')}]` : ''].filter(Boolean).join('; ')}`);
    }
    for (const [name, value] of own) {
      const old = this.buffers.get(name)!;
      if (!sameShape(old.shape, value.shape)) throw new ShapeError(`loadStateDict: buffer ${name} has shape ${shapeStr(old.shape)}, got ${shapeStr(value.shape)}`);
    }
    super.loadStateDict(rest, { strict: false });
    for (const [name, value] of own) this.buffers.set(name, noGrad(() => value.contiguous()).realize());
  }

  forward(...inputs: Tensor[]): Tensor {
    return this.run(inputs)[0];
  }

  /** Every graph output, in order. */
  run(inputs: Tensor[]): Tensor[] {
    if (inputs.length !== this.inputNames.length)
      throw new FormatError(`onnx model: forward takes ${this.inputNames.length} input(s) (${this.inputNames.join(', ')}), got ${inputs.length}`);
    const values = new Map<string, Value>([...this.weights, ...this.buffers, ...this.constants]);
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
      values.set(node.output![0], IMPORT_RULES[node.op_type as Exclude<OnnxOp, 'Constant'>].run(args));
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
  const ir = model.ir_version ?? 0;
  if (ir < IR_RANGE[0] || ir > IR_RANGE[1]) throw new FormatError(`onnx: IR version ${ir} is not supported (${IR_RANGE[0]} to ${IR_RANGE[1]})`);
  const domains = new Set<string>();
  for (const o of model.opset_import ?? []) {
    const d = !o.domain || o.domain === 'ai.onnx' ? 'ai.onnx' : o.domain;
    if (domains.has(d)) throw new FormatError(`onnx: opset_import names domain '${d}' twice`);
    domains.add(d);
  }
  const ops = (model.opset_import ?? []).filter((o) => !o.domain || o.domain === 'ai.onnx');
  if (ops.length === 0) throw new FormatError(`onnx: the model imports no opset of the default domain (ai.onnx; this importer implements opsets ${OPSET_RANGE[0]} to ${OPSET_RANGE[1]})`);
  const opset = Number(ops[0].version ?? 0);
  // ops change meaning across opsets (op-schema.ts follows each op through this range only)
  if (opset < OPSET_RANGE[0] || opset > OPSET_RANGE[1])
    throw new FormatError(`onnx: the model imports opset ${opset} of the default domain; this importer implements opsets ${OPSET_RANGE[0]} to ${OPSET_RANGE[1]}`);
  return new OnnxModel(model.graph, opset);
}
