// PyTorch twins: a table from shadergrad module class to the Python expression that builds the same
// module in PyTorch, read from the module's actual configuration (its fields, not our defaults or
// PyTorch's). torchModelSource(model) walks the module tree from the root and writes a model.py whose
// build_model() returns the twin: same computation, same state-dict keys, shapes and layouts, so a
// shadergrad state dict loads into it with load_state_dict(strict=True). To support a new module, add
// one row to TORCH_TWINS (and, when torch.nn has no such class, its Python class to python-classes.ts).
import { CharGPT } from '../models/charlm.js';
import { Detector } from '../models/detector.js';
import { LSTMForecaster } from '../models/forecaster.js';
import { LeNet } from '../models/lenet.js';
import { BasicBlock, ResNet } from '../models/resnet.js';
import { DepthwiseSeparableConv, MobileNet } from '../models/mobilenet.js';
import { DenseBlock, DenseLayer, DenseNet, Transition } from '../models/densenet.js';
import { VGG } from '../models/vgg.js';
import { DenoisingAutoencoder } from '../models/autoencoder.js';
import { TabularNet } from '../models/tabular.js';
import { DoubleConv, UNet } from '../models/unet.js';
import { ViT } from '../models/vit.js';
import { ValueError } from '../core/errors.js';
import type { Pair } from '../core/shape.js';
import * as nn from '../nn/index.js';
import { Module, snakeCase } from '../nn/module.js';
import { PYTHON_CLASSES, PYTHON_PRELUDE } from './python-classes.js';

/** What a twin rule can do: write a child's twin, and ask for a Python class to be defined. */
export interface TwinContext {
  /** The twin expression of a sub-module, `None` for null, an `nn.ModuleList` for an array of modules. */
  child(m: AnyModule | AnyModule[] | null, name: string): string;
  /** Defines a class of python-classes.ts (and what it needs) in the generated file; returns its name. */
  use(className: string): string;
}

/** A module as the table sees it: recurrent modules are Modules whose forward() returns [output, state]. */
type AnyModule = Omit<Module, 'forward'>;
export type TwinRule<M extends AnyModule = AnyModule> = (m: M, ctx: TwinContext) => string;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ctor<M> = abstract new (...args: any[]) => M;
const rule = <M extends AnyModule>(type: Ctor<M>, fn: TwinRule<M>): [Ctor<AnyModule>, TwinRule] => [type, fn as TwinRule];

/** Python code to write as it is (a callable, a sub-module), where py() would write a literal. */
class Code {
  constructor(readonly code: string) {}
}
const code = (c: string) => new Code(c);

/** A Python literal: booleans True/False, numbers (finite), strings quoted, arrays as tuples, null None; Code as is. */
export function py(v: unknown): string {
  if (v instanceof Code) return v.code;
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new ValueError(`torch export: cannot write the number ${v} as a Python literal`);
    return String(v);
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `(${v.map(py).join(', ')}${v.length === 1 ? ',' : ''})`;
  throw new ValueError(`torch export: cannot write ${typeof v} as a Python literal`);
}

