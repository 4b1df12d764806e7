// Optimizer hyper-parameters and options: checked at construction and whenever they are changed later;
// an unknown option key is refused, naming it and the allowed ones.
import { expect, test } from 'vitest';
import { useGpu } from '../helpers/gpu.js';

const sg = useGpu();
const params = () => new sg.nn.Linear(3, 2).parameters();

test('every numeric hyper-parameter is checked for type, finiteness and range at construction', () => {
  const cases: Array<[() => unknown, RegExp]> = [
    [() => new sg.optim.Adam(params(), { lr: '0.1' as never }), /Adam: lr must be a finite number >= 0, got string "0.1"/],
    [() => new sg.optim.Adam(params(), { lr: -1 }), /Adam: lr must be a finite number >= 0, got -1/],
    [() => new sg.optim.Adam(params(), { eps: -1 }), /Adam: eps must be a finite number >= 0, got -1/],
    [() => new sg.optim.Adam(params(), { eps: NaN }), /Adam: eps must be a finite number >= 0, got NaN/],
    [() => new sg.optim.AdamW(params(), { betas: [1, 0.9] }), /AdamW: betas\[0\] must be a finite number >= 0 < 1, got 1/],
    [() => new sg.optim.AdamW(params(), { betas: [0.9] as never }), /AdamW: betas must be a pair/],
    [() => new sg.optim.AdamW(params(), { weightDecay: Infinity }), /AdamW: weightDecay must be a finite number >= 0, got Infinity/],
    [() => new sg.optim.SGD(params(), { lr: 0.1, momentum: -0.5 }), /SGD: momentum must be a finite number >= 0, got -0.5/],
    [() => new sg.optim.SGD(params(), { lr: 0.1, dampening: 2 }), /SGD: dampening must be a finite number >= 0 <= 1, got 2/],
    [() => new sg.optim.SGD(params(), { lr: 0.1, nesterov: 'yes' as never }), /SGD: nesterov must be a boolean/],
    [() => new sg.optim.SGD(params(), {} as never), /SGD: options.lr is required/],
  ];
  for (const [make, message] of cases) expect(make, String(message)).toThrow(sg.ValueError);
  for (const [make, message] of cases) expect(make).toThrow(message);
});

test('unknown option keys are refused, naming the key and the allowed ones', () => {
  expect(() => new sg.optim.SGD(params(), { lr: 0.1, momentun: 0.9 } as never)).toThrow(/SGD: unknown option 'momentun' \(allowed: lr, momentum, dampening, nesterov, weightDecay\)/);
  expect(() => new sg.optim.Adam(params(), { lr: 0.1, beta1: 0.8 } as never)).toThrow(/Adam: unknown option 'beta1' \(allowed: lr, betas, eps, weightDecay\)/);
  expect(() => new sg.optim.AdamW(params(), { amsgrad: true } as never)).toThrow(/AdamW: unknown option 'amsgrad'/);
  expect(() => new sg.optim.Adam(params(), null as never)).toThrow(/Adam: options must be an object, got null/);
});

test('changing a hyper-parameter later is checked the same way and leaves the old value on refusal', () => {
  const adam = new sg.optim.Adam(params(), { lr: 0.01 });
  expect(() => (adam.lr = NaN)).toThrow(/Adam: lr must be a finite number >= 0, got NaN/);
  expect(() => (adam.lr = '1' as never)).toThrow(sg.ValueError);
  expect(adam.lr).toBe(0.01);
  expect(() => (adam.eps = -1)).toThrow(/Adam: eps must be/);
  expect(() => (adam.betas = [0.9, 1])).toThrow(/Adam: betas\[1\] must be/);
  expect(adam.eps).toBe(1e-8);
  adam.lr = 0.5; // a valid change goes through
  expect(adam.lr).toBe(0.5);
  const sgd = new sg.optim.SGD(params(), { lr: 0.1, momentum: 0.9 });
  expect(() => (sgd.momentum = -1)).toThrow(/SGD: momentum must be/);
  expect(() => (sgd.weightDecay = NaN)).toThrow(/SGD: weightDecay must be/);
  expect(sgd.momentum).toBe(0.9);
  // schedulers set lr through the same check
  const cos = new sg.optim.CosineAnnealingLR(sgd, 4);
  for (let i = 0; i < 6; i++) cos.step();
  // past tMax PyTorch's closed form rises again: at step 6 of tMax 4, halfway back up
  expect(sgd.lr).toBeCloseTo((0.1 * (1 + Math.cos((Math.PI * 6) / 4))) / 2, 12);
});
