// ONNX export: a table from module type to the ONNX nodes it becomes. The exporter walks the module
// tree from the root, threading a symbolic value (name + shape) through each module's rule; weights
// become initializers named as in stateDict(). To support a new layer, add one row to EXPORT_RULES.
import { BasicBlock, ResNet } from '../models/resnet.js';
import { LeNet } from '../models/lenet.js';
import * as nn from '../nn/index.js';
import type { Module } from '../nn/module.js';
import { conv2dGeometry } from '../ops/conv.js';
import { pair, type Pair } from '../core/shape.js';
import { ValueError } from '../core/errors.js';
import { checkOptions, NAME, POSITIVE_INT } from '../core/options.js';
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
  /** The initializer holding a parameter or buffer of the model (named as in stateDict()). */
  param(p: Tensor): string;
  /** A float, int64 or int8 constant (a Constant node: not a weight when imported back). */
  constant(values: number[], dims: number[], type?: 'float' | 'int64' | 'int8'): string;
  /** Exports a child module. */
  emit(m: Module, x: Value): Value;
}

export type ExportRule<M extends Module = Module> = (m: M, x: Value, ctx: ExportContext) => Value;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ctor<M> = abstract new (...args: any[]) => M;
const rule = <M extends Module>(type: Ctor<M>, fn: ExportRule<M>): [Ctor<Module>, ExportRule] => [type, fn as ExportRule];

const same = (x: Value, name: string): Value => ({ name, shape: x.shape });
const axisOf = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);
const shapeOf = (s: number[]) => `[${s.join(', ')}]`;

function needRank(layer: string, x: Value, rank: number, layout: string): void {
  if (x.shape.length !== rank) throw new ValueError(`onnx.exportModel: ${layer} needs a ${rank}-D input ${layout}, got ${shapeOf(x.shape)}`);
}

/** A Conv node for a 2-D convolution given our options (1-D: `oneD`, a height of 1 dropped). */
function convNode(ctx: ExportContext, layer: string, x: Value, weight: Tensor, bias: Tensor | null, o: { stride?: Pair; padding?: Pair | 'same' | 'valid'; dilation?: Pair; groups?: number }, oneD: boolean, weightValue?: string): Value {
  const x4 = oneD ? [x.shape[0], x.shape[1], 1, x.shape[2]] : x.shape;
  const w4 = oneD ? [weight.shape[0], weight.shape[1], 1, weight.shape[2]] : weight.shape;
  const g = conv2dGeometry(layer, x4, w4, { stride: o.stride, padding: o.padding, dilation: o.dilation, groups: o.groups });
  // 'same' pads d*(k-1) in all, the odd one at the end (bottom/right), as PyTorch does; ONNX pads are [begins..., ends...]
  const [endH, endW] = o.padding === 'same' ? [g.DH * (g.KH - 1) - g.PH, g.DW * (g.KW - 1) - g.PW] : [g.PH, g.PW];
  const attrs: Record<string, Attr> = oneD
    ? { kernel_shape: [g.KW], strides: [g.SW], pads: [g.PW, endW], dilations: [g.DW], group: g.G }
    : { kernel_shape: [g.KH, g.KW], strides: [g.SH, g.SW], pads: [g.PH, g.PW, endH, endW], dilations: [g.DH, g.DW], group: g.G };
  const inputs = [x.name, weightValue ?? ctx.param(weight), ...(bias ? [ctx.param(bias)] : [])];
  return { name: ctx.node('Conv', inputs, attrs), shape: oneD ? [g.N, g.O, g.OW] : [g.N, g.O, g.OH, g.OW] };
}

type QuantizedLayer = InstanceType<typeof nn.QuantizedLinear> | InstanceType<typeof nn.QuantizedConv2d>;

/** DequantizeLinear of a quantized layer's int8 weight, per output channel; returns the float weight's value name. */
function qdqWeight(m: QuantizedLayer, ctx: ExportContext): string {
  const sd = m.stateDict();
  const zeros = ctx.constant(new Array(m.outChannels).fill(0), [m.outChannels], 'int8');
  return ctx.node('DequantizeLinear', [ctx.param(sd.weight), ctx.param(sd.weight_scale), zeros], { axis: 0 });
}