/** A call `f(a, b, k=v, ...)`, keyword arguments whose value is undefined left out. */
function call(f: string, args: unknown[], kwargs: Record<string, unknown> = {}): string {
  const parts = [...args.map(py), ...Object.entries(kwargs).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${py(v)}`)];
  return `${f}(${parts.join(', ')})`;
}

/** A call whose keyword arguments are Python expressions already (sub-modules), written one per line. */
function callWith(f: string, kwargs: Record<string, string>, indent = '    '): string {
  const lines = Object.entries(kwargs).map(([k, v]) => `${indent}${k}=${v.replace(/\n/g, `\n${indent}`)},`);
  return `${f}(\n${lines.join('\n')}\n)`;
}

const pairOf = (v: Pair | undefined, dflt: number): [number, number] => (v === undefined ? [dflt, dflt] : Array.isArray(v) ? [v[0], v[1]] : [v, v]);

/** A module's dropout probability where it has one (a number field or a Dropout child), else 0 (it drops nothing). */
function dropoutOf(m: AnyModule): number {
  const d = (m as unknown as { dropout?: unknown }).dropout;
  if (typeof d === 'number') return d;
  return d instanceof nn.Dropout ? d.p : 0;
}

/** GELU's form as the module (GELU, or a feed-forward block) holds it: 'none' (exact erf) or 'tanh'. */
function geluApproximate(m: AnyModule): string {
  const a = (m as unknown as { approximate?: unknown }).approximate;
  if (a !== 'none' && a !== 'tanh') throw new ValueError(`torch export: ${m.constructor.name} does not say which GELU it computes`);
  return a;
}

/** The activation of a feed-forward block as a Python callable. */
function activationExpr(owner: AnyModule, activation: string): string {
  if (activation === 'relu') return 'F.relu';
  if (activation === 'gelu') return `functools.partial(F.gelu, approximate=${py(geluApproximate(owner))})`;
  throw new ValueError(`torch export: ${owner.constructor.name} has activation '${activation}', which has no PyTorch twin here`);
}

type FF = Module & { fc1: nn.Linear; fc2: nn.Linear; activation: string; approximate: string };
type Layer = nn.TransformerEncoderLayer | nn.TransformerDecoderLayer;

/** The keyword arguments PyTorch's transformer layers share, read from our layer. */
function layerKwargs(l: Layer): Record<string, unknown> {
  const ff = (l as unknown as { ff: FF }).ff;
  return {
    dim_feedforward: ff.fc1.outFeatures,
    dropout: dropoutOf(l),
    activation: code(activationExpr(ff, ff.activation)),
    layer_norm_eps: l.norm1.options.eps ?? 1e-5,
    norm_first: l.normFirst,
  };
}

const recurrent = (torchName: string, m: nn.RNN | nn.LSTM | nn.GRU, extra: Record<string, unknown> = {}) =>
  call(`nn.${torchName}`, [m.inputSize, m.hiddenSize], {
    num_layers: m.numLayers,
    bias: Object.keys(m.stateDict()).some((k) => k.startsWith('bias_')),
    batch_first: m.batchFirst,
    bidirectional: m.bidirectional,
    ...extra,
  });

const activation = (f: string) => () => `nn.${f}()`;

export const TORCH_TWINS: [Ctor<AnyModule>, TwinRule][] = [
  rule(nn.Linear, (m) => call('nn.Linear', [m.inFeatures, m.outFeatures], { bias: m.bias !== null })),
  rule(nn.Sequential, (m, ctx) => (m.layers.length ? `nn.Sequential(\n${m.layers.map((l, i) => `    ${ctx.child(l, String(i)).replace(/\n/g, '\n    ')},`).join('\n')}\n)` : 'nn.Sequential()')),
  rule(nn.Flatten, (m) => call('nn.Flatten', [m.startDim, m.endDim])),
  rule(nn.ReLU, activation('ReLU')),
  rule(nn.Sigmoid, activation('Sigmoid')),
  rule(nn.Tanh, activation('Tanh')),
  rule(nn.Identity, activation('Identity')),
  rule(nn.GELU, (m) => call('nn.GELU', [], { approximate: geluApproximate(m) })),
  rule(nn.LeakyReLU, (m) => call('nn.LeakyReLU', [m.negativeSlope])),
  rule(nn.SiLU, activation('SiLU')),
  rule(nn.Mish, activation('Mish')),
  rule(nn.Hardswish, activation('Hardswish')),
  rule(nn.Hardsigmoid, activation('Hardsigmoid')),
  rule(nn.ELU, (m) => call('nn.ELU', [m.alpha])),
  rule(nn.Softplus, (m) => call('nn.Softplus', [m.beta, m.threshold])),
  rule(nn.PReLU, (m) => call('nn.PReLU', [m.numParameters])),
  rule(nn.Softmax, (m) => call('nn.Softmax', [], { dim: m.dim })),
  rule(nn.LogSoftmax, (m) => call('nn.LogSoftmax', [], { dim: m.dim })),
  rule(nn.Dropout, (m) => call('nn.Dropout', [m.p])),
  rule(nn.Conv2d, (m) => {
    const o = m.options;
    return call('nn.Conv2d', [m.inChannels, m.outChannels, m.kernelSize], {
      stride: pairOf(o.stride, 1), padding: typeof o.padding === 'string' ? o.padding : pairOf(o.padding, 0), dilation: pairOf(o.dilation, 1), groups: o.groups ?? 1, bias: m.bias !== null,
    });
  }),
  rule(nn.Conv1d, (m) => {
    const o = m.options;
    return call('nn.Conv1d', [m.inChannels, m.outChannels, m.kernelSize], { stride: o.stride ?? 1, padding: o.padding ?? 0, dilation: o.dilation ?? 1, groups: o.groups ?? 1, bias: m.bias !== null });
  }),
  rule(nn.ConvTranspose2d, (m) => {
    const o = m.options;
    return call('nn.ConvTranspose2d', [m.inChannels, m.outChannels, [m.weight.shape[2], m.weight.shape[3]]], {
      stride: pairOf(o.stride, 1), padding: pairOf(o.padding, 0), output_padding: pairOf(o.outputPadding, 0), groups: o.groups ?? 1, bias: m.bias !== null, dilation: pairOf(o.dilation, 1),
    });
  }),
  rule(nn.MaxPool2d, (m) => call('nn.MaxPool2d', [pairOf(m.kernelSize, 1)], { stride: pairOf(m.options.stride ?? m.kernelSize, 1), padding: pairOf(m.options.padding, 0), dilation: pairOf(m.options.dilation, 1) })),
  rule(nn.AvgPool2d, (m) =>
    call('nn.AvgPool2d', [pairOf(m.kernelSize, 1)], { stride: pairOf(m.options.stride ?? m.kernelSize, 1), padding: pairOf(m.options.padding, 0), count_include_pad: m.options.countIncludePad ?? true }),
  ),
  rule(nn.AdaptiveAvgPool2d, (m) => call('nn.AdaptiveAvgPool2d', [pairOf(m.outputSize, 1)])),
  rule(nn.Upsample, (m) => call('nn.Upsample', [], { size: m.size ?? undefined, scale_factor: m.scaleFactor ?? undefined, mode: m.mode, align_corners: m.alignCorners ?? undefined })),
  rule(nn.BatchNorm1d, (m) => call('nn.BatchNorm1d', [m.numFeatures], { eps: m.eps, momentum: m.momentum, affine: m.weight !== null, track_running_stats: m.trackRunningStats })),
  rule(nn.BatchNorm2d, (m) => call('nn.BatchNorm2d', [m.numFeatures], { eps: m.eps, momentum: m.momentum, affine: m.weight !== null, track_running_stats: m.trackRunningStats })),
  rule(nn.LayerNorm, (m) => call('nn.LayerNorm', [m.normalizedShape], { eps: m.options.eps ?? 1e-5, elementwise_affine: m.weight !== null })),
  rule(nn.GroupNorm, (m) => call('nn.GroupNorm', [m.numGroups, m.numChannels], { eps: m.options.eps ?? 1e-5, affine: m.weight !== null })),
  rule(nn.Embedding, (m) => call('nn.Embedding', [m.numEmbeddings, m.embeddingDim])),
  rule(nn.LearnedPositionalEncoding, (m, ctx) => call(ctx.use('LearnedPositionalEncoding'), [m.maxLen, m.dim])),
  rule(nn.SinusoidalPositionalEncoding, (m, ctx) => call(ctx.use('SinusoidalPositionalEncoding'), [m.maxLen, m.dim])),
  rule(nn.MultiheadAttention, (m, ctx) => call(ctx.use('MultiheadAttention'), [m.embedDim, m.numHeads], { causal: m.options.causal ?? false, bias: m.qProj.bias !== null, dropout: dropoutOf(m) })),
  rule(nn.TransformerEncoderLayer, (m, ctx) => call(ctx.use('TransformerEncoderLayer'), [m.dModel, m.nHead], { causal: m.selfAttn.options.causal ?? false, ...layerKwargs(m) })),
  rule(nn.TransformerDecoderLayer, (m, ctx) => call(ctx.use('TransformerDecoderLayer'), [m.dModel, m.nHead], { causal: m.selfAttn.options.causal ?? false, ...layerKwargs(m) })),
  rule(nn.GPTBlock, (m, ctx) => {
    const mlp = m.mlp as unknown as FF;
    const ff = callWith(ctx.use('FeedForward'), { fc1: ctx.child(mlp.fc1, 'mlp.fc1'), fc2: ctx.child(mlp.fc2, 'mlp.fc2'), activation: activationExpr(mlp, mlp.activation) });
    return callWith(ctx.use('GPTBlock'), { ln1: ctx.child(m.ln1, 'ln1'), attn: ctx.child(m.attn, 'attn'), ln2: ctx.child(m.ln2, 'ln2'), mlp: ff });
  }),
  rule(nn.RNN, (m) => recurrent('RNN', m, { nonlinearity: m.nonlinearity })),
  rule(nn.LSTM, (m) => recurrent('LSTM', m)),
  rule(nn.GRU, (m) => recurrent('GRU', m)),
  rule(nn.LoRA, (m, ctx) => callWith(ctx.use('LoRA'), { base_layer: ctx.child(m.baseLayer, 'baseLayer'), lora_A: ctx.child(m.loraA, 'loraA'), lora_B: ctx.child(m.loraB, 'loraB'), scaling: py(m.scaling) })),
  rule(nn.QuantizedLinear, (m, ctx) => call(ctx.use('QuantizedLinear'), [m.inFeatures, m.outFeatures, m.biasTensor() !== null, m.activations === 'static'])),
  rule(nn.QuantizedConv2d, (m, ctx) => {
    const pair = (v: number | [number, number] | undefined, d: number) => (v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : v);
    const padding = m.options.padding;
    if (typeof padding === 'string') throw new ValueError(`torch export: QuantizedConv2d with padding '${padding}' has no twin here (give numbers)`);
    return call(ctx.use('QuantizedConv2d'), [m.inChannels, m.outChannels, m.kernelSize, pair(m.options.stride, 1), pair(padding, 0), pair(m.options.dilation, 1), m.biasTensor() !== null, m.activations === 'static']);
  }),
  rule(nn.FakeQuantized, (m, ctx) => callWith(ctx.use('FakeQuantized'), { layer: ctx.child(m.layer, 'layer') })),
  rule(nn.GCNConv, (m, ctx) => call(ctx.use('GCNConv'), [m.inChannels, m.outChannels], { add_self_loops: m.addSelfLoops, normalize: m.normalize, bias: m.bias !== null })),
  rule(nn.SAGEConv, (m, ctx) => call(ctx.use('SAGEConv'), [m.inChannels, m.outChannels], { aggr: m.aggr, bias: m.lin_l.bias !== null })),
  rule(nn.GATConv, (m, ctx) =>
    call(ctx.use('GATConv'), [m.inChannels, m.outChannels], {
      heads: m.heads, concat: m.concat, negative_slope: m.negativeSlope, dropout: m.dropout, add_self_loops: m.addSelfLoops, bias: m.bias !== null,
    }),
  ),
  // models: their children under their state-dict names, with a Python forward of their own
  rule(LeNet, (m, ctx) => callWith(ctx.use('LeNet'), { features: ctx.child(m.features, 'features'), classifier: ctx.child(m.classifier, 'classifier') })),
  rule(TabularNet, (m, ctx) => callWith(ctx.use('TabularNet'), childrenOf(m, ['embeddings', 'body', 'head'], ctx))),
  rule(BasicBlock, (m, ctx) => callWith(ctx.use('BasicBlock'), childrenOf(m, ['conv1', 'bn1', 'conv2', 'bn2', 'shortcut'], ctx))),
  rule(DoubleConv, (m, ctx) => callWith(ctx.use('DoubleConv'), childrenOf(m, ['conv1', 'bn1', 'conv2', 'bn2'], ctx))),
  rule(UNet, (m, ctx) => callWith(ctx.use('UNet'), childrenOf(m, ['encoders', 'pool', 'ups', 'decoders', 'head'], ctx))),
  rule(ResNet, (m, ctx) => callWith(ctx.use('ResNet'), childrenOf(m, ['stem', 'stemBn', 'blocks', 'fc'], ctx))),
  rule(DepthwiseSeparableConv, (m, ctx) => callWith(ctx.use('DepthwiseSeparableConv'), childrenOf(m, ['depthwise', 'bn1', 'pointwise', 'bn2'], ctx))),
  rule(MobileNet, (m, ctx) => callWith(ctx.use('MobileNet'), childrenOf(m, ['stem', 'stemBn', 'blocks', 'fc'], ctx))),
  rule(DenseLayer, (m, ctx) => callWith(ctx.use('DenseLayer'), childrenOf(m, ['bn', 'conv'], ctx))),
  rule(DenseBlock, (m, ctx) => callWith(ctx.use('DenseBlock'), childrenOf(m, ['layers'], ctx))),
  rule(Transition, (m, ctx) => callWith(ctx.use('Transition'), childrenOf(m, ['bn', 'conv', 'pool'], ctx))),
  rule(DenseNet, (m, ctx) => callWith(ctx.use('DenseNet'), childrenOf(m, ['stem', 'blocks', 'transitions', 'bn', 'fc'], ctx))),
  rule(VGG, (m, ctx) => callWith(ctx.use('VGG'), childrenOf(m, ['features', 'classifier'], ctx))),
  rule(DenoisingAutoencoder, (m, ctx) => callWith(ctx.use('DenoisingAutoencoder'), childrenOf(m, ['encoder', 'decoder'], ctx))),
  rule(CharGPT, (m, ctx) => callWith(ctx.use('CharGPT'), childrenOf(m, ['tokEmb', 'posEmb', 'blocks', 'lnF', 'head'], ctx))),
  rule(Detector, (m, ctx) => callWith(ctx.use('Detector'), childrenOf(m, ['backbone', 'head'], ctx))),
  rule(ViT, (m, ctx) =>
    callWith(ctx.use('ViT'), {
      ...childrenOf(m, ['stem', 'patchEmbed'], ctx),
      cls_token: `nn.Parameter(torch.zeros(${m.clsToken.shape.join(', ')}))`, // a parameter of the model itself (its value comes with the weights)
      ...childrenOf(m, ['posEmb', 'blocks', 'norm', 'head'], ctx),
    }),
  ),
  rule(LSTMForecaster, (m, ctx) => callWith(ctx.use('LSTMForecaster'), { ...childrenOf(m, ['lstm', 'head'], ctx), seasonal_period: py(m.options.seasonalPeriod ?? null) })),
];

/** The twins of `m`'s children `attrs`, keyed by their state-dict names (snake_case). */
function childrenOf(m: Module, attrs: string[], ctx: TwinContext): Record<string, string> {
  const self = m as unknown as Record<string, AnyModule | AnyModule[] | null>;
  return Object.fromEntries(attrs.map((a) => [snakeCase(a), ctx.child(self[a], a)]));
}

/** The rule for a module: its own class's, not a base class's (a subclass may compute something else). */
function ruleFor(m: AnyModule): TwinRule | undefined {
  return TORCH_TWINS.find(([type]) => m.constructor === type)?.[1];
}

/** True when `m`'s class has a PyTorch twin (its children may still lack one). */
export const hasTwin = (m: AnyModule): boolean => ruleFor(m) !== undefined;

/** The classes TORCH_TWINS knows (for tests that check every nn module has a row). */
export const twinClasses = (): Ctor<AnyModule>[] => TORCH_TWINS.map(([type]) => type);

/**
 * model.py for `model`: the prelude, the Python classes the twin needs, and build_model() returning it.
 * A module with no twin is refused with a ValueError naming its class and where it is in the tree.
 */
export function torchModelSource(model: AnyModule): string {
  const used = new Set<string>();
  const order: string[] = [];
  const use = (name: string): string => {
    const c = PYTHON_CLASSES[name];
    if (!c) throw new ValueError(`torch export: no Python class '${name}'`);
    if (!used.has(name)) {
      used.add(name);
      c.needs.forEach(use);
      order.push(name);
    }
    return name;
  };
  const path: string[] = [];
  const twin = (m: AnyModule): string => {
    const r = ruleFor(m);
    if (!r) throw new ValueError(`torch export: ${m.constructor.name} at ${path.length ? `'${path.join('.')}'` : 'the root'} has no PyTorch twin (modules with one: ${TORCH_TWINS.map(([t]) => t.name).join(', ')})`);
    return r(m, ctx);
  };
  const ctx: TwinContext = {
    child(m, name) {
      path.push(name);
      try {
        if (m === null) return 'None';
        if (Array.isArray(m)) return `nn.ModuleList([\n${m.map((c, i) => `    ${ctx.child(c, String(i)).replace(/\n/g, '\n    ')},`).join('\n')}\n])`;
        return twin(m);
      } finally {
        path.pop();
      }
    },
    use,
  };
  const body = twin(model);
  const classes = order.map((n) => PYTHON_CLASSES[n].source).join('\n\n');
  return `# The PyTorch twin of a shadergrad ${model.constructor.name}, generated by \`shadergrad export --torch\`.
# Same computation, same state-dict keys, shapes and layouts: load_state_dict(strict=True) takes its weights.
${PYTHON_PRELUDE}

${classes}${classes ? '\n\n' : ''}def build_model():
    return ${body.replace(/\n/g, '\n    ')}
`;
}
