// LR schedules step for step against PyTorch's own schedulers (python3-torch, run here) for 3× their
// horizon, warmup chains through SequentialLR included. No GPU work: schedules only set optimizer.lr.
import { execFileSync } from 'node:child_process';
import { PYTHON as PY, torchMissing } from '../helpers/torch-oracle.js';
import { describe, expect, test } from 'vitest';
import { CosineAnnealingLR, ExponentialLR, LinearLR, SequentialLR, StepLR, type LRScheduler } from '../../src/optim/schedulers.js';
import type { Optimizer } from '../../src/optim/optimizer.js';

const hasTorch = torchMissing() === null;

/** Runs `build` (python building `s` on optimizer `opt`) and returns lr after each of n steps, step 0 first. */
function torchLrs(build: string, n: number): number[] {
  const script = `import json, warnings, torch
warnings.filterwarnings('ignore')
opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.5)
from torch.optim.lr_scheduler import *
${build}
out = [opt.param_groups[0]['lr']]
for _ in range(${n}):
    opt.step(); s.step(); out.append(opt.param_groups[0]['lr'])
print(json.dumps(out))`;
  return JSON.parse(execFileSync(PY, ['-c', script], { encoding: 'utf8' }).trim().split('\n').pop()!);
}

const fakeOpt = () => ({ lr: 0.5 }) as unknown as Optimizer;
function ours(make: (o: Optimizer) => LRScheduler, n: number): number[] {
  const s = make(fakeOpt());
  const lrs = [s.optimizer.lr];
  for (let i = 0; i < n; i++) (s.step(), lrs.push(s.optimizer.lr));
  return lrs;
}

const CASES: [string, (o: Optimizer) => LRScheduler, string, number][] = [
  ['StepLR(3, 0.5)', (o) => new StepLR(o, 3, 0.5), 's = StepLR(opt, 3, 0.5)', 9],
  ['ExponentialLR(0.8)', (o) => new ExponentialLR(o, 0.8), 's = ExponentialLR(opt, 0.8)', 15],
  ['CosineAnnealingLR(5, 0.01): rises again after tMax', (o) => new CosineAnnealingLR(o, 5, 0.01), 's = CosineAnnealingLR(opt, 5, 0.01)', 15],
  ['LinearLR(0.25, 1, 4)', (o) => new LinearLR(o, 0.25, 1, 4), 's = LinearLR(opt, 0.25, 1.0, 4)', 12],
  ['LinearLR decay (1, 0.1, 5)', (o) => new LinearLR(o, 1, 0.1, 5), 's = LinearLR(opt, 1.0, 0.1, 5)', 15],
  [
    'SequentialLR: LinearLR warmup 3, then CosineAnnealingLR(6)',
    (o) => new SequentialLR(o, [new LinearLR(o, 0.1, 1, 3), new CosineAnnealingLR(o, 6)], [3]),
    's = SequentialLR(opt, [LinearLR(opt, 0.1, 1.0, 3), CosineAnnealingLR(opt, 6)], [3])',
    27,
  ],
  [
    'SequentialLR: three phases',
    (o) => new SequentialLR(o, [new LinearLR(o, 0.5, 1, 2), new StepLR(o, 2, 0.5), new ExponentialLR(o, 0.9)], [2, 6]),
    's = SequentialLR(opt, [LinearLR(opt, 0.5, 1.0, 2), StepLR(opt, 2, 0.5), ExponentialLR(opt, 0.9)], [2, 6])',
    18,
  ],
];

describe.skipIf(!hasTorch)('schedulers agree with PyTorch step for step for 3× their horizon (skipped: python3 cannot import torch)', () => {
  test.each(CASES)('%s', (_name, make, build, n) => {
    const want = torchLrs(build, n);
    const got = ours(make, n);
    expect(got.length).toBe(want.length);
    // PyTorch's chainable (recursive) forms drift from the closed forms by rounding only
    got.forEach((v, i) => expect(Math.abs(v - want[i]), `step ${i}: ours ${v}, PyTorch ${want[i]}`).toBeLessThan(1e-9 + 1e-9 * Math.abs(want[i])));
  });
});

test('SequentialLR refuses milestones that do not fit its schedulers', () => {
  const o = fakeOpt();
  const a = new LinearLR(o, 0.5, 1, 2);
  const b = new StepLR(o, 2);
  expect(() => new SequentialLR(o, [a, b], [])).toThrow(/SequentialLR: expected 1 milestones \(one fewer than the 2 schedulers\), got 0/);
  expect(() => new SequentialLR(o, [a, b], [0])).toThrow(/SequentialLR: milestones\[0\] must be a finite integer >= 1, got 0/);
  expect(() => new SequentialLR(o, [a, new StepLR(fakeOpt(), 2)], [2])).toThrow(/SequentialLR: every scheduler must be built on the same optimizer/);
});
