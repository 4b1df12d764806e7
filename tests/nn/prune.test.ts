// Pruning: magnitude masks (global and per layer) that hold through optimizer steps and are saved with
// the state; the polynomial schedule; structured conv-channel pruning that shrinks layers and keeps outputs.
import { describe, expect, test } from 'vitest';
import { useGpu } from '../helpers/gpu.js';

const sg = useGpu();
type T = InstanceType<typeof sg.Tensor>;
const values = async (t: T) => Array.from(await t.data());

function mlp(seed: number) {
  sg.manualSeed(seed);
  return new sg.nn.Sequential(new sg.nn.Linear(6, 8), new sg.nn.Tanh(), new sg.nn.Linear(8, 3));
}

describe('sg.prune', () => {
  test('global magnitude pruning masks exactly the fraction asked, the smallest weights over all layers', async () => {
    const m = mlp(1);
    const layers = sg.prune.pruneTargets(m);
    expect(layers).toHaveLength(2);
    const before = (await Promise.all(layers.map((l) => values(l.weight)))).flat();
    await sg.prune.magnitudePrune(layers, { amount: 0.5 });
    const masks = (await Promise.all(layers.map((l) => values(l.pruningMask('weight')!)))).flat();
    expect(masks.filter((v) => v === 0)).toHaveLength(36); // half of 48 + 24
    const pruned = before.filter((_, i) => masks[i] === 0).map(Math.abs);
    const kept = before.filter((_, i) => masks[i] === 1).map(Math.abs);
    expect(Math.max(...pruned)).toBeLessThanOrEqual(Math.min(...kept));
    expect(await sg.prune.sparsity(layers)).toBe(0.5);
  });

  test('per-layer pruning takes the fraction from each layer; pruning again only adds to the masks', async () => {
    const m = mlp(2);
    const layers = sg.prune.pruneTargets(m);
    await sg.prune.magnitudePrune(layers, { amount: 0.25, perLayer: true });
    const zerosOf = async (l: (typeof layers)[number]) => (await values(l.pruningMask('weight')!)).filter((v) => v === 0).length;
    expect(await Promise.all(layers.map(zerosOf))).toEqual([12, 6]);
    const first = await values(layers[0].pruningMask('weight')!);
    await sg.prune.magnitudePrune(layers, { amount: 0.5, perLayer: true });
    const second = await values(layers[0].pruningMask('weight')!);
    expect(await Promise.all(layers.map(zerosOf))).toEqual([24, 12]);
    first.forEach((v, i) => v === 0 && expect(second[i]).toBe(0));
  });

  test('pruned weights stay exactly 0 in use through Adam steps and get no gradient; applyMasks writes them into the weights', async () => {
    const m = mlp(3);
    const layers = sg.prune.pruneTargets(m);
    await sg.prune.magnitudePrune(layers, { amount: 0.6 });
    const mask0 = await values(layers[0].pruningMask('weight')!);
    const opt = new sg.optim.Adam(m.parameters(), { lr: 5e-2 });
    const x = sg.randn([5, 6], { seed: 4 });
    const y = sg.tensor([0, 1, 2, 1, 0], [5], { dtype: 'int32' });
    for (let step = 0; step < 4; step++) {
      opt.zeroGrad();
      sg.nn.functional.crossEntropy(m.forward(x), y).backward();
      const g = await values(layers[0].weight.grad!);
      mask0.forEach((v, i) => v === 0 && expect(Math.abs(g[i])).toBe(0)); // -0 from a negative gradient times 0
      opt.step();
    }
    expect(await sg.prune.sparsity(layers)).toBeCloseTo(0.6, 2);
    sg.prune.applyMasks(layers);
    const w = await values(layers[0].weight);
    mask0.forEach((v, i) => v === 0 && expect(Math.abs(w[i])).toBe(0));
    expect(w.filter((v, i) => mask0[i] === 1 && v !== 0).length).toBe(mask0.filter((v) => v === 1).length);
  });

  test('masks are saved with the state and load into a fresh model (prepareMasks); removeMasks drops them', async () => {
    const m = mlp(5);
    await sg.prune.magnitudePrune(sg.prune.pruneTargets(m), { amount: 0.5 });
    const state = m.stateDict();
    expect(Object.keys(state)).toEqual(['0.weight', '0.bias', '0.weight_mask', '2.weight', '2.bias', '2.weight_mask']);
    const fresh = mlp(6);
    expect(() => fresh.loadStateDict(state)).toThrow(/unexpected keys \[0\.weight_mask, 2\.weight_mask\]/);
    sg.prune.prepareMasks(fresh, Object.keys(state));
    fresh.loadStateDict(state);
    const x = sg.randn([3, 6], { seed: 7 });
    expect(await values(fresh.forward(x))).toEqual(await values(m.forward(x)));
    sg.prune.removeMasks(sg.prune.pruneTargets(m));
    expect(Object.keys(m.stateDict())).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(await values(m.forward(x))).toEqual(await values(fresh.forward(x)));
    expect(() => sg.prune.prepareMasks(mlp(8), ['1.weight_mask'])).toThrow(/'1\.weight_mask' names no Linear or Conv2d weight/);
  });

  test("Zhu & Gupta's polynomial schedule", () => {
    const o = { final: 0.8, begin: 10, end: 110 };
    expect(sg.prune.polynomialSparsity(0, o)).toBe(0);
    expect(sg.prune.polynomialSparsity(10, o)).toBe(0);
    expect(sg.prune.polynomialSparsity(60, o)).toBeCloseTo(0.8 * (1 - 0.5 ** 3), 12);
    expect(sg.prune.polynomialSparsity(500, o)).toBe(0.8);
    expect(() => sg.prune.polynomialSparsity(1, { final: 0.5, begin: 5, end: 5 })).toThrow(/end \(5\) must come after begin \(5\)/);
  });

  test('structured: removing zero conv channels shrinks the layers and keeps the outputs (conv → conv and conv → Linear)', async () => {
    sg.manualSeed(9);
    const model = new sg.nn.Sequential(
      new sg.nn.Conv2d(1, 4, 3, { padding: 1 }), new sg.nn.ReLU(), new sg.nn.MaxPool2d(2),
      new sg.nn.Conv2d(4, 6, 3), new sg.nn.ReLU(), new sg.nn.Flatten(), new sg.nn.Linear(6 * 2 * 2, 3),
    );
    const [c1, , , c2, , , fc] = model.layers as [InstanceType<typeof sg.nn.Conv2d>, unknown, unknown, InstanceType<typeof sg.nn.Conv2d>, unknown, unknown, InstanceType<typeof sg.nn.Linear>];
    // channels 1 and 3 of the first conv, and 0, 4, 5 of the second, made exactly zero (filter and bias)
    const zeroChannels = async (conv: InstanceType<typeof sg.nn.Conv2d>, channels: number[]) => {
      const w = Float32Array.from(await conv.weight.data());
      const b = Float32Array.from(await conv.bias!.data());
      const size = w.length / conv.outChannels;
      for (const c of channels) { w.fill(0, c * size, (c + 1) * size); b[c] = 0; }
      conv.weight.assign(sg.tensor(w, conv.weight.shape));
      conv.bias!.assign(sg.tensor(b, [conv.outChannels]));
    };
    await zeroChannels(c1, [1, 3]);
    await zeroChannels(c2, [0, 4, 5]);
    const x = sg.randn([2, 1, 8, 8], { seed: 10 });
    const before = await values(model.forward(x));
    const params = (m: InstanceType<typeof sg.nn.Module>) => m.parameters().reduce((n, p) => n + p.size, 0);
    const total = params(model);
    const a = await sg.prune.pruneConvChannels(model, c1, c2, { amount: 0.5 });
    expect(a.kept).toEqual([0, 2]);
    const b = await sg.prune.pruneConvChannels(model, a.next as InstanceType<typeof sg.nn.Conv2d>, fc, { amount: 0.5 });
    expect(b.kept).toEqual([1, 2, 3]);
    expect(model.layers[0]).toBe(a.conv);
    expect((model.layers[3] as InstanceType<typeof sg.nn.Conv2d>).weight.shape).toEqual([3, 2, 3, 3]);
    expect((model.layers[6] as InstanceType<typeof sg.nn.Linear>).weight.shape).toEqual([3, 12]);
    expect(params(model)).toBeLessThan(total);
    const after = await values(model.forward(x));
    after.forEach((v, i) => expect(v).toBeCloseTo(before[i], 5));
  });

  test('bad arguments get typed errors naming them', async () => {
    const m = mlp(11);
    const layers = sg.prune.pruneTargets(m);
    await expect(sg.prune.magnitudePrune(layers, { amount: 1.5 })).rejects.toThrow(/amount must be a finite number >= 0 <= 1, got 1\.5/);
    await expect(sg.prune.magnitudePrune(layers, { amount: 0.5, global: true } as never)).rejects.toThrow(/unknown option 'global'/);
    await expect(sg.prune.magnitudePrune([], { amount: 0.5 })).rejects.toThrow(/no Linear or Conv2d layers/);
    const conv = new sg.nn.Conv2d(2, 4, 3);
    await expect(sg.prune.pruneConvChannels(m, conv, new sg.nn.Conv2d(3, 2, 1), { amount: 0.5 })).rejects.toThrow(sg.ShapeError);
    await expect(sg.prune.pruneConvChannels(m, conv, new sg.nn.Linear(10, 2), { amount: 0.5 })).rejects.toThrow(/does not take .*4 channels/);
  });
});
