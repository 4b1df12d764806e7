// Options and numeric arguments of the rest of the public API (layers, functional ops, schedulers,
// transforms, models, the training loop, save/load/checkpoints): for each class or function an unknown
// key, a wrong type, a NaN and an out-of-range value, each a ValueError naming the owner and the key,
// thrown before any GPU work. (Optimizers and losses: tests/optim/hyperparams.test.ts, tests/ops/rows/;
// Linear, BatchNorm, Conv2d, DataLoader, ...: tests/ops/errors.test.ts.)
import { expect, test } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { f32 } from '../ops/rows/inputs.js';
import { trainLoop } from '../../src/train/loop.js';
import * as models from '../../src/models/index.js';
import { init as coreInit } from '../../src/index.js';
import { ColorJitter, Mixup, RandomAffine } from '../../src/data/transforms.js';

const sg = useGpu();
const { nn, optim, data } = sg;
const F = nn.functional;
const bad = <T>(v: unknown) => v as T;
let opt: InstanceType<typeof optim.SGD> | undefined;
/** One optimizer for all cases (made once, so that the GPU-work check below sees only the refused calls). */
const sgd = () => (opt ??= new optim.SGD(new nn.Linear(2, 2).parameters(), { lr: 0.1 }));
const q = () => f32([1, 2, 3, 4]);

