// Autograd semantics: accumulation across backward calls, noGrad, detach, explicit output gradients.
import { describe, expect, test } from 'vitest';
import { useGpu } from '../helpers/gpu.js';

const sg = useGpu();

describe('autograd', () => {
  test('gradients accumulate across backward calls until zeroed', async () => {
    const w = sg.tensor([1, 2, 3], undefined, { requiresGrad: true });
    w.mul(w).sum().backward(); // 2w
    w.mul(3).sum().backward(); // + 3
    expect(Array.from(await w.grad!.data())).toEqual([5, 7, 9]);
  });

  test('noGrad records no graph; detach cuts it', async () => {
    const w = sg.tensor([1, 2], undefined, { requiresGrad: true });
    const y = sg.noGrad(() => w.mul(2));
    expect(y.requiresGrad).toBe(false);
    const z = w.detach().mul(w).sum(); // d/dw = detached w
    z.backward();
    expect(Array.from(await w.grad!.data())).toEqual([1, 2]);
  });

  test('backward of a non-scalar takes an explicit gradient of the same shape', async () => {
    const w = sg.tensor([[1, 2], [3, 4]], undefined, { requiresGrad: true });
    w.exp().backward(sg.tensor([[1, 0], [0, 2]]));
    const g = await w.grad!.data();
    [Math.E, 0, 0, 2 * Math.exp(4)].forEach((v, i) => expect(g[i]).toBeCloseTo(v, 4));
  });

  test('a tensor used by two branches gets the sum of both gradients', async () => {
    const x = sg.tensor([2], undefined, { requiresGrad: true });
    const y = x.mul(x).add(x.mul(4)).sum(); // x² + 4x → 2x + 4 = 8
    y.backward();
    expect(await x.grad!.item()).toBe(8);
  });

  test('gradients flow through views (transpose, slice, reshape, expand)', async () => {
    const x = sg.tensor([[1, 2, 3], [4, 5, 6]], undefined, { requiresGrad: true });
    const y = x.transpose().slice([1, 0], [3, 2]).reshape([4]).expand([2, 4]).sum();
    y.backward();
    expect(await x.grad!.array()).toEqual([[0, 2, 2], [0, 2, 2]]);
  });

  test('backward on a tensor that needs no grad is refused', () => {
    expect(() => sg.tensor([1]).sum().backward()).toThrow(/does not require grad/);
  });
});
