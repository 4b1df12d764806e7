// int8 post-training quantization: outputs near the float model's, static calibration, I8 in files, a
// checkpoint loaded into quantizedLike's structure, the straight-through gradient to the input.
import { describe, expect, test } from 'vitest';
import { checkpointBytes, restoreCheckpoint } from '../../src/io/checkpoint.js';
import { parse, serialize } from '../../src/io/safetensors.js';
import type { QuantizedLinear } from '../../src/nn/quantized.js';
import { useGpu } from '../helpers/gpu.js';

const sg = useGpu();
type T = InstanceType<typeof sg.Tensor>;
const values = async (t: T) => Array.from(await t.data());

function cnn(seed: number) {
  sg.manualSeed(seed);
  return new sg.nn.Sequential(new sg.nn.Conv2d(2, 5, 3, { padding: 1 }), new sg.nn.ReLU(), new sg.nn.Flatten(), new sg.nn.Linear(5 * 6 * 6, 7));
}

/** Largest |a − b| relative to the largest |a|. */
function relError(a: number[], b: number[]): number {
  const scale = Math.max(...a.map(Math.abs));
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]))) / scale;
}

describe('sg.nn.quantize', () => {
  test.for(['dynamic', 'static'] as const)('%s: int8 Conv2d and Linear give the float outputs within int8 rounding', async (activations) => {
    const x = sg.randn([4, 2, 6, 6], { seed: 1 });
    const float = await values(cnn(2).forward(x));
    const q = cnn(2);
    await sg.nn.quantize(q, { activations, calibration: activations === 'static' ? [sg.randn([8, 2, 6, 6], { seed: 3 }), x] : undefined });
    expect(q.layers[0]).toBeInstanceOf(sg.nn.QuantizedConv2d);
    expect(q.layers[3]).toBeInstanceOf(sg.nn.QuantizedLinear);
    const got = await values(q.forward(x));
    const err = relError(float, got);
    expect(err).toBeLessThan(0.03); // two layers of 8-bit rounding
    expect(err).toBeGreaterThan(0); // it did run in int8
  });

  test('weights are I8 in a checkpoint (one byte per weight) and load into quantizedLike(model)', async () => {
    const q = cnn(4);
    await sg.nn.quantize(q);
    expect(q.int8StateKeys()).toEqual(['0.weight', '3.weight']);
    expect(Object.keys(q.stateDict())).toEqual(['0.weight', '0.weight_scale', '0.bias', '3.weight', '3.weight_scale', '3.bias']);
    const bytes = await checkpointBytes({ model: q }, { epoch: 0, step: 0 });
    const { tensors } = parse(bytes);
    expect(tensors['model/0.weight'].fileDtype).toBe('I8');
    expect(tensors['model/3.weight'].data.byteLength / 4).toBe(7 * 180); // read back widened to int32
    const floatBytes = await checkpointBytes({ model: cnn(4) }, { epoch: 0, step: 0 });
    // 3 bytes saved per weight (1,350 of them), less the scales' 4 bytes per channel and the longer header
    expect(floatBytes.byteLength - bytes.byteLength).toBeGreaterThan(3 * 1350 - 4 * 12 - 300);
    const loaded = sg.nn.quantizedLike(cnn(5), 'dynamic');
    restoreCheckpoint(bytes, { model: loaded });
    const x = sg.randn([2, 2, 6, 6], { seed: 6 });
    expect(await values(loaded.forward(x))).toEqual(await values(q.forward(x)));
  });

  test('the input still gets a gradient (straight through, as the dequantised float layer)', async () => {
    const q = new sg.nn.Sequential(new sg.nn.Linear(5, 3, { seed: 7 }));
    await sg.nn.quantize(q);
    const x = sg.randn([2, 5], { seed: 8, requiresGrad: true });
    q.forward(x).sum().backward();
    const w = (q.layers[0] as QuantizedLinear).dequantizedWeight();
    const want = await values(sg.ones([2, 3]).matmul(w));
    (await values(x.grad!)).forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
  });

  test('I8 values outside [-128, 127] are refused on save; bad options are named', async () => {
    expect(() => serialize({ w: { dtype: 'int32', shape: [2], data: Int32Array.of(1, 300), fileDtype: 'I8' } })).toThrow(/holds 300 at index 1, outside I8's range/);
    const back = parse(serialize({ w: { dtype: 'int32', shape: [3], data: Int32Array.of(-128, 0, 127), fileDtype: 'I8' } })).tensors.w;
    expect(Array.from(back.data)).toEqual([-128, 0, 127]);
    await expect(sg.nn.quantize(cnn(9), { activations: 'static' })).rejects.toThrow(/activations 'static' needs calibration/);
    await expect(sg.nn.quantize(cnn(9), { activations: 'int4' as never })).rejects.toThrow(/activations/);
  });
});

describe('LoRA over an int8 base', () => {
  test('a fresh adapter is the int8 output; training moves only the adapter; merging gives a float layer with the adapted outputs', async () => {
    const model = new sg.nn.Sequential(new sg.nn.Linear(6, 8, { seed: 10 }), new sg.nn.Tanh(), new sg.nn.Linear(8, 3, { seed: 11 }));
    await sg.nn.quantize(model, { skip: (layer) => layer === model.layers[2] });
    expect(model.layers[0]).toBeInstanceOf(sg.nn.QuantizedLinear);
    expect(model.layers[2]).toBeInstanceOf(sg.nn.Linear);
    const x = sg.randn([4, 6], { seed: 12 });
    const int8Out = await values(model.forward(x));
    const [lora] = sg.nn.addLoRA(model, { rank: 2, alpha: 4, seed: 13 }, (layer) => layer === model.layers[2]);
    expect(await values(model.forward(x))).toEqual(int8Out);
    const baseWeight = await values((lora.baseLayer as QuantizedLinear).dequantizedWeight());
    const opt = new sg.optim.Adam(model.parameters().filter((p) => p.requiresGrad), { lr: 5e-2 });
    const y = sg.tensor([0, 1, 2, 1], [4], { dtype: 'int32' });
    for (let step = 0; step < 3; step++) {
      opt.zeroGrad();
      sg.nn.functional.crossEntropy(model.forward(x), y).backward();
      expect(lora.loraA.weight.grad).not.toBeNull();
      opt.step();
    }
    expect(await values((lora.baseLayer as QuantizedLinear).dequantizedWeight())).toEqual(baseWeight);
    const adapted = await values(model.forward(x));
    expect(relError(int8Out, adapted)).toBeGreaterThan(1e-3);
    sg.nn.mergeLoRA(model);
    expect(model.layers[0]).toBeInstanceOf(sg.nn.Linear);
    // the merged float layer skips the activation's int8 rounding: close, not equal
    expect(relError(adapted, await values(model.forward(x)))).toBeLessThan(0.02);
  });
});

describe('quantization-aware training', () => {
  test('forward sees fake-quantized weights and inputs; gradients pass straight through; quantize converts the trained layers', async () => {
    sg.manualSeed(20);
    const model = new sg.nn.Sequential(new sg.nn.Linear(6, 4), new sg.nn.Tanh(), new sg.nn.Linear(4, 3));
    const lin = model.layers[0] as InstanceType<typeof sg.nn.Linear>;
    sg.nn.prepareQAT(model);
    expect(model.layers[0]).toBeInstanceOf(sg.nn.FakeQuantized);
    const x = sg.randn([5, 6], { seed: 21, requiresGrad: true });
    // the first layer by hand: weights per row and the input per batch, rounded to 127 steps of max|v|
    const fq = async (t: T, perRow: boolean) => {
      const v = Float32Array.from(await t.data());
      const cols = t.shape[t.rank - 1];
      const rows = perRow ? v.length / cols : 1;
      const n = v.length / rows;
      for (let r = 0; r < rows; r++) {
        const part = v.subarray(r * n, (r + 1) * n);
        const s = Math.fround(Math.max(...part.map(Math.abs)) / 127);
        part.forEach((e, i) => (part[i] = Math.max(-127, Math.min(127, Math.round(e / s))) * s));
      }
      return sg.tensor(v, t.shape);
    };
    const want = await values(sg.nn.functional.linear(await fq(x, false), await fq(lin.weight, true), lin.bias));
    const got = await values((model.layers[0] as InstanceType<typeof sg.nn.FakeQuantized>).forward(x));
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 4));
    // straight through: d(sum y)/dx = ones · fakeQuantize(w)
    (model.layers[0] as InstanceType<typeof sg.nn.FakeQuantized>).forward(x).sum().backward();
    const wantGrad = await values(sg.ones([5, 4]).matmul(await fq(lin.weight, true)));
    (await values(x.grad!)).forEach((v, i) => expect(v).toBeCloseTo(wantGrad[i], 4));
    // a few steps lower the loss; quantize then turns the float layers inside into int8 ones
    const opt = new sg.optim.Adam(model.parameters(), { lr: 3e-2 });
    const y = sg.tensor([0, 1, 2, 1, 0], [5], { dtype: 'int32' });
    const losses: number[] = [];
    for (let step = 0; step < 8; step++) {
      opt.zeroGrad();
      const loss = sg.nn.functional.crossEntropy(model.forward(x.detach()), y);
      loss.backward();
      opt.step();
      losses.push(await loss.item());
    }
    expect(losses[7]).toBeLessThan(losses[0]);
    await sg.nn.quantize(model);
    expect(model.layers[0]).toBeInstanceOf(sg.nn.QuantizedLinear);
    expect(model.layers[2]).toBeInstanceOf(sg.nn.QuantizedLinear);
  });
});
