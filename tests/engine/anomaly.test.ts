// Checks that run inside a plan and are read back with it (graph/checks.ts): the range check of
// indices computed on the GPU (gather, Embedding, oneHot, crossEntropy).
import { describe, expect, test } from 'vitest';
import { useGpu } from '../helpers/gpu.js';

const sg = useGpu();
const F = () => sg.nn.functional;

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
