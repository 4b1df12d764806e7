// CNN modules: shapes, PyTorch default inits, BatchNorm running statistics (hand-computed, PyTorch's rule),
// Dropout modes and seeds, state dicts, and every rejected input as a typed error naming layer and shapes.
import '../helpers/matchers.js';
import { describe, expect, test } from 'vitest';
import { LeNet, ResNet } from '../../src/models/index.js';
import { useGpu } from '../helpers/gpu.js';

const sg = useGpu();
const nn = sg.nn;

describe('modules', () => {
  test('Conv2d / Conv1d / ConvTranspose2d / pools output shapes and parameter shapes', () => {
    const x = sg.zeros([2, 3, 10, 9]);
    const conv = new nn.Conv2d(3, 8, 3, { stride: 2, padding: 1 });
    expect(conv.weight.shape).toEqual([8, 3, 3, 3]);
    expect(conv.bias!.shape).toEqual([8]);
    expect(conv.forward(x).shape).toEqual([2, 8, 5, 5]);
    expect(new nn.Conv2d(4, 8, [3, 1], { groups: 4, bias: false }).weight.shape).toEqual([8, 1, 3, 1]);
    expect(new nn.Conv1d(3, 5, 3, { padding: 'same' }).forward(sg.zeros([2, 3, 11])).shape).toEqual([2, 5, 11]);
    const ct = new nn.ConvTranspose2d(3, 4, 3, { stride: 2, padding: 1, outputPadding: 1 });
    expect(ct.weight.shape).toEqual([3, 4, 3, 3]);
    expect(ct.forward(x).shape).toEqual([2, 4, 20, 18]);
    expect(new nn.MaxPool2d(2).forward(x).shape).toEqual([2, 3, 5, 4]);
    expect(new nn.AvgPool2d(3, { stride: 1, padding: 1 }).forward(x).shape).toEqual([2, 3, 10, 9]);
    expect(new nn.AdaptiveAvgPool2d([4, 2]).forward(x).shape).toEqual([2, 3, 4, 2]);
  });

  test('default init follows PyTorch: weights and bias within ±1/√fan_in', async () => {
    const conv = new nn.Conv2d(4, 16, 3, { seed: 3 });
    const bound = 1 / Math.sqrt(4 * 9);
    const w = await conv.weight.data();
    const b = await conv.bias!.data();
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.8 * bound);
    expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(bound);
  });

  test('BatchNorm1d running statistics follow PyTorch (momentum 0.1, unbiased running variance)', async () => {
    const bn = new nn.BatchNorm1d(2);
    const x = sg.tensor([[1, 2], [3, 6], [5, 10]]);
    // channel 0: mean 3, unbiased var 4; channel 1: mean 6, unbiased var 16
    const y = bn.forward(x);
    // normalised with the biased variance: (1 - 3) / sqrt(8/3 + 1e-5)
    expect((await y.data())[0]).toBeCloseTo(-2 / Math.sqrt(8 / 3 + 1e-5), 5);
    expect(await bn.runningMean!.data()).toBeAllClose([0.3, 0.6]);
    expect(await bn.runningVar!.data()).toBeAllClose([0.9 + 0.4, 0.9 + 1.6]);
    bn.forward(x);
    expect(await bn.runningMean!.data()).toBeAllClose([0.9 * 0.3 + 0.3, 0.9 * 0.6 + 0.6]);
    expect(await bn.runningVar!.data()).toBeAllClose([0.9 * 1.3 + 0.4, 0.9 * 2.5 + 1.6]);
    // eval: the running statistics, and they stay put
    bn.eval();
    const ye = await bn.forward(x).data();
    expect(ye[0]).toBeCloseTo((1 - 0.57) / Math.sqrt(1.57 + 1e-5), 5);
    expect(await bn.runningMean!.data()).toBeAllClose([0.57, 1.14]);
    expect(Object.keys(bn.stateDict()).sort()).toEqual(['bias', 'num_batches_tracked', 'running_mean', 'running_var', 'weight']);
    // PyTorch's count of training batches: a scalar, 2 after the two training forwards, not moved by eval
    const tracked = bn.stateDict().num_batches_tracked;
    expect([tracked.shape, tracked.dtype, Array.from(await tracked.data())]).toEqual([[], 'int32', [2]]);
  });

  test('BatchNorm2d running statistics are realized by the optimizer step, in its one submit', async () => {
    const conv = new nn.Conv2d(1, 2, 3, { seed: 1 });
    const bn = new nn.BatchNorm2d(2);
    const model = new nn.Sequential(conv, bn);
    const opt = new sg.optim.SGD(model.parameters(), { lr: 0.1 });
    const x = sg.randn([4, 1, 6, 6], { seed: 2 });
    for (let step = 0; step < 3; step++) {
      opt.zeroGrad();
      model.forward(x).square().mean().backward();
      const before = sg.stats().submits;
      opt.step();
      expect(sg.stats().submits - before).toBe(1);
      expect(bn.runningMean!.node.isRealized).toBe(true);
      expect(bn.runningVar!.node.isRealized).toBe(true);
    }
    const rm = await bn.runningMean!.data();
    expect(rm.some((v) => v !== 0)).toBe(true);
  });

  test('Dropout: identity in eval, reproducible masks from a seed, fresh mask each step', async () => {
    const x = sg.ones([1000]);
    const a = new nn.Dropout(0.5, { seed: 7 });
    const b = new nn.Dropout(0.5, { seed: 7 });
    const ya1 = await a.forward(x).data();
    const yb1 = await b.forward(x).data();
    expect(Array.from(ya1)).toEqual(Array.from(yb1));
    const ya2 = await a.forward(x).data();
    expect(Array.from(ya2)).not.toEqual(Array.from(ya1));
    expect(ya1.filter((v) => v === 0).length).toBeGreaterThan(400);
    expect(ya1.filter((v) => v === 0).length).toBeLessThan(600);
    a.eval();
    expect(a.forward(x)).toBe(x);
  });

  test('a training step with Dropout and BatchNorm replays one cached plan (the seed is an input, not a constant)', async () => {
    const model = new nn.Sequential(new nn.Conv2d(1, 4, 3, { seed: 4 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.Dropout(0.3, { seed: 1 }), new nn.Flatten(), new nn.Linear(4 * 4 * 4, 3, { seed: 5 }));
    const opt = new sg.optim.Adam(model.parameters(), { lr: 1e-3 });
    const x = sg.randn([2, 1, 6, 6], { seed: 6 });
    const y = sg.tensor([0, 2], [2], { dtype: 'int32' });
    const built: number[] = [];
    for (let step = 0; step < 4; step++) {
      opt.zeroGrad();
      sg.nn.functional.crossEntropy(model.forward(x), y).backward();
      opt.step();
      built.push(sg.stats().plansBuilt);
    }
    expect(built[3]).toBe(built[1]);
  });

  test('LeNet and ResNet: output [N, 10]; state dict names', () => {
    const x = sg.zeros([2, 1, 28, 28]);
    expect(new LeNet().forward(x).shape).toEqual([2, 10]);
    const r = new ResNet();
    expect(r.forward(x).shape).toEqual([2, 10]);
    const keys = Object.keys(r.stateDict());
    expect(keys).toContain('blocks.1.shortcut.0.weight');
    expect(keys).toContain('blocks.0.bn1.running_var');
    expect(keys.some((k) => k.startsWith('blocks.0.shortcut'))).toBe(false); // identity skip
  });
});

describe('errors name the layer and the shapes', () => {
  test('wrong channel count', () => {
    const conv = new nn.Conv2d(3, 8, 3);
    expect(() => conv.forward(sg.zeros([1, 4, 8, 8]))).toThrow(sg.ShapeError);
    expect(() => conv.forward(sg.zeros([1, 4, 8, 8]))).toThrow(/Conv2d\(3, 8, kernel 3x3\).*\[1, 4, 8, 8\] has 4 channels/);
    expect(() => new nn.BatchNorm2d(3).forward(sg.zeros([2, 4, 5, 5]))).toThrow(/BatchNorm2d\(3\): expected 3 channels.*\[2, 4, 5, 5\]/);
    expect(() => sg.nn.functional.conv2d(sg.zeros([1, 2, 5, 5]), sg.zeros([4, 3, 3, 3]))).toThrow(/conv2d: weight \[4, 3, 3, 3\].*expects input with 3 channels/);
  });
  test('kernel larger than the padded input', () => {
    expect(() => new nn.Conv2d(1, 2, 5).forward(sg.zeros([1, 1, 4, 8]))).toThrow(sg.ShapeError);
    expect(() => new nn.Conv2d(1, 2, 5, { padding: 1 }).forward(sg.zeros([1, 1, 2, 8]))).toThrow(/Conv2d\(1, 2, kernel 5x5\): kernel 5x5.*larger than the padded input height 4 \(input \[1, 1, 2, 8\], padding 1\)/);
    expect(() => new nn.MaxPool2d(3).forward(sg.zeros([1, 1, 2, 2]))).toThrow(/MaxPool2d\(3x3\).*\[1, 1, 2, 2\]/);
  });
  test('non-4-D input to Conv2d', () => {
    expect(() => new nn.Conv2d(1, 2, 3).forward(sg.zeros([28, 28]))).toThrow(sg.ShapeError);
    expect(() => new nn.Conv2d(1, 2, 3).forward(sg.zeros([1, 784]))).toThrow(/Conv2d\(1, 2, kernel 3x3\): input must be 4-D \[N, C, H, W\], got shape \[1, 784\]/);
    expect(() => new nn.BatchNorm2d(2).forward(sg.zeros([2, 2]))).toThrow(/BatchNorm2d\(2\): input must be 4-D, got shape \[2, 2\]/);
  });
  test('groups not dividing the channels', () => {
    expect(() => new nn.Conv2d(6, 4, 3, { groups: 4 })).toThrow(/Conv2d\(6, 4, kernel 3x3\): groups \(4\) must divide in channels \(6\)/);
    expect(() => new nn.Conv2d(4, 6, 3, { groups: 4 })).toThrow(sg.ValueError);
    expect(() => sg.nn.functional.conv2d(sg.zeros([1, 6, 5, 5]), sg.zeros([4, 2, 3, 3]), null, { groups: 3 })).toThrow(/groups \(3\) must divide the output channels of weight \[4, 2, 3, 3\]/);
  });
  test('bad options and bias shape', () => {
    expect(() => sg.nn.functional.conv2d(sg.zeros([1, 1, 5, 5]), sg.zeros([2, 1, 3, 3]), sg.zeros([3]))).toThrow(/bias must be \[2\].*\[3\]/);
    expect(() => sg.nn.functional.conv2d(sg.zeros([1, 1, 5, 5]), sg.zeros([2, 1, 3, 3]), null, { stride: 0 })).toThrow(sg.ValueError);
    expect(() => sg.nn.functional.conv2d(sg.zeros([1, 1, 5, 5]), sg.zeros([2, 1, 3, 3]), null, { padding: 'same', stride: 2 })).toThrow(/'same' needs stride 1/);
    expect(() => new nn.BatchNorm1d(3).forward(sg.zeros([1, 3]))).toThrow(/more than 1 value per channel/);
  });
});