type Case = [() => unknown, RegExp];
const TABLE: Record<string, Case[]> = {
  'RNN, LSTM, GRU': [
    [() => new nn.LSTM(2, 3, bad({ numLayer: 2 })), /LSTM\(2, 3\): unknown option 'numLayer' \(allowed: numLayers, bidirectional, batchFirst, bias, seed\)/],
    [() => new nn.GRU(2, 3, { nonlinearity: 'relu' } as never), /GRU\(2, 3\): unknown option 'nonlinearity'/],
    [() => new nn.RNN(2, 3, { batchFirst: bad(1) }), /RNN\(2, 3\): batchFirst must be a boolean \(true or false\), got 1/],
    [() => new nn.RNN(2, 3, { bidirectional: bad('yes') }), /RNN\(2, 3\): bidirectional must be a boolean/],
    [() => new nn.RNN(2, 3, { nonlinearity: bad('sigmoid') }), /RNN\(2, 3\): nonlinearity must be 'tanh' or 'relu', got string "sigmoid"/],
    [() => new nn.GRU(2, NaN), /GRU\(2, NaN\): hiddenSize must be a finite integer >= 1, got NaN/],
    [() => new nn.LSTM(0, 3), /LSTM\(0, 3\): inputSize must be a finite integer >= 1, got 0/],
    [() => new nn.LSTM(2, 3, { numLayers: 1.5 }), /LSTM\(2, 3\): numLayers must be a finite integer >= 1, got 1.5/],
  ],
  'Embedding and positional encodings': [
    [() => new nn.Embedding(10, 4, bad({ paddingIdx: 0 })), /Embedding\(10, 4\): unknown option 'paddingIdx' \(allowed: std, seed\)/],
    [() => new nn.Embedding(10, bad('4')), /Embedding\(10, 4\): embeddingDim must be a finite integer >= 1, got string "4"/],
    [() => new nn.Embedding(10, 4, { std: NaN }), /Embedding\(10, 4\): std must be a finite number >= 0, got NaN/],
    [() => new nn.Embedding(0, 4), /Embedding\(0, 4\): numEmbeddings must be a finite integer >= 1, got 0/],
    [() => new nn.LearnedPositionalEncoding(8, 4, { std: -1 }), /LearnedPositionalEncoding\(8, 4\): std must be a finite number >= 0, got -1/],
    [() => new nn.LearnedPositionalEncoding(8, 4, bad({ sed: 1 })), /LearnedPositionalEncoding\(8, 4\): unknown option 'sed'/],
    [() => new nn.SinusoidalPositionalEncoding(NaN, 4), /SinusoidalPositionalEncoding\(NaN, 4\): maxLen must be a finite integer >= 1/],
    [() => new nn.SinusoidalPositionalEncoding(8, 2.5), /SinusoidalPositionalEncoding\(8, 2.5\): dim must be a finite integer >= 1/],
  ],
  'MultiheadAttention and the transformer layers': [
    [() => new nn.MultiheadAttention(8, 2, bad({ dropuot: 0.1 })), /MultiheadAttention\(8, 2\): unknown option 'dropuot' \(allowed: causal, bias, dropout, seed\)/],
    [() => new nn.MultiheadAttention(8, 2, { dropout: 1.5 }), /MultiheadAttention\(8, 2\): dropout must be a finite number >= 0 <= 1, got 1.5/],
    [() => new nn.MultiheadAttention(8, 2, { causal: bad('true') }), /MultiheadAttention\(8, 2\): causal must be a boolean/],
    [() => new nn.MultiheadAttention(NaN, 2), /MultiheadAttention\(NaN, 2\): embedDim must be a finite integer >= 1, got NaN/],
    [() => new nn.MultiheadAttention(8, 0), /MultiheadAttention\(8, 0\): numHeads must be a finite integer >= 1, got 0/],
    [() => new nn.TransformerEncoderLayer(8, 3), /TransformerEncoderLayer\(8, 3\): nHead 3 does not divide dModel 8/],
    [() => new nn.TransformerEncoderLayer(8, 2, bad({ dimFeedForward: 16 })), /TransformerEncoderLayer\(8, 2\): unknown option 'dimFeedForward' \(allowed: dimFeedforward, dropout, normFirst, activation, seed, eps, causal\)/],
    [() => new nn.TransformerEncoderLayer(8, 2, { activation: bad('tanh') }), /TransformerEncoderLayer\(8, 2\): activation must be 'relu' or 'gelu', got string "tanh"/],
    [() => new nn.TransformerEncoderLayer(8, 2, { eps: NaN }), /TransformerEncoderLayer\(8, 2\): eps must be a finite number >= 0, got NaN/],
    [() => new nn.TransformerDecoderLayer(8, 2, bad({ causal: true })), /TransformerDecoderLayer\(8, 2\): unknown option 'causal'/],
    [() => new nn.TransformerDecoderLayer(8, 2, { normFirst: bad(0) }), /TransformerDecoderLayer\(8, 2\): normFirst must be a boolean/],
    [() => new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 0 }), /TransformerDecoderLayer\(8, 2\): dimFeedforward must be a finite integer >= 1, got 0/],
    [() => new nn.GPTBlock(8, 2, bad({ normFirst: true })), /GPTBlock\(8, 2\): unknown option 'normFirst' \(allowed: seed, dimFeedforward\)/],
    [() => new nn.GPTBlock(8, 2, { seed: NaN }), /GPTBlock\(8, 2\): seed must be a finite integer, got NaN/],
    [() => new nn.GPTBlock(8, 2, { dimFeedforward: bad('32') }), /GPTBlock\(8, 2\): dimFeedforward must be a finite integer >= 1, got string "32"/],
  ],
  'MaxPool2d, AvgPool2d, AdaptiveAvgPool2d': [
    [() => new nn.MaxPool2d(2, bad({ ceilMode: true })), /MaxPool2d\(2x2\): unknown option 'ceilMode' \(allowed: stride, padding, dilation, name\)/],
    [() => new nn.MaxPool2d(3, { padding: 2 }), /MaxPool2d\(3x3\): padding \[2, 2\] must be at most half of the \(dilated\) kernel 3x3/],
    [() => new nn.MaxPool2d(3, { stride: NaN }), /MaxPool2d\(3x3\): stride must be integers >= 1, got \[NaN,NaN\]/],
    [() => new nn.MaxPool2d(bad('2')), /MaxPool2d\(2x2\): kernel size must be integers >= 1/],
    [() => new nn.AvgPool2d(2, { countIncludePad: bad('no') }), /AvgPool2d\(2x2\): countIncludePad must be a boolean/],
    [() => new nn.AvgPool2d(2, bad({ dilation: 2 })), /AvgPool2d\(2x2\): unknown option 'dilation' \(allowed: stride, padding, countIncludePad, name\)/],
    [() => new nn.AvgPool2d(2, { padding: 2 }), /AvgPool2d\(2x2\): padding \[2, 2\] must be at most half/],
    [() => new nn.AdaptiveAvgPool2d([2, NaN]), /AdaptiveAvgPool2d\(2xNaN\): output size must be positive integers, got \[2, NaN\]/],
  ],
  ConvTranspose2d: [
    [() => new nn.ConvTranspose2d(2, 3, 3, bad({ outputPaddding: 1 })), /ConvTranspose2d\(2, 3, kernel 3x3\): unknown option 'outputPaddding' \(allowed: stride, padding, outputPadding, dilation, groups, bias, seed\)/],
    [() => new nn.ConvTranspose2d(2, 3, 3, { stride: 2, outputPadding: 2 }), /ConvTranspose2d\(2, 3, kernel 3x3\): outputPadding \[2, 2\] must be smaller than stride or dilation/],
    [() => new nn.ConvTranspose2d(2, 3, 3, { bias: bad('false') }), /ConvTranspose2d\(2, 3, kernel 3x3\): bias must be a boolean/],
    [() => new nn.ConvTranspose2d(2, 3, 3, { padding: NaN }), /ConvTranspose2d\(2, 3, kernel 3x3\): padding must be integers >= 0, got \[NaN,NaN\]/],
    [() => new nn.ConvTranspose2d(2, 3, 0), /ConvTranspose2d\(2, 3, kernel 0x0\): kernel size must be positive integers/],
    [() => new nn.Conv2d(2, 3, 3, { variant: bad('winograd') }), /Conv2d\(2, 3, kernel 3x3\): variant must be 'im2col' or 'implicit', got string "winograd"/],
  ],
  'the other layers and nn.init': [
    [() => new nn.LeakyReLU(NaN), /LeakyReLU: negativeSlope must be a finite number, got NaN/],
    [() => new nn.Softmax(bad('1')), /Softmax: dim must be a finite integer, got string "1"/],
    [() => new nn.LogSoftmax(0.5), /LogSoftmax: dim must be a finite integer, got 0.5/],
    [() => new nn.Flatten(1, Infinity), /Flatten: endDim must be a finite integer, got Infinity/],
    [() => new nn.Linear(2, 3, { bias: bad(0) }), /Linear\(2, 3\): bias must be a boolean/],
    [() => new nn.LayerNorm(4, { elementwiseAffine: bad('no') }), /LayerNorm: elementwiseAffine must be a boolean/],
    [() => new nn.LayerNorm([4, 0]), /LayerNorm: normalizedShape\[1\] must be a finite integer >= 1, got 0/],
    [() => new nn.BatchNorm2d(4, { affine: bad(1) }), /BatchNorm: affine must be a boolean/],
    [() => new nn.Dropout(0.5, { seed: NaN }), /Dropout: seed must be a finite integer, got NaN/],
    [() => nn.init.kaimingUniform([3, 2], { mode: bad('fan_in') }), /init.kaimingUniform: mode must be 'fanIn' or 'fanOut', got string "fan_in"/],
    [() => nn.init.xavierNormal([3, 2], bad({ gian: 1 })), /init.xavierNormal: unknown option 'gian' \(allowed: seed, gain\)/],
    [() => nn.init.kaimingNormal([3, 2], { a: NaN }), /init.kaimingNormal: a must be a finite number, got NaN/],
  ],
  'functional ops': [
    [() => F.dropout(q(), bad('0.5')), /dropout: probability must be a finite number >= 0 <= 1, got string "0.5"/],
    [() => F.dropout(q(), 0.5, bad({ train: false })), /dropout: unknown option 'train' \(allowed: training, seed\)/],
    [() => F.dropout(q(), 0.5, { training: bad(1) }), /dropout: training must be a boolean/],
    [() => q().leakyRelu(NaN), /leakyRelu: negativeSlope must be a finite number, got NaN/],
    [() => F.leakyRelu(q(), bad('0.1')), /leakyRelu: negativeSlope must be a finite number, got string "0.1"/],
    [() => F.layerNorm(f32([2, 4]), [4], null, null, NaN), /layerNorm: eps must be a finite number >= 0, got NaN/],
    [() => F.groupNorm(f32([2, 4, 3]), 2, null, null, Infinity), /groupNorm: eps must be a finite number >= 0, got Infinity/],
    [() => F.batchNorm(f32([4, 2]), null, null, { momentum: 2 }), /batchNorm: momentum must be a finite number >= 0 <= 1, got 2/],
    [() => F.batchNorm(f32([4, 2]), null, null, bad({ epsilon: 1e-5 })), /batchNorm: unknown option 'epsilon'/],
    [() => F.maxPool2d(f32([1, 1, 4, 4]), 2, bad({ return_indices: true })), /maxPool2d: unknown option 'return_indices'/],
    [() => F.conv2d(f32([1, 1, 4, 4]), f32([1, 1, 3, 3]), null, bad({ bias: true })), /conv2d: unknown option 'bias' \(allowed: stride, padding, dilation, groups, variant, name\)/],
    [() => F.convTranspose2d(f32([1, 1, 4, 4]), f32([1, 1, 3, 3]), null, bad({ output_padding: 1 })), /convTranspose2d: unknown option 'output_padding'/],
    [() => F.scaledDotProductAttention(f32([1, 1, 2, 2]), f32([1, 1, 2, 2]), f32([1, 1, 2, 2]), { scale: NaN }), /scaledDotProductAttention: scale must be a finite number, got NaN/],
    [() => F.scaledDotProductAttention(f32([1, 1, 2, 2]), f32([1, 1, 2, 2]), f32([1, 1, 2, 2]), bad({ isCausal: true })), /scaledDotProductAttention: unknown option 'isCausal' \(allowed: causal, keyPaddingMask, scale, variant\)/],
    [() => F.scaledDotProductAttention(f32([1, 1, 2, 2]), f32([1, 1, 2, 2]), f32([1, 1, 2, 2]), { causal: bad('yes') }), /scaledDotProductAttention: causal must be a boolean/],
    [() => F.mseLoss(q(), q(), { reduction: bad('avg') }), /mseLoss: reduction must be 'mean', 'sum' or 'none', got string "avg"/],
  ],
  'learning-rate schedulers and clipGradNorm': [
    [() => new optim.StepLR(sgd(), 0), /StepLR: stepSize must be a finite integer >= 1, got 0/],
    [() => new optim.StepLR(sgd(), 2, NaN), /StepLR: gamma must be a finite number >= 0, got NaN/],
    [() => new optim.ExponentialLR(sgd(), bad('0.9')), /ExponentialLR: gamma must be a finite number >= 0, got string "0.9"/],
    [() => new optim.CosineAnnealingLR(sgd(), 2.5), /CosineAnnealingLR: tMax must be a finite integer >= 1, got 2.5/],
    [() => new optim.CosineAnnealingLR(sgd(), 10, -1), /CosineAnnealingLR: etaMin must be a finite number >= 0, got -1/],
    [() => new optim.LinearLR(sgd(), 0), /LinearLR: startFactor must be a finite number > 0 <= 1, got 0/],
    [() => new optim.LinearLR(sgd(), 0.5, 1.5), /LinearLR: endFactor must be a finite number >= 0 <= 1, got 1.5/],
    [() => new optim.LinearLR(sgd(), 0.5, 1, NaN), /LinearLR: totalIters must be a finite integer >= 1, got NaN/],
    [() => new optim.WarmupLR(sgd(), -1), /WarmupLR: warmupSteps must be a finite integer >= 0, got -1/],
    [() => new optim.WarmupLR(sgd(), 5, bad(0.5)), /WarmupLR: after must be a function, got 0.5/],
    [() => optim.clipGradNorm([], NaN), /clipGradNorm: maxNorm must be a finite number >= 0, got NaN/],
    [() => optim.clipGradNorm([], bad('1')), /clipGradNorm: maxNorm must be a finite number >= 0, got string "1"/],
  ],
  'augmentation transforms and data helpers': [
    [() => new RandomAffine(bad({ rotate: 10 })), /RandomAffine: unknown option 'rotate' \(allowed: degrees, scale, translate\)/],
    [() => new RandomAffine({ degrees: NaN }), /RandomAffine: degrees must be a finite number >= 0, got NaN/],
    [() => new RandomAffine({ scale: [0, 1.1] }), /RandomAffine: scale\[0\] must be a finite number > 0, got 0/],
    [() => new RandomAffine({ scale: [1.1, 0.9] }), /RandomAffine: scale must be \[lo, hi\] with lo <= hi/],
    [() => new RandomAffine({ translate: bad(0.1) }), /RandomAffine: translate must be an array of 2 numbers, got 0.1/],
    [() => new RandomAffine({ translate: [0.1, 1.5] }), /RandomAffine: translate\[1\] must be a finite number >= 0 <= 1, got 1.5/],
    [() => new ColorJitter({ brightness: 2 }), /ColorJitter: brightness must be a finite number >= 0 <= 1, got 2/],
    [() => new ColorJitter(bad({ hue: 0.1 })), /ColorJitter: unknown option 'hue' \(allowed: brightness, contrast\)/],
    [() => new ColorJitter({ contrast: NaN }), /ColorJitter: contrast must be a finite number/],
    [() => new Mixup(bad('0.2')), /Mixup: alpha must be a finite number > 0, got string "0.2"/],
    [() => new Mixup(0.2, NaN), /Mixup: seed must be a finite integer, got NaN/],
    [() => new data.DataLoader(new data.TensorDataset({ x: new Float32Array(4), sampleShape: [2], y: new Int32Array(2) }), { batchSize: 2, shuffle: bad(1) }), /DataLoader: shuffle must be a boolean/],
    [() => new data.TensorDataset(bad({ x: new Float32Array(4), sampleShape: [2], y: new Int32Array(2), yShape: [] })), /TensorDataset: unknown option 'yShape' \(allowed: x, sampleShape, y, targetShape\)/],
    [() => new data.TensorDataset({ x: new Float32Array(4), sampleShape: [NaN], y: new Int32Array(2) }), /TensorDataset: sampleShape\[0\] must be a finite integer >= 0, got NaN/],
    [() => data.splitText('some text', 1), /splitText: valFraction must be a finite number >= 0 < 1, got 1/],
    [() => data.randomWindows(new Int32Array(10), NaN, 4, new data.Random(1)), /randomWindows: batch must be a finite integer >= 1, got NaN/],
    [() => data.seasonalNaiveMae([1, 2, 3, 4], 2, 1, 4), /seasonalNaiveMae: from must be a finite integer >= 2, got 1/],
  ],
  'models and the training loop': [
    [() => new models.LeNet(bad({ numClasses: 10 })), /LeNet: unknown option 'numClasses' \(allowed: classes, inChannels\)/],
    [() => new models.LeNet({ classes: 0 }), /LeNet: classes must be a finite integer >= 1, got 0/],
    [() => new models.ResNet({ widths: bad([8, 16]) }), /ResNet: widths must be an array of 3 numbers/],
    [() => new models.ResNet({ blocks: NaN }), /ResNet: blocks must be a finite integer >= 1, got NaN/],
    [() => new models.ResNet(bad({ depth: 18 })), /ResNet: unknown option 'depth' \(allowed: widths, blocks, inChannels, classes\)/],
    [() => new models.MobileNet({ widths: [8, 16], strides: [1] }), /MobileNet: strides \(1\) must give one stride per block of widths \(2\)/],
    [() => new models.MobileNet({ widths: bad([]) }), /MobileNet: widths must be a non-empty array of numbers/],
    [() => new models.DenseNet({ growth: 0 }), /DenseNet: growth must be a finite integer >= 1, got 0/],
    [() => new models.VGG(bad({ depth: 16 })), /VGG: unknown option 'depth'/],
    [() => new models.VGG({ dropout: 2 }), /VGG: dropout must be a finite number >= 0 <= 1, got 2/],
    [() => new models.CharGPT(16, bad({ blockSize: 8, nHeads: 2 })), /CharGPT: unknown option 'nHeads' \(allowed: blockSize, dModel, nLayer, nHead, seed\)/],
    [() => new models.CharGPT(16, bad({})), /CharGPT: blockSize must be a finite integer >= 1, got undefined/],
    [() => new models.CharGPT(16, { blockSize: 8, dModel: NaN }), /CharGPT: dModel must be a finite integer >= 1, got NaN/],
    [() => new models.CharGPT(16, { blockSize: 8, dModel: 8, nHead: 3 }), /CharGPT: nHead 3 does not divide dModel 8/],
    [() => new models.LSTMForecaster(8, bad({ layers: 2 })), /LSTMForecaster: unknown option 'layers' \(allowed: numLayers, seed, seasonalPeriod\)/],
    [() => new models.LSTMForecaster(8, { seasonalPeriod: 0 }), /LSTMForecaster: seasonalPeriod must be a finite integer >= 1, got 0/],
    [() => new models.LSTMForecaster(NaN), /LSTMForecaster: hiddenSize must be a finite integer >= 1, got NaN/],
  ],
};

