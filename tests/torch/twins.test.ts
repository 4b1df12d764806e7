// Every sg.nn module against its PyTorch twin (Debian's python3-torch): our state dict, saved as
// safetensors, loads into the twin with load_state_dict(strict=True); outputs, input gradients and
// parameter gradients agree within 1e-4 relative (5e-4 for recurrent and attention stacks) on awkward
// shapes; running statistics after a training forward agree; and PyTorch's state dict loads back into
// ours (strict) bit for bit. All cases run in one python process (tests/helpers/torch-oracle.ts).
import { beforeAll, describe, expect, test } from 'vitest';
import { CharGPT, DenoisingAutoencoder, DenseNet, Detector, LeNet, LSTMForecaster, MobileNet, ResNet, TabularNet, UNet, VGG, ViT } from '../../src/models/index.js';
import { Module } from '../../src/nn/module.js';
import { twinClasses } from '../../src/torch/twins.js';
import { useGpu } from '../helpers/gpu.js';
import '../helpers/matchers.js';
import { runOracle, torchMissing, type OracleCase, type OracleResult, type Pair } from '../helpers/torch-oracle.js';

const sg = useGpu();
const { nn } = sg;
const skip = torchMissing();

let seed = 0;
const x = (...shape: number[]) => sg.randn(shape, { seed: ++seed });
/** An edge index [2, E] over 6 nodes: both directions of 0-1 and 1-2, a self loop at 2, 3→1 twice, 0→3; nodes 4 and 5 isolated. */
const graph = () => sg.tensor(Int32Array.from([0, 1, 1, 2, 2, 3, 3, 0, /* targets */ 1, 0, 2, 1, 2, 1, 1, 3]), [2, 8], { dtype: 'int32' });
const ids = (n: number, ...shape: number[]) => sg.tensor(Int32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => (i * 7 + 3) % n), shape, { dtype: 'int32' });

/** Seeded int8 weight values in [−127, 127] of `shape`, with per-channel scales in [0.01, 0.05). */
function int8Weight(shape: number[]) {
  const n = shape.reduce((a, b) => a * b, 1);
  const q = Int32Array.from({ length: n }, (_, i) => ((i * 97 + seed * 31) % 255) - 127);
  const scale = Float32Array.from({ length: shape[0] }, (_, i) => 0.01 + 0.01 * ((i * 3 + seed) % 4));
  seed++;
  return { q, scale, shape };
}

/** Recurrent and attention stacks: 5e-4 (long chains of f32 ops in a different order); the rest 1e-4. */
const STACK_TOL = 5e-4;
const TOL = 1e-4;

/** A case: its name and tolerance now, its module and inputs built once the GPU is up. */
interface Case {
  name: string;
  tol: number;
  make: () => OracleCase;
}

