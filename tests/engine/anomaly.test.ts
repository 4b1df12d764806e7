// Checks that run inside a plan and are read back with it (graph/checks.ts): anomaly mode
// (sg.detectAnomaly: the first op that made a NaN, or ±Inf from finite inputs) and the range check of
// indices computed on the GPU (gather, Embedding, oneHot, crossEntropy).
import { afterEach, describe, expect, test } from 'vitest';
import { buildPlan, collect } from '../../src/graph/plan.js';
import { runtime } from '../../src/runtime/runtime.js';
import { useGpu } from '../helpers/gpu.js';

const sg = useGpu();
const F = () => sg.nn.functional;
type AnomalyError = InstanceType<typeof sg.AnomalyError>;

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

const ints = (v: number[]) => sg.tensor(Int32Array.from(v), [v.length], { dtype: 'int32' });

function tinyMlp(seed: number) {
  sg.manualSeed(seed);
  const model = new sg.nn.Sequential(new sg.nn.Linear(6, 8), new sg.nn.ReLU(), new sg.nn.Linear(8, 3));
  const opt = new sg.optim.Adam(model.parameters(), { lr: 1e-2 });
  const x = sg.tensor(new Float32Array(4 * 6).map((_, k) => Math.sin(k * 0.7)), [4, 6]);
  const step = (labels = ints([0, 1, 2, 1])) => {
    const loss = F().crossEntropy(model.forward(x), labels);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return loss;
  };
  return { model, opt, x, step };
}

