// Modules: parameter naming (PyTorch's), stateDict round trips, PyTorch default initialisation, shape errors.
import { describe, expect, test } from 'vitest';
import { useGpu } from '../helpers/gpu.js';

const sg = useGpu();

describe('nn.Module', () => {
  test('Sequential names parameters by index, like PyTorch', () => {
    const m = new sg.nn.Sequential(new sg.nn.Linear(4, 3), new sg.nn.ReLU(), new sg.nn.Linear(3, 2, { bias: false }));
    expect(Object.keys(m.stateDict())).toEqual(['0.weight', '0.bias', '2.weight']);
    expect(m.parameters().map((p) => p.shape)).toEqual([[3, 4], [3], [2, 3]]);
  });

  test('stateDict → loadStateDict restores every value; strict loading names missing and unexpected keys', async () => {
    sg.manualSeed(1);
    const a = new sg.nn.Sequential(new sg.nn.Linear(5, 4), new sg.nn.Tanh(), new sg.nn.Linear(4, 3));
    sg.manualSeed(2);
    const b = new sg.nn.Sequential(new sg.nn.Linear(5, 4), new sg.nn.Tanh(), new sg.nn.Linear(4, 3));
    const x = sg.rand([2, 5], { seed: 3 });
    b.loadStateDict(a.stateDict());
    expect(Array.from(await b.forward(x).data())).toEqual(Array.from(await a.forward(x).data()));
    const partial = { ...a.stateDict() } as Record<string, InstanceType<typeof sg.Tensor>>;
    delete partial['2.bias'];
    partial['9.weight'] = sg.zeros([1]);
    expect(() => b.loadStateDict(partial)).toThrow(/missing keys \[2\.bias\].*unexpected keys \[9\.weight\]/);
    expect(() => b.loadStateDict({ ...a.stateDict(), '0.weight': sg.zeros([4, 4]) })).toThrow(sg.ShapeError);
  });

  test("PyTorch's keys and layouts: snake_case children, MultiheadAttention's stacked in_proj, transformer layers' names", async () => {
    const mha = new sg.nn.MultiheadAttention(6, 2, { seed: 1 });
    expect(Object.keys(mha.stateDict())).toEqual(['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias']);
    const w = mha.stateDict().in_proj_weight;
    expect(w.shape).toEqual([18, 6]);
    // q, k, v stacked in that order along dimension 0
    const rows = await w.data();
    expect(Array.from(rows.slice(6 * 6, 12 * 6))).toEqual(Array.from(await mha.kProj.weight.data()));
    expect(Object.keys(new sg.nn.MultiheadAttention(4, 2, { bias: false }).stateDict())).toEqual(['in_proj_weight', 'out_proj.weight']);
    // loading splits the stack back into the three projections
    const other = new sg.nn.MultiheadAttention(6, 2, { seed: 9 });
    other.loadStateDict(mha.stateDict());
    expect(Array.from(await other.vProj.bias!.data())).toEqual(Array.from(await mha.vProj.bias!.data()));
    expect(() => other.loadStateDict({ ...mha.stateDict(), in_proj_weight: sg.zeros([12, 6]) })).toThrow(/loadStateDict: in_proj_weight has shape \[18, 6\], got \[12, 6\]/);
    const dec = Object.keys(new sg.nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 8 }).stateDict());
    for (const k of ['self_attn.in_proj_weight', 'multihead_attn.out_proj.bias', 'linear1.weight', 'linear2.bias', 'norm3.weight']) expect(dec).toContain(k);
    expect(dec.some((k) => /[A-Z]|ff\.|cross/.test(k))).toBe(false);
    // attribute paths stay what optimizers and ONNX see
    expect(mha.namedParameters().map(([n]) => n)).toContain('qProj.weight');
  });

  test('Linear initialises like PyTorch: weight and bias within ±1/√fan_in', async () => {
    const l = new sg.nn.Linear(400, 50, { seed: 7 });
    const w = Array.from(await l.weight.data());
    const bound = 1 / Math.sqrt(400);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(bound * 0.95); // fills the range
    const mean = w.reduce((s, v) => s + v, 0) / w.length;
    expect(Math.abs(mean)).toBeLessThan(bound * 0.05);
    const b = Array.from(await l.bias!.data());
    expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(bound);
  });

  test('init schemes have the variance their formulas give', async () => {
    const n = Array.from(await sg.nn.init.kaimingNormal([256, 512], { nonlinearity: "relu", seed: 1 }).data());
    const variance = n.reduce((s, v) => s + v * v, 0) / n.length;
    expect(variance).toBeCloseTo(2 / 512, 4);
    const u = Array.from(await sg.nn.init.xavierUniform([300, 100], { seed: 2 }).data());
    expect(Math.max(...u.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 400));
  });

  test('train() and eval() reach every sub-module', () => {
    const inner = new sg.nn.Sequential(new sg.nn.ReLU());
    const m = new sg.nn.Sequential(new sg.nn.Linear(2, 2), inner);
    m.eval();
    expect(inner.layers[0].training).toBe(false);
    m.train();
    expect(inner.layers[0].training).toBe(true);
  });

  test('Linear with a wrong input width names the layer and the shape', () => {
    const l = new sg.nn.Linear(4, 2);
    expect(() => l.forward(sg.zeros([3, 5]))).toThrow(/Linear\(4, 2\).*\[3, 5\]/);
  });
});