function cases(): Case[] {
  const c = (name: string, build: () => [Omit<Module, 'forward'>, OracleCase['inputs']], o: { mode?: 'train' | 'eval'; tol?: number } = {}): Case => ({
    name,
    tol: o.tol ?? TOL,
    make: () => {
      const [module, inputs] = build();
      return { name, module, inputs, mode: o.mode ?? 'train' };
    },
  });
  const stack = { tol: STACK_TOL };
  return [
    c('Linear(5, 3) on [2, 3, 5]', () => [new nn.Linear(5, 3), [x(2, 3, 5)]]),
    c('Linear(4, 2, bias false)', () => [new nn.Linear(4, 2, { bias: false }), [x(3, 4)]]),
    c('Sequential(Linear, ReLU, Linear)', () => [new nn.Sequential(new nn.Linear(4, 6), new nn.ReLU(), new nn.Linear(6, 3)), [x(5, 4)]]),
    c('Flatten(1, 2)', () => [new nn.Flatten(1, 2), [x(2, 3, 4, 5)]]),
    c('ReLU', () => [new nn.ReLU(), [x(3, 7)]]),
    c('Sigmoid', () => [new nn.Sigmoid(), [x(3, 7)]]),
    c('Tanh', () => [new nn.Tanh(), [x(3, 7)]]),
    c('GELU', () => [new nn.GELU(), [x(3, 7)]]),
    c('Identity', () => [new nn.Identity(), [x(3, 7)]]),
    c('LeakyReLU(0.2)', () => [new nn.LeakyReLU(0.2), [x(3, 7)]]),
    c("GELU({ approximate: 'tanh' })", () => [new nn.GELU({ approximate: 'tanh' }), [x(3, 7)]]),
    c('SiLU', () => [new nn.SiLU(), [x(3, 7)]]),
    c('Mish', () => [new nn.Mish(), [x(3, 7)]]),
    c('Hardswish', () => [new nn.Hardswish(), [x(3, 7)]]),
    c('Hardsigmoid', () => [new nn.Hardsigmoid(), [x(3, 7)]]),
    c('ELU(0.7)', () => [new nn.ELU(0.7), [x(3, 7)]]),
    c('Softplus(2, 5)', () => [new nn.Softplus(2, 5), [x(3, 7)]]),
    c('PReLU(4, 0.1) on [2, 4, 3]', () => [new nn.PReLU(4, 0.1), [x(2, 4, 3)]]),
    c('Softmax(1)', () => [new nn.Softmax(1), [x(3, 7, 2)]]),
    c('LogSoftmax(-1)', () => [new nn.LogSoftmax(-1), [x(3, 7)]]),
    c('Dropout(0.3), eval', () => [new nn.Dropout(0.3), [x(4, 5)]], { mode: 'eval' }),
    c('Dropout(0), train', () => [new nn.Dropout(0), [x(4, 5)]]),
    c('Conv2d(3, 4, 3x2, stride [2, 1], padding [1, 0], dilation [1, 2])', () => [new nn.Conv2d(3, 4, [3, 2], { stride: [2, 1], padding: [1, 0], dilation: [1, 2] }), [x(2, 3, 7, 6)]]),
    c("Conv2d(4, 6, 3, groups 2, padding 'same', no bias)", () => [new nn.Conv2d(4, 6, 3, { groups: 2, padding: 'same', bias: false }), [x(2, 4, 5, 6)]]),
    c("Conv1d(4, 6, 3, padding 'same', groups 2)", () => [new nn.Conv1d(4, 6, 3, { padding: 'same', groups: 2 }), [x(2, 4, 9)]]),
    c('Conv1d(3, 2, 4, stride 2, padding 1, dilation 2)', () => [new nn.Conv1d(3, 2, 4, { stride: 2, padding: 1, dilation: 2 }), [x(2, 3, 13)]]),
    c('ConvTranspose2d(4, 3, 3, stride 2, padding 1, outputPadding 1)', () => [new nn.ConvTranspose2d(4, 3, 3, { stride: 2, padding: 1, outputPadding: 1 }), [x(2, 4, 5, 4)]]),
    c('ConvTranspose2d(4, 6, [2, 3], groups 2, dilation 2, no bias)', () => [new nn.ConvTranspose2d(4, 6, [2, 3], { groups: 2, dilation: 2, bias: false }), [x(1, 4, 3, 5)]]),
    c('MaxPool2d(3, stride 2, padding 1)', () => [new nn.MaxPool2d(3, { stride: 2, padding: 1 }), [x(2, 3, 7, 8)]]),
    c('MaxPool2d(2, dilation 2)', () => [new nn.MaxPool2d(2, { dilation: 2 }), [x(1, 2, 7, 7)]]),
    c('AvgPool2d(2, padding 1, countIncludePad false)', () => [new nn.AvgPool2d(2, { padding: 1, countIncludePad: false }), [x(2, 3, 5, 6)]]),
    c('AvgPool2d([3, 2], stride 1)', () => [new nn.AvgPool2d([3, 2], { stride: 1 }), [x(2, 2, 5, 4)]]),
    c('AdaptiveAvgPool2d([3, 2])', () => [new nn.AdaptiveAvgPool2d([3, 2]), [x(2, 3, 7, 5)]]),
    c("Upsample(scaleFactor 2, 'nearest')", () => [new nn.Upsample({ scaleFactor: 2 }), [x(2, 3, 4, 5)]]),
    c("Upsample(size [3, 4], 'nearest'), downsampling 7x6", () => [new nn.Upsample({ size: [3, 4], mode: 'nearest' }), [x(1, 2, 7, 6)]]),
    c("Upsample(size [7, 11], 'bilinear') from 3x5", () => [new nn.Upsample({ size: [7, 11], mode: 'bilinear' }), [x(1, 2, 3, 5)]]),
    c("Upsample(scaleFactor [2, 3], 'bilinear', alignCorners)", () => [new nn.Upsample({ scaleFactor: [2, 3], mode: 'bilinear', alignCorners: true }), [x(2, 2, 3, 4)]]),
    c('BatchNorm1d(5), train on [6, 5]', () => [new nn.BatchNorm1d(5), [x(6, 5)]]),
    c('BatchNorm1d(3, momentum 0.3), train on [4, 3, 5]', () => [new nn.BatchNorm1d(3, { momentum: 0.3 }), [x(4, 3, 5)]]),
    c('BatchNorm2d(3, eps 1e-3), train', () => [new nn.BatchNorm2d(3, { eps: 1e-3 }), [x(2, 3, 4, 5)]]),
    c('BatchNorm2d(3, affine false, no running stats)', () => [new nn.BatchNorm2d(3, { affine: false, trackRunningStats: false }), [x(2, 3, 3, 2)]]),
    c('BatchNorm2d(2), eval', () => [new nn.BatchNorm2d(2), [x(2, 2, 3, 3)]], { mode: 'eval' }),
    c('LayerNorm([4, 5])', () => [new nn.LayerNorm([4, 5]), [x(2, 3, 4, 5)]]),
    c('LayerNorm(6, eps 1e-3, no affine)', () => [new nn.LayerNorm(6, { eps: 1e-3, elementwiseAffine: false }), [x(3, 6)]]),
    c('GroupNorm(2, 6)', () => [new nn.GroupNorm(2, 6), [x(2, 6, 3, 3)]]),
    c('Embedding(10, 6)', () => [new nn.Embedding(10, 6), [ids(10, 2, 5)]]),
    c('SinusoidalPositionalEncoding(12, 6)', () => [new nn.SinusoidalPositionalEncoding(12, 6), [x(2, 5, 6)]]),
    c('LearnedPositionalEncoding(12, 6)', () => [new nn.LearnedPositionalEncoding(12, 6), [x(2, 5, 6)]]),
    c('MultiheadAttention(12, 3), self', () => [new nn.MultiheadAttention(12, 3), [x(2, 5, 12)]], stack),
    c('MultiheadAttention(12, 3), query 5, key/value 7', () => [new nn.MultiheadAttention(12, 3), [x(2, 5, 12), x(2, 7, 12), x(2, 7, 12)]], stack),
    c('MultiheadAttention(8, 2, causal, no bias)', () => [new nn.MultiheadAttention(8, 2, { causal: true, bias: false }), [x(3, 6, 8)]], stack),
    c('TransformerEncoderLayer(12, 3, dimFeedforward 20)', () => [new nn.TransformerEncoderLayer(12, 3, { dimFeedforward: 20, dropout: 0 }), [x(2, 5, 12)]], stack),
    c('TransformerEncoderLayer(8, 2, normFirst, gelu, causal, eps 1e-4)', () => [new nn.TransformerEncoderLayer(8, 2, { normFirst: true, activation: 'gelu', causal: true, eps: 1e-4, dropout: 0 }), [x(2, 7, 8)]], stack),
    c('TransformerDecoderLayer(12, 3, dimFeedforward 20)', () => [new nn.TransformerDecoderLayer(12, 3, { dimFeedforward: 20, dropout: 0 }), [x(2, 5, 12), x(2, 6, 12)]], stack),
    c('TransformerDecoderLayer(8, 2, normFirst, gelu)', () => [new nn.TransformerDecoderLayer(8, 2, { normFirst: true, activation: 'gelu', dropout: 0 }), [x(1, 4, 8), x(1, 3, 8)]], stack),
    c('GPTBlock(12, 3)', () => [new nn.GPTBlock(12, 3), [x(2, 5, 12)]], stack),
    c('RNN(3, 5, 2 layers, bidirectional, batchFirst)', () => [new nn.RNN(3, 5, { numLayers: 2, bidirectional: true, batchFirst: true }), [x(2, 4, 3)]], stack),
    c('RNN(3, 4, relu) with h0', () => [new nn.RNN(3, 4, { nonlinearity: 'relu' }), [x(5, 2, 3), x(1, 2, 4)]], stack),
    c('LSTM(3, 5, 2 layers, bidirectional) with [h0, c0]', () => [new nn.LSTM(3, 5, { numLayers: 2, bidirectional: true }), [x(4, 2, 3), [x(4, 2, 5), x(4, 2, 5)]]], stack),
    c('LSTM(2, 3, batchFirst)', () => [new nn.LSTM(2, 3, { batchFirst: true }), [x(3, 6, 2)]], stack),
    c('GRU(4, 3, batchFirst, no bias)', () => [new nn.GRU(4, 3, { batchFirst: true, bias: false }), [x(2, 5, 4)]], stack),
    c('GRU(3, 4, 2 layers) with h0', () => [new nn.GRU(3, 4, { numLayers: 2 }), [x(5, 3, 3), x(2, 3, 4)]], stack),
    c('GCNConv(5, 3) on 6 nodes (a self loop, a repeated edge, isolated nodes)', () => [new nn.GCNConv(5, 3), [x(6, 5), graph()]]),
    c('GCNConv(5, 3, normalize false, no bias)', () => [new nn.GCNConv(5, 3, { normalize: false, bias: false }), [x(6, 5), graph()]]),
    c("SAGEConv(5, 3, aggr 'mean')", () => [new nn.SAGEConv(5, 3), [x(6, 5), graph()]]),
    c("SAGEConv(5, 3, aggr 'max', no bias)", () => [new nn.SAGEConv(5, 3, { aggr: 'max', bias: false }), [x(6, 5), graph()]]),
    c('GATConv(5, 3, heads 2)', () => [new nn.GATConv(5, 3, { heads: 2 }), [x(6, 5), graph()]]),
    c('GATConv(5, 3, heads 3, concat false, negativeSlope 0.1, no self loops)', () => [new nn.GATConv(5, 3, { heads: 3, concat: false, negativeSlope: 0.1, addSelfLoops: false }), [x(6, 5), graph()]]),
    c('LoRA(Linear(5, 3), rank 2, alpha 4), B nonzero', () => {
      const l = new nn.LoRA(new nn.Linear(5, 3), { rank: 2, alpha: 4 });
      l.loraB.weight.assign(x(3, 2));
      return [l, [x(4, 5)]];
    }),
    c('LoRA(Conv2d(2, 3, 3, padding 1), rank 2), B nonzero', () => {
      const l = new nn.LoRA(new nn.Conv2d(2, 3, 3, { padding: 1 }), { rank: 2 });
      l.loraB.weight.assign(x(3, 2, 1, 1));
      return [l, [x(2, 2, 5, 5)]];
    }),
    c('QuantizedLinear(7, 4), dynamic', () => [new nn.QuantizedLinear(7, int8Weight([4, 7]), x(4), 'dynamic'), [x(3, 7)]]),
    c('QuantizedLinear(7, 4), static input_scale 0.02 (clamps), no bias', () => {
      const q = new nn.QuantizedLinear(7, int8Weight([4, 7]), null, 'static');
      q.loadStateDict({ ...q.stateDict(), input_scale: sg.tensor([0.02], [1]) });
      return [q, [x(3, 7)]];
    }),
    c('QuantizedConv2d(2, 3, 3, stride 2, padding 1), dynamic', () => [new nn.QuantizedConv2d(new nn.Conv2d(2, 3, 3, { stride: 2, padding: 1 }), int8Weight([3, 2, 3, 3]), 'dynamic'), [x(2, 2, 7, 7)]]),
    c('FakeQuantized(Linear(5, 3))', () => [new nn.FakeQuantized(new nn.Linear(5, 3)), [x(4, 5)]]),
    c('FakeQuantized(Conv2d(2, 3, 3))', () => [new nn.FakeQuantized(new nn.Conv2d(2, 3, 3)), [x(2, 2, 6, 6)]]),
    c('LeNet', () => [new LeNet(), [x(2, 1, 28, 28)]]),
    c('UNet(widths [4, 6, 8]: ConvTranspose2d then bilinear), train', () => [new UNet({ widths: [4, 6, 8] }), [x(2, 1, 8, 12)]]),
    c("UNet(widths [3, 5], 2 classes, 'nearest'), eval", () => [new UNet({ widths: [3, 5], classes: 2, upsampling: 'nearest' }), [x(2, 1, 6, 4)]], { mode: 'eval' }),
    c('ResNet([4, 6, 8]), train', () => [new ResNet({ widths: [4, 6, 8] }), [x(2, 1, 12, 12)]]),
    // eval: in train mode the stem BN's weight gradient is 0 up to rounding (the depthwise conv keeps channels
    // apart, so the next BN undoes any per-channel scale; relu is positively homogeneous)
    c('MobileNet(stem 4, widths [6, 8, 8], strides [1, 2, 1]) on 13x13, eval', () => [new MobileNet({ stem: 4, widths: [6, 8, 8], strides: [1, 2, 1] }), [x(2, 1, 13, 13)]], { mode: 'eval' }),
    c('DenseNet(growth 3, 2 layers per block) on 12x12, train', () => [new DenseNet({ growth: 3, layers: 2 }), [x(2, 1, 12, 12)]]),
    // eval: dropout off (its masks are not PyTorch's)
    c('VGG(widths [4, 6], 1 conv per stage, hidden 10) on 11x11, eval', () => [new VGG({ widths: [4, 6], convs: 1, hidden: 10, imageSize: 11 }), [x(3, 1, 11, 11)]], { mode: 'eval' }),
    c('DenoisingAutoencoder(width 3) on 12x12', () => [new DenoisingAutoencoder({ width: 3 }), [x(2, 1, 12, 12)]]),
    c('Detector(width 4, 3 classes) on [2, 1, 24, 16], train', () => [new Detector({ width: 4, classes: 3 }), [x(2, 1, 24, 16)]]),
    c('CharGPT(13, 2 layers, d 16, 2 heads)', () => [new CharGPT(13, { blockSize: 9, dModel: 16, nLayer: 2, nHead: 2 }), [ids(13, 2, 7)]], stack),
    c('ViT(image 10, patch 5, dim 8, 2 heads, depth 2, mlpDim 12)', () => [new ViT({ imageSize: 10, patchSize: 5, dim: 8, heads: 2, depth: 2, mlpDim: 12 }), [x(3, 1, 10, 10)]], stack),
    c('ViT hybrid(image 11, 2 channels, stem [3, 4], patch 3, dim 6, 3 heads, 5 classes), train', () => [
      new ViT({ imageSize: 11, inChannels: 2, stem: [3, 4], patchSize: 3, dim: 6, heads: 3, depth: 1, classes: 5 }), [x(2, 2, 11, 11)],
    ], stack),
    // eval: in train mode a Linear's bias before BatchNorm has a gradient of exactly 0 (PyTorch's is 1e-7 of rounding)
    c('TabularNet(4 numeric, categories of 3 and 5 rows), eval', () => [new TabularNet(4, [3, 5], { hidden: 6, dropout: 0.2 }), [x(7, 4), [ids(3, 7), ids(5, 7)]]], { mode: 'eval' }),
    c('LSTMForecaster(6, seasonalPeriod 3)', () => [new LSTMForecaster(6, { seasonalPeriod: 3 }), [x(3, 5, 1)]], stack),
  ];
}