describe('sg.detectAnomaly', () => {
  afterEach(() => void sg.detectAnomaly(false));

  test('the mode is off by default, set by a boolean, asked for with no argument; anything else is a ValueError', () => {
    expect(sg.detectAnomaly()).toBe(false);
    expect(sg.detectAnomaly(true)).toBe(true);
    expect(sg.detectAnomaly()).toBe(true);
    expect(sg.detectAnomaly(false)).toBe(false);
    expect(() => sg.detectAnomaly(1 as unknown as boolean)).toThrow(sg.ValueError);
    expect(() => sg.detectAnomaly('on' as unknown as boolean)).toThrow(/detectAnomaly: mode must be true or false.*string on/);
    expect(sg.detectAnomaly()).toBe(false);
  });

  test('log of a negative number in the forward pass is named, with its shape and this file as the recording site', async () => {
    sg.detectAnomaly(true);
    const y = sg.tensor([1, -2, 3]).mul(2).log().add(1);
    const e = (await rejection(y.data())) as AnomalyError;
    expect(e).toBeInstanceOf(sg.AnomalyError);
    expect(e.message).toMatch(/op 'log' produced NaN in its output of shape \[3\]/);
    expect(e.message).toMatch(/recorded at:\n\s+at .*anomaly\.test\.ts:\d+/);
    expect([e.op, e.shape, e.found, e.gradOf]).toEqual(['log', [3], 'NaN', undefined]);
  });

  test('0/0 inside a composite (layerNorm of a constant row, eps 0) names the div, recorded from this file', async () => {
    sg.detectAnomaly(true);
    const y = F().layerNorm(sg.ones([2, 3]), [3], null, null, 0);
    const e = (await rejection(y.data())) as AnomalyError;
    expect(e.message).toMatch(/op 'div' produced NaN in its output of shape \[2, 3\]/);
    expect(e.message).toMatch(/anomaly\.test\.ts/);
  });

  test('a NaN of the backward pass names the backward op and the forward op whose gradient it is (sqrt at 0)', async () => {
    sg.detectAnomaly(true);
    const x = sg.tensor([4, 0, 1], [3], { requiresGrad: true });
    x.sqrt().mul(0).sum().backward(); // d sqrt = g / (2 sqrt x): 0 / 0 at x = 0
    const e = (await rejection(x.grad!.data())) as AnomalyError;
    expect(e.message).toMatch(/op 'div' in the backward pass \(part of the gradient of 'sqrt'\) produced NaN in its output of shape \[3\]/);
    expect(e.message).toMatch(/The forward 'sqrt' was recorded at:\n\s+at .*anomaly\.test\.ts:\d+/);
    expect([e.op, e.gradOf]).toEqual(['div', 'sqrt']);
  });

  test('an infinity from finite inputs is named (exp overflow; 1 / 0 in the backward of sqrt at 0)', async () => {
    sg.detectAnomaly(true);
    const e1 = (await rejection(sg.tensor([1, 100]).exp().data())) as AnomalyError;
    expect(e1.message).toMatch(/op 'exp' produced ±Inf from finite inputs in its output of shape \[2\]/);
    const x = sg.tensor([0, 1], [2], { requiresGrad: true });
    x.sqrt().sum().backward();
    const e2 = (await rejection(x.grad!.data())) as AnomalyError;
    expect([e2.op, e2.found, e2.gradOf]).toEqual(['div', 'Inf', 'sqrt']);
  });

  test('an intended -Infinity (a mask written with where) is not an anomaly: only the ops that make one from finite values are', async () => {
    sg.detectAnomaly(true);
    const scores = sg.tensor([[1, 2, 3]]);
    const masked = scores.where(sg.tensor([[1, 1, 0]]).gt(0), -Infinity);
    expect(Array.from(await masked.softmax(-1).data())[2]).toBe(0);
  });

  test('a clean MLP training step raises nothing and gives the losses of the mode off', async () => {
    const off = tinyMlp(3);
    const lossesOff = [await off.step().item(), await off.step().item()];
    sg.detectAnomaly(true);
    const on = tinyMlp(3);
    const lossesOn = [await on.step().item(), await on.step().item()];
    expect(lossesOn[0]).toBeCloseTo(lossesOff[0], 6);
    expect(lossesOn[1]).toBeCloseTo(lossesOff[1], 6);
  });

  test('off, it adds no dispatch and no submit: the step of a mode never turned on, and after it is turned off again', async () => {
    const { step } = tinyMlp(4);
    await step().item(); // compile and warm up
    const count = async () => {
      const before = sg.stats();
      await step().item();
      const after = sg.stats();
      return [after.dispatches - before.dispatches, after.submits - before.submits];
    };
    const plain = await count();
    sg.detectAnomaly(true);
    const checked = await count();
    sg.detectAnomaly(false);
    expect(await count()).toEqual(plain);
    expect(checked[0]).toBeGreaterThan(plain[0]); // the mode on: unfused nodes and a check per node
    expect(checked[1]).toBe(plain[1]); // its words come back with the plan's own submit
  });

  test("a NaN made by an optimizer step's plan surfaces at the next readback, or at the next realization once its check has landed", async () => {
    sg.detectAnomaly(true);
    const { model, opt, x } = tinyMlp(5);
    const nanStep = () => {
      const loss = model.forward(x).sub(1e3).log().mean(); // log of negative outputs
      opt.zeroGrad();
      loss.backward();
      opt.step(); // synchronous: realizes the loss with the update, no readback
      return loss;
    };
    const e = (await rejection(nanStep().item())) as AnomalyError;
    expect(e).toBeInstanceOf(sg.AnomalyError);
    expect(e.op).toBe('log');
    nanStep();
    let thrown: unknown = null;
    for (let i = 0; i < 250 && !thrown; i++) {
      await new Promise((r) => setTimeout(r, 20));
      try {
        sg.realize(); // the next realization (here: of nothing) throws once the check has come back
      } catch (err) {
        thrown = err;
      }
    }
    expect(thrown).toBeInstanceOf(sg.AnomalyError);
  });
});

