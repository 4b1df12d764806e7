// LR schedules against PyTorch's closed forms (no GPU work: schedules only set optimizer.lr).
import { describe, expect, test } from 'vitest';
import { CosineAnnealingLR, ExponentialLR, LinearLR, StepLR, WarmupLR } from '../../src/optim/schedulers.js';
import type { Optimizer } from '../../src/optim/optimizer.js';

const fakeOpt = (lr: number) => ({ lr }) as unknown as Optimizer;

function run(s: { step(): void; optimizer: Optimizer }, n: number): number[] {
  const lrs = [s.optimizer.lr];
  for (let i = 0; i < n; i++) (s.step(), lrs.push(s.optimizer.lr));
  return lrs;
}

describe('LR schedules', () => {
  test('StepLR', () => expect(run(new StepLR(fakeOpt(1), 2, 0.1), 5)).toEqual([1, 1, 0.1, 0.1, expect.closeTo(0.01, 12), expect.closeTo(0.01, 12)]));
  test('ExponentialLR', () => expect(run(new ExponentialLR(fakeOpt(2), 0.5), 3)).toEqual([2, 1, 0.5, 0.25]));
  test('CosineAnnealingLR', () => {
    const lrs = run(new CosineAnnealingLR(fakeOpt(1), 4, 0.1), 5);
    // past tMax the closed form rises again (PyTorch)
    const want = [0, 1, 2, 3, 4, 5].map((t) => 0.1 + (0.9 * (1 + Math.cos((Math.PI * t) / 4))) / 2);
    lrs.forEach((v, i) => expect(v).toBeCloseTo(want[i], 12));
  });
  test('LinearLR warmup', () => {
    const lrs = run(new LinearLR(fakeOpt(1), 0.25, 1, 3), 4);
    [0.25, 0.5, 0.75, 1, 1].forEach((w, i) => expect(lrs[i]).toBeCloseTo(w, 12));
  });
  test('WarmupLR then a schedule', () => {
    const lrs = run(new WarmupLR(fakeOpt(1), 2, (t, base) => base * 0.5 ** t), 4);
    [0.5, 1, 1, 0.5, 0.25].forEach((w, i) => expect(lrs[i]).toBeCloseTo(w, 12));
  });
});