test.each(Object.entries(TABLE))('%s: unknown keys, wrong types, NaN and out-of-range values are ValueErrors naming the key', (_owner, cases) => {
  for (const [make, message] of cases) {
    expect(make, String(message)).toThrow(sg.ValueError);
    const before = sg.stats().submits;
    expect(make).toThrow(message);
    expect(sg.stats().submits, `GPU work before ${message}`).toBe(before); // refused before any GPU work
  }
});

// the async entries reject, before any work
test('trainLoop, save, load, checkpoints, onnx.exportModel and init: options are checked the same way', async () => {
  const model = new nn.Linear(2, 2);
  const optimizer = sgd();
  const loop = { optimizer, batches: [][Symbol.iterator](), record: () => ({ loss: f32([]), samples: 1 }) };
  const cases: Array<[() => Promise<unknown>, RegExp]> = [
    [() => trainLoop({ ...loop, onNonFinite: 'stop' } as never), /trainLoop: unknown option 'onNonFinite' \(allowed: optimizer, batches, record, schedule, runStep, keepGoing, alsoRealize, onStep, onNonFiniteLoss, epoch\)/],
    [() => trainLoop({ ...loop, alsoRealize: bad('grads') }), /trainLoop: alsoRealize must be a function/],
    [() => trainLoop({ ...loop, epoch: NaN }), /trainLoop: epoch must be a finite integer >= 0, got NaN/],
    [() => trainLoop({ ...loop, onStep: bad('log') }), /trainLoop: onStep must be a function/],
    [() => trainLoop({ optimizer, record: loop.record } as never), /trainLoop: options.batches is required/],
    [() => sg.save(model.stateDict(), undefined, bad({ meta: {} })), /save: unknown option 'meta' \(allowed: metadata\)/],
    [() => sg.save(model.stateDict(), undefined, { metadata: bad('v1') }), /save: metadata must be an object, got string "v1"/],
    [() => sg.load(new ArrayBuffer(8), bad({ strict: true })), /load: unknown option 'strict' \(allowed: model\)/],
    [() => sg.load(new ArrayBuffer(8), { model: bad({}) }), /load: model must have the method\(s\) stateDict/],
    [async () => sg.checkpointBytes(bad({ model, optimiser: optimizer }), { epoch: 0, step: 0 }), /checkpointBytes: unknown option 'optimiser' \(allowed: model, optimizer, scheduler\)/],
    [async () => sg.checkpointBytes({ model }, { epoch: NaN, step: 0 }), /checkpointBytes: epoch must be a finite integer >= 0, got NaN/],
    [async () => sg.checkpointBytes({ model }, { epoch: 0, step: -1 }), /checkpointBytes: step must be a finite integer >= 0, got -1/],
    [async () => sg.checkpointBytes({ model }, { epoch: 0, step: 0, loader: bad({ epoch: 0, batch: 1.5 }) }), /checkpointBytes: loader.batch must be a finite integer >= 0, got 1.5/],
    [async () => sg.restoreCheckpoint(new Uint8Array(8), bad({ model, schedular: null })), /restoreCheckpoint: unknown option 'schedular'/],
    [() => sg.loadCheckpoint('/nonexistent.ckpt', bad({})), /loadCheckpoint: targets.model is required/],
    [() => sg.onnx.exportModel(model, f32([1, 2]), bad({ opsetVersion: 17 })), /onnx.exportModel: unknown option 'opsetVersion' \(allowed: opset, dynamicBatch, inputName, outputName\)/],
    [() => sg.onnx.exportModel(model, f32([1, 2]), { opset: NaN }), /onnx.exportModel: opset must be a finite integer >= 1, got NaN/],
    [() => sg.onnx.exportModel(model, f32([1, 2]), { dynamicBatch: bad('no') }), /onnx.exportModel: dynamicBatch must be a boolean/],
    [() => coreInit(bad({ powerPreference: 'fast' })), /init: powerPreference must be 'low-power' or 'high-performance', got string "fast"/],
    [() => coreInit({ readbackTimeoutMs: NaN }), /init: readbackTimeoutMs must be a finite number > 0, got NaN/],
    [() => coreInit(bad({ adapter: null })), /init: unknown option 'adapter' \(allowed: gpu, powerPreference, readbackTimeoutMs, collectGarbage, memoryLimitBytes, maxBuffers, hostMemoryBytes\)/],
    [() => models.CharGPT.prototype.generate.call(new models.CharGPT(16, { blockSize: 4, dModel: 8, nHead: 2 }), new Int32Array(1), 2, { temperature: 0 }), /CharGPT.generate: temperature must be a finite number > 0, got 0/],
  ];
  for (const [call, message] of cases) {
    const err = await call().then(() => null, (e: unknown) => e);
    expect(err, String(message)).toBeInstanceOf(sg.ValueError);
    expect((err as Error).message).toMatch(message);
  }
});