/** Close within `tol` relative: elementwise rtol, and an atol of tol times the tensor's largest magnitude. */
function expectClose(p: Pair, tol: number, where: string): void {
  expect(p.theirs, `${where}: PyTorch has no ${p.what}`).toBeDefined();
  expect(p.ours.shape, `${where}: ${p.what} shape`).toEqual(p.theirs.shape);
  const scale = Math.max(1e-6, ...Array.from(p.theirs.data, Math.abs));
  expect(p.ours.data, `${where}: ${p.what}`).toBeAllClose(p.theirs.data, { rtol: tol, atol: tol * scale });
}

describe.skipIf(skip !== null)(`PyTorch twins${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const all = cases();
  let built: OracleCase[] = [];
  let results: OracleResult[] = [];
  beforeAll(async () => {
    built = all.map((c) => c.make());
    results = await runOracle(built);
  }, 600_000);

  test('every sg.nn module class has a twin row and a case here', () => {
    const classes = Object.values(nn).filter((v): v is typeof Module => typeof v === 'function' && v.prototype instanceof Module);
    expect(classes.length).toBeGreaterThan(30);
    const twins = new Set<unknown>(twinClasses());
    const tested = new Set(built.map((c) => c.module.constructor));
    for (const cls of classes) {
      expect(twins.has(cls), `${cls.name} has no row in TORCH_TWINS`).toBe(true);
      expect(tested.has(cls), `${cls.name} has no twin case in this file`).toBe(true);
    }
  });

  test.each(all.map((c, i) => [c.name, i] as const))('%s', (name, i) => {
    const r = results[i];
    expect(r.error, `${name}: PyTorch failed`).toBeNull();
    const tol = all[i].tol;
    expect(r.outputs.length).toBeGreaterThan(0);
    for (const p of [...r.outputs, ...r.inputGrads, ...r.paramGrads, ...r.stateAfter]) {
      if (p.ours.dtype === 'int32') expect(Array.from(p.ours.data), `${name}: ${p.what}`).toEqual(Array.from(p.theirs.data));
      else expectClose(p, tol, name);
    }
    for (const p of r.stateBack) expect(Array.from(p.ours.data), `${name}: ${p.what}`).toEqual(Array.from(p.theirs.data));
  });
});