/** QuantizeLinear then DequantizeLinear of the input by the layer's calibrated scale (static scaling only). */
function qdqInput(m: QuantizedLayer, x: Value, ctx: ExportContext): string {
  if (m.activations !== 'static')
    throw new ValueError(`onnx.exportModel: ${m.constructor.name} scales its inputs per row at run time (dynamic), which ONNX cannot say (DynamicQuantizeLinear is asymmetric uint8); quantize with activations 'static' to export`);
  const scale = ctx.node('Reshape', [ctx.param(m.stateDict().input_scale), ctx.constant([], [0], 'int64')]);
  const zero = ctx.constant([0], [], 'int8');
  return ctx.node('DequantizeLinear', [ctx.node('QuantizeLinear', [x.name, scale, zero]), scale, zero]);
}

/** Output size of a pooling window (floor mode, as ours). */
const poolOut = (size: number, k: number, s: number, p: number, d = 1) => Math.floor((size + 2 * p - d * (k - 1) - 1) / s) + 1;

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
  // int8 layers as QDQ (opset 13): the input quantized by its calibrated scale and dequantized, the int8 weight
  // dequantized per output channel (axis 0), then the float op; runtimes fuse the pattern into int8 kernels
  rule(nn.QuantizedLinear, (m, x, ctx) => {
    const w = qdqWeight(m, ctx);
    const xd = qdqInput(m, x, ctx);
    const shape = [...x.shape.slice(0, -1), m.outFeatures];
    const bias = m.biasTensor();
    if (x.shape.length === 2) return { name: ctx.node('Gemm', bias ? [xd, w, ctx.param(bias)] : [xd, w], { transB: 1 }), shape };
    const y = ctx.node('MatMul', [xd, ctx.node('Transpose', [w], { perm: [1, 0] })]);
    return { name: bias ? ctx.node('Add', [y, ctx.param(bias)]) : y, shape };
  }),
  rule(nn.QuantizedConv2d, (m, x, ctx) => {
    needRank('QuantizedConv2d', x, 4, '[N, C, H, W]');
    const w = qdqWeight(m, ctx);
    const xd = qdqInput(m, x, ctx);
    const stored = m.stateDict().weight;
    return convNode(ctx, 'QuantizedConv2d', { name: xd, shape: x.shape }, stored, m.biasTensor(), m.options, false, w);
  }),
  rule(nn.ReLU, (_m, x, ctx) => same(x, ctx.node('Relu', [x.name]))),
  rule(nn.Sigmoid, (_m, x, ctx) => same(x, ctx.node('Sigmoid', [x.name]))),
  rule(nn.Tanh, (_m, x, ctx) => same(x, ctx.node('Tanh', [x.name]))),
  rule(nn.Identity, (_m, x, ctx) => same(x, ctx.node('Identity', [x.name]))),
  rule(nn.LeakyReLU, (m, x, ctx) => same(x, ctx.node('LeakyRelu', [x.name], { alpha: { float: m.negativeSlope } }))),
  rule(nn.SiLU, (_m, x, ctx) => same(x, ctx.node('Mul', [x.name, ctx.node('Sigmoid', [x.name])]))),
  rule(nn.ELU, (m, x, ctx) => same(x, ctx.node('Elu', [x.name], { alpha: { float: m.alpha } }))),
  rule(nn.Softplus, (m, x, ctx) => {
    // ONNX's Softplus has no beta or threshold: log(1 + e^(βx))/β spelled out; PyTorch's linear region above
    // the threshold is the same function to float precision only at its default (20)
    if (m.threshold !== 20) throw new ValueError(`onnx.exportModel: Softplus(beta=${m.beta}, threshold=${m.threshold}): ONNX's Softplus has no threshold; only the default 20 exports exactly`);
    if (m.beta === 1) return same(x, ctx.node('Softplus', [x.name]));
    const b = ctx.constant([m.beta], []);
    return same(x, ctx.node('Div', [ctx.node('Softplus', [ctx.node('Mul', [x.name, b])]), b]));
  }),
  rule(nn.Mish, (_m, x, ctx) => same(x, ctx.node('Mul', [x.name, ctx.node('Tanh', [ctx.node('Softplus', [x.name])])]))),
  // HardSigmoid (opset 6) with PyTorch's constants; HardSwish as x·hardsigmoid(x) (HardSwish itself is opset 14)
  rule(nn.Hardsigmoid, (_m, x, ctx) => same(x, ctx.node('HardSigmoid', [x.name], { alpha: { float: 1 / 6 }, beta: { float: 0.5 } }))),
  rule(nn.Hardswish, (_m, x, ctx) => same(x, ctx.node('Mul', [x.name, ctx.node('HardSigmoid', [x.name], { alpha: { float: 1 / 6 }, beta: { float: 0.5 } })]))),
  rule(nn.PReLU, (m, x, ctx) => {
    // ONNX broadcasts the slope from the right: one per channel of dim 1 is [C, 1, ..., 1]
    const C = m.numParameters;
    const slope = C === 1 ? ctx.param(m.weight) : ctx.node('Reshape', [ctx.param(m.weight), ctx.constant([C, ...x.shape.slice(2).map(() => 1)], [x.shape.length - 1], 'int64')]);
    return same(x, ctx.node('PRelu', [x.name, slope]));
  }),
  rule(nn.GELU, (m, x, ctx) => {
    // spelled out for opsets before Gelu (20): exact 0.5·x·(1 + erf(x/√2)), or 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
    const c = (v: number) => ctx.constant([v], []);
    if (m.approximate === 'none') {
      const onePlusErf = ctx.node('Add', [ctx.node('Erf', [ctx.node('Mul', [x.name, c(Math.SQRT1_2)])]), c(1)]);
      return same(x, ctx.node('Mul', [ctx.node('Mul', [x.name, onePlusErf]), c(0.5)]));
    }
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
  rule(nn.Conv2d, (m, x, ctx) => {
    needRank(m.name, x, 4, '[N, C, H, W]');
    return convNode(ctx, m.name, x, m.weight, m.bias, m.options, false);
  }),
  rule(nn.Conv1d, (m, x, ctx) => {
    needRank(m.name, x, 3, '[N, C, L]');
    const { stride, padding, dilation, groups } = m.options;
    const p = padding ?? 0;
    return convNode(ctx, m.name, x, m.weight, m.bias, { stride: [1, stride ?? 1], dilation: [1, dilation ?? 1], groups, padding: typeof p === 'number' ? [0, p] : p }, true);
  }),
  rule(nn.ConvTranspose2d, (m, x, ctx) => {
    needRank(m.name, x, 4, '[N, C, H, W]');
    const [KH, KW] = m.weight.shape.slice(2);
    const [SH, SW] = pair(m.options.stride ?? 1);
    const [PH, PW] = pair(m.options.padding ?? 0);
    const [OPH, OPW] = pair(m.options.outputPadding ?? 0);
    const [DH, DW] = pair(m.options.dilation ?? 1);
    const G = m.options.groups ?? 1;
    const [N, , H, W] = x.shape;
    const shape = [N, m.outChannels, (H - 1) * SH - 2 * PH + DH * (KH - 1) + OPH + 1, (W - 1) * SW - 2 * PW + DW * (KW - 1) + OPW + 1];
    const attrs: Record<string, Attr> = { kernel_shape: [KH, KW], strides: [SH, SW], pads: [PH, PW, PH, PW], dilations: [DH, DW], group: G };
    if (OPH || OPW) attrs.output_padding = [OPH, OPW];
    const inputs = [x.name, ctx.param(m.weight), ...(m.bias ? [ctx.param(m.bias)] : [])];
    return { name: ctx.node('ConvTranspose', inputs, attrs), shape };
  }),
  rule(nn.MaxPool2d, (m, x, ctx) => {
    needRank('MaxPool2d', x, 4, '[N, C, H, W]');
    const [KH, KW] = pair(m.kernelSize);
    const [SH, SW] = pair(m.options.stride ?? m.kernelSize);
    const [PH, PW] = pair(m.options.padding ?? 0);
    const [DH, DW] = pair(m.options.dilation ?? 1);
    const attrs: Record<string, Attr> = { kernel_shape: [KH, KW], strides: [SH, SW], pads: [PH, PW, PH, PW] };
    if (DH !== 1 || DW !== 1) attrs.dilations = [DH, DW];
    const [N, C, H, W] = x.shape;
    return { name: ctx.node('MaxPool', [x.name], attrs), shape: [N, C, poolOut(H, KH, SH, PH, DH), poolOut(W, KW, SW, PW, DW)] };
  }),
  rule(nn.AvgPool2d, (m, x, ctx) => {
    needRank('AvgPool2d', x, 4, '[N, C, H, W]');
    const [KH, KW] = pair(m.kernelSize);
    const [SH, SW] = pair(m.options.stride ?? m.kernelSize);
    const [PH, PW] = pair(m.options.padding ?? 0);
    // ONNX's count_include_pad defaults to 0, ours (PyTorch's) to true: always written out
    const attrs = { kernel_shape: [KH, KW], strides: [SH, SW], pads: [PH, PW, PH, PW], count_include_pad: (m.options.countIncludePad ?? true) ? 1 : 0 };
    const [N, C, H, W] = x.shape;
    return { name: ctx.node('AveragePool', [x.name], attrs), shape: [N, C, poolOut(H, KH, SH, PH), poolOut(W, KW, SW, PW)] };
  }),
  rule(nn.AdaptiveAvgPool2d, (m, x, ctx) => {
    needRank('AdaptiveAvgPool2d', x, 4, '[N, C, H, W]');
    const [OH, OW] = pair(m.outputSize);
    const [N, C, H, W] = x.shape;
    if (OH === 1 && OW === 1) return { name: ctx.node('GlobalAveragePool', [x.name]), shape: [N, C, 1, 1] };
    // PyTorch's adaptive windows are a plain AveragePool when the output size divides the input size
    if (H % OH === 0 && W % OW === 0) {
      const k = [H / OH, W / OW];
      return { name: ctx.node('AveragePool', [x.name], { kernel_shape: k, strides: k, pads: [0, 0, 0, 0], count_include_pad: 1 }), shape: [N, C, OH, OW] };
    }
    throw new ValueError(
      `onnx.exportModel: AdaptiveAvgPool2d(${OH}x${OW}) on input ${shapeOf(x.shape)} has no ONNX equivalent: ` +
        `only an output of 1x1 (GlobalAveragePool) or one that divides the input (AveragePool) is exported`,
    );
  }),
  // Eval semantics (the exported graph is for inference): running statistics as initializers named as in stateDict()
  rule(nn.BatchNorm1d, (m, x, ctx) => batchNormNode(m, x, ctx, 'BatchNorm1d')),
  rule(nn.BatchNorm2d, (m, x, ctx) => batchNormNode(m, x, ctx, 'BatchNorm2d')),
  // Eval semantics: dropout is the identity
  rule(nn.Dropout, (_m, x, ctx) => same(x, ctx.node('Identity', [x.name]))),
  rule(LeNet, (m, x, ctx) => ctx.emit(m.classifier, ctx.emit(m.features, x))),
  rule(BasicBlock, (m, x, ctx) => {
    const h = ctx.emit(m.bn1, ctx.emit(m.conv1, x));
    const y = ctx.emit(m.bn2, ctx.emit(m.conv2, same(h, ctx.node('Relu', [h.name]))));
    const skip = m.shortcut ? ctx.emit(m.shortcut, x) : x;
    return same(y, ctx.node('Relu', [ctx.node('Add', [y.name, skip.name])]));
  }),
  rule(ResNet, (m, x, ctx) => {
    const s = ctx.emit(m.stemBn, ctx.emit(m.stem, x));
    let h: Value = same(s, ctx.node('Relu', [s.name]));
    for (const block of m.blocks) h = ctx.emit(block, h);
    // h.mean([2, 3]): GlobalAveragePool keeps [N, C, 1, 1], Flatten makes it [N, C]
    const pooled = ctx.node('Flatten', [ctx.node('GlobalAveragePool', [h.name])], { axis: 1 });
    return ctx.emit(m.fc, { name: pooled, shape: h.shape.slice(0, 2) });
  }),
];

type BatchNormModule = InstanceType<typeof nn.BatchNorm1d> | InstanceType<typeof nn.BatchNorm2d>;

/** BatchNormalization in inference form: (x - running_mean) / sqrt(running_var + eps) * weight + bias. */
function batchNormNode(m: BatchNormModule, x: Value, ctx: ExportContext, kind: string): Value {
  const layer = `${kind}(${m.numFeatures})`;
  if (x.shape.length < 2 || x.shape[1] !== m.numFeatures)
    throw new ValueError(`onnx.exportModel: ${layer} expects ${m.numFeatures} channels (dimension 1), got input ${shapeOf(x.shape)}`);
  if (!m.runningMean || !m.runningVar)
    throw new ValueError(
      `onnx.exportModel: ${layer} has no running statistics (trackRunningStats: false), so it normalises by batch statistics ` +
        'even in eval mode; ONNX BatchNormalization (inference) needs running statistics',
    );
  const C = m.numFeatures;
  const scale = m.weight ? ctx.param(m.weight) : ctx.constant(new Array(C).fill(1), [C]);
  const bias = m.bias ? ctx.param(m.bias) : ctx.constant(new Array(C).fill(0), [C]);
  // ONNX's momentum weighs the old statistic (PyTorch's exporter writes 1 - momentum); unused in inference
  const attrs = { epsilon: { float: m.eps }, momentum: { float: 1 - m.momentum } };
  return same(x, ctx.node('BatchNormalization', [x.name, scale, bias, ctx.param(m.runningMean), ctx.param(m.runningVar)], attrs));
}

export interface ExportOptions {
  /** ONNX opset (default 17). */
  opset?: number;
  /** Name the batch dimension symbolically so any batch size runs (default true). */
  dynamicBatch?: boolean;
  inputName?: string;
  outputName?: string;
}

/**
 * `await sg.onnx.exportModel(model, exampleInput)`: an ONNX ModelProto of the model's inference (eval-mode)
 * computation, whatever `model.training` is: BatchNorm normalises by its running statistics (exported as
 * initializers named as in stateDict()), Dropout is the identity. A BatchNorm without running statistics is refused.
 * The example input fixes every dimension but the batch. Modules without a rule throw a ValueError naming them.
 */
export async function exportModel(model: Module, exampleInput: Tensor, options: ExportOptions = {}): Promise<Uint8Array> {
  checkOptions('onnx.exportModel', options, { opset: POSITIVE_INT, dynamicBatch: 'boolean', inputName: NAME, outputName: NAME });
  const opset = options.opset ?? 17;
  const inputName = options.inputName ?? 'input';
  const outputName = options.outputName ?? 'output';
  const paramName = new Map<Tensor, string>();
  // a tensor saved whole under a state-dict key is named by that key; the parts of a stacked key by their path
  for (const e of model.stateEntries()) if (e.parts.length === 1) paramName.set(e.parts[0].tensor, e.key);
  for (const [name, p] of [...model.namedParameters(), ...model.namedBuffers()]) if (!paramName.has(p)) paramName.set(p, name);

  const nodes: NodeMsg[] = [];
  const initializers = new Map<string, Tensor>();
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
      if (!name) throw new ValueError('onnx.exportModel: a layer uses a parameter or buffer that the model does not register');
      initializers.set(name, p);
      return name;
    },
    constant(values, dims, type = 'float') {
      const t: TensorMsg =
        type === 'float' ? { dims, data_type: DataType.FLOAT, float_data: values }
          : type === 'int8' ? { dims, data_type: DataType.INT8, raw_data: new Uint8Array(Int8Array.from(values).buffer) }
            : { dims, data_type: DataType.INT64, int64_data: values };
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
  const int8 = new Set(model.int8StateKeys());
  const initializer: TensorMsg[] = [...initializers.keys()].map((name, i) => {
    const t = initializers.get(name)!;
    if (int8.has(name)) return { name, dims: t.shape, data_type: DataType.INT8, raw_data: new Uint8Array(Int8Array.from(hostValues[i] as Int32Array).buffer) };
    if (t.dtype !== 'float32') throw new ValueError(`onnx.exportModel: initializer '${name}' is ${t.dtype}; only float32 weights and int8 quantized weights are exported`);
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