describe('indices computed on the GPU are range-checked where they index', () => {
  test('crossEntropy with labels from argmax of a wider tensor: an IndexError naming the label and the range', async () => {
    const wide = sg.tensor([[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5], [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]]); // argmax: 11, 2
    const loss = F().crossEntropy(sg.zeros([2, 10]), wide.argmax(1));
    const e = await rejection(loss.data());
    expect(e).toBeInstanceOf(sg.IndexError);
    expect(e).toBeInstanceOf(sg.ValueError);
    expect(e.message).toMatch(/^crossEntropy: label 11 \(computed on the GPU\) is outside \[0, 10\)/);
  });

  test('gather and Embedding with an index computed on the GPU too large, or negative: an IndexError, and 0 written in its place', async () => {
    const table = sg.tensor([[1, 2], [3, 4], [5, 6], [7, 8]]);
    const picked = table.gather(sg.tensor([1, 5]).int());
    expect((await rejection(picked.data())).message).toMatch(/^gather: index 5 \(computed on the GPU\) is outside \[0, 4\)/);
    expect(Array.from(await picked.data())).toEqual([3, 4, 0, 0]); // the check was read: the values are defined
    const negative = table.gather(sg.tensor([-1, 2]).int());
    expect((await rejection(negative.data())).message).toMatch(/^gather: index -1 \(computed on the GPU\) is outside \[0, 4\)/);
    const emb = new sg.nn.Embedding(7, 3);
    const ids = sg.tensor([1, 6]).add(1).int(); // 2, 7
    expect((await rejection(emb.forward(ids).data())).message).toMatch(/^Embedding\(7, 3\): index 7 \(computed on the GPU\) is outside \[0, 7\)/);
  });

  test('a bad label of a training step surfaces at the next readback (the step itself is synchronous)', async () => {
    const { step, x } = tinyMlp(6);
    const labels = x.slice([0, 0], [4, 4]).argmax(1); // classes 0..3 of a 3-class model: some are 3
    const e = await rejection(step(labels).item());
    expect(e).toBeInstanceOf(sg.IndexError);
    expect(e.message).toMatch(/crossEntropy: label 3 \(computed on the GPU\) is outside \[0, 3\)/);
  });

  test('oneHot of GPU-computed labels names itself; host-made labels plan no check (no checks buffer, nothing read back)', async () => {
    const gpuLabels = sg.tensor([2, 4]).int();
    expect((await rejection(sg.oneHot(gpuLabels, 4).data())).message).toMatch(/^oneHot: label 4 \(computed on the GPU\) is outside \[0, 4\)/);
    const planChecks = (t: InstanceType<typeof sg.Tensor>) => buildPlan(collect([t.node], []), [t.node], runtime().caps).checks;
    const logits = sg.zeros([2, 4]);
    expect(planChecks(F().crossEntropy(logits, ints([1, 3])))).toBeNull();
    expect(planChecks(sg.tensor([[1, 2], [3, 4]]).gather(ints([1, 0])))).toBeNull();
    expect(planChecks(F().crossEntropy(logits, sg.tensor([1, 3]).int()))).toEqual({ index: true, finite: [] });
  });

  test('in range, GPU-computed indices give exactly what host-made ones give', async () => {
    const table = sg.tensor([[1, 2], [3, 4], [5, 6], [7, 8]]);
    expect(Array.from(await table.gather(sg.tensor([3, 0, 2]).int()).data())).toEqual([7, 8, 1, 2, 5, 6]);
    const emb = new sg.nn.Embedding(5, 2, { seed: 1 });
    const fromGpu = await emb.forward(sg.tensor([[4, 1]]).int()).data();
    expect(Array.from(fromGpu)).toEqual(Array.from(await emb.forward(sg.tensor(Int32Array.from([4, 1]), [1, 2], { dtype: 'int32' })).data()));
    const logits = sg.tensor([[0.5, -1, 2], [1, 0, 0.25]]);
    const gpuLabels = sg.tensor([[0, 0, 1], [1, 0, 0]]).argmax(1);
    expect(await F().crossEntropy(logits, gpuLabels).item()).toBe(await F().crossEntropy(logits, ints([2, 0])).item());
    expect(Array.from(await sg.oneHot(gpuLabels, 3).data())).toEqual([0, 0, 1, 1, 0, 0]);
  });
});
