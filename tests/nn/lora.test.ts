// LoRA adapters and freezing: a fresh adapter is the base exactly, the adapted output is base + (alpha/r)·B·A·x,
// training moves only the adapter, merging gives the same outputs from a plain layer, PEFT's state keys.
import { describe, expect, test } from 'vitest';
import { useGpu } from '../helpers/gpu.js';

const sg = useGpu();
type T = InstanceType<typeof sg.Tensor>;

const values = async (t: T) => Array.from(await t.data());

/** Row-major x [n, i] times wᵀ for w [o, i], in float64. */
function timesTransposed(x: number[], w: number[], n: number, i: number, o: number): number[] {
  const out = new Array<number>(n * o).fill(0);
  for (let r = 0; r < n; r++) for (let c = 0; c < o; c++) for (let k = 0; k < i; k++) out[r * o + c] += x[r * i + k] * w[c * i + k];
  return out;
}

describe('nn.LoRA', () => {
  test('a fresh adapter leaves a Linear and a Conv2d output unchanged (B starts at zero)', async () => {
    const lin = new sg.nn.Linear(7, 5, { seed: 1 });
    const x = sg.randn([3, 7], { seed: 2 });
    const before = await values(lin.forward(x));
    expect(await values(new sg.nn.LoRA(lin, { rank: 2, seed: 3 }).forward(x))).toEqual(before);

    const conv = new sg.nn.Conv2d(3, 4, 3, { padding: 1, seed: 4 });
    const img = sg.randn([2, 3, 5, 5], { seed: 5 });
    const convBefore = await values(conv.forward(img));
    const adapted = new sg.nn.LoRA(conv, { rank: 2, seed: 6 });
    expect(adapted.loraA.weight.shape).toEqual([2, 3, 3, 3]);
    expect(adapted.loraB.weight.shape).toEqual([4, 2, 1, 1]);
    expect(await values(adapted.forward(img))).toEqual(convBefore);
  });

  test('the adapted Linear computes W·x + b + (alpha / rank)·B·A·x', async () => {
    const lin = new sg.nn.Linear(6, 4, { seed: 7 });
    const lora = new sg.nn.LoRA(lin, { rank: 3, alpha: 6, seed: 8 });
    expect(lora.scaling).toBe(2);
    lora.loraB.weight.assign(sg.randn([4, 3], { seed: 9 }));
    const x = sg.randn([5, 6], { seed: 10 });
    const [xs, w, b, a, bb] = await Promise.all([x, lin.weight, lin.bias!, lora.loraA.weight, lora.loraB.weight].map(values));
    const base = timesTransposed(xs, w, 5, 6, 4).map((v, k) => v + b[k % 4]);
    const update = timesTransposed(timesTransposed(xs, a, 5, 6, 3), bb, 5, 3, 4);
    const expected = base.map((v, k) => v + 2 * update[k]);
    const got = await values(lora.forward(x));
    got.forEach((v, k) => expect(v).toBeCloseTo(expected[k], 4));
  });

  test("state keys are PEFT's: base_layer.*, lora_A.weight, lora_B.weight", () => {
    const model = new sg.nn.Sequential(new sg.nn.Linear(4, 8), new sg.nn.ReLU(), new sg.nn.Linear(8, 2));
    const adapters = sg.nn.addLoRA(model, { rank: 2, seed: 1 }, (layer) => layer === model.layers[2]);
    expect(adapters).toHaveLength(1);
    expect(Object.keys(model.stateDict())).toEqual(['0.base_layer.weight', '0.base_layer.bias', '0.lora_A.weight', '0.lora_B.weight', '2.weight', '2.bias']);
  });

  test('training moves only the adapter (and an unfrozen head): the frozen base stays bit-identical and gets no gradient', async () => {
    sg.manualSeed(11);
    const model = new sg.nn.Sequential(new sg.nn.Linear(6, 8), new sg.nn.Tanh(), new sg.nn.Linear(8, 3));
    const base = model.layers[0] as InstanceType<typeof sg.nn.Linear>;
    const head = model.layers[2] as InstanceType<typeof sg.nn.Linear>;
    const [lora] = sg.nn.addLoRA(model, { rank: 2, seed: 12 }, (layer) => layer === head);
    const trainable = model.parameters().filter((p) => p.requiresGrad);
    expect(trainable).toEqual([lora.loraA.weight, lora.loraB.weight, head.weight, head.bias]);
    const opt = new sg.optim.Adam(model.parameters(), { lr: 1e-2 });
    const baseBefore = await values(base.weight);
    const headBefore = await values(head.weight);
    const bBefore = await values(lora.loraB.weight);
    const x = sg.randn([4, 6], { seed: 13 });
    const y = sg.tensor([0, 1, 2, 1], [4], { dtype: 'int32' });
    for (let step = 0; step < 3; step++) {
      opt.zeroGrad();
      sg.nn.functional.crossEntropy(model.forward(x), y).backward();
      expect(base.weight.grad).toBeNull();
      expect(base.bias!.grad).toBeNull();
      opt.step();
    }
    expect(await values(base.weight)).toEqual(baseBefore);
    expect(await values(lora.loraB.weight)).not.toEqual(bBefore);
    expect(await values(head.weight)).not.toEqual(headBefore);
  });

  test('merge folds the update into the base weight; mergeLoRA puts plain layers back with the same outputs', async () => {
    const model = new sg.nn.Sequential(new sg.nn.Conv2d(2, 3, 3, { seed: 14 }), new sg.nn.ReLU(), new sg.nn.Flatten(), new sg.nn.Linear(3 * 3 * 3, 4, { seed: 15 }));
    const x = sg.randn([2, 2, 5, 5], { seed: 19 });
    const plain = await values(model.forward(x));
    const adapters = sg.nn.addLoRA(model, { rank: 2, alpha: 4, seed: 16 });
    expect(adapters).toHaveLength(2);
    adapters.forEach((a, k) => a.loraB.weight.assign(sg.randn(a.loraB.weight.shape, { seed: 17 + k })));
    const adapted = await values(model.forward(x));
    expect(Math.max(...adapted.map((v, k) => Math.abs(v - plain[k])))).toBeGreaterThan(1e-2); // the update shows
    sg.nn.mergeLoRA(model);
    expect(model.layers[0]).toBeInstanceOf(sg.nn.Conv2d);
    expect(model.layers[3]).toBeInstanceOf(sg.nn.Linear);
    expect(Object.keys(model.stateDict())).toEqual(['0.weight', '0.bias', '3.weight', '3.bias']);
    const merged = await values(model.forward(x));
    merged.forEach((v, k) => expect(v).toBeCloseTo(adapted[k], 4));
  });

  test('freeze and unfreeze a module tree', () => {
    const m = new sg.nn.Sequential(new sg.nn.Linear(3, 3), new sg.nn.Linear(3, 1));
    m.freeze();
    expect(m.parameters().every((p) => !p.requiresGrad)).toBe(true);
    m.layers[1].unfreeze();
    expect(m.parameters().map((p) => p.requiresGrad)).toEqual([false, false, true, true]);
  });

  test('bad arguments get typed errors naming them', () => {
    const lin = new sg.nn.Linear(3, 2);
    expect(() => new sg.nn.LoRA(lin, { rank: 0 })).toThrow(/rank/);
    expect(() => new sg.nn.LoRA(lin, { rank: 1.5 })).toThrow(sg.ValueError);
    expect(() => new sg.nn.LoRA(lin, { rank: 2, alpha: -1 })).toThrow(/alpha/);
    expect(() => new sg.nn.LoRA(lin, { rank: 2, dropout: 0.1 } as never)).toThrow(/dropout/);
    expect(() => new sg.nn.LoRA(new sg.nn.Conv2d(4, 4, 3, { groups: 2 }), { rank: 2 })).toThrow(/groups/);
    expect(() => new sg.nn.LoRA(new sg.nn.ReLU() as never, { rank: 2 })).toThrow(/Linear or sg\.nn\.Conv2d/);
  });
});
