// The optimizer update rules of the table: one GPU step of each rule (through the optimizer, from a given
// step count and state) against PyTorch's update written in float64; the row's result stacks the updated
// parameter and state buffers. Not differentiable: no gradient rows.
import * as sg from '../../../src/node/index.js';
import type { Parameter } from '../../../src/nn/module.js';
import type { Optimizer } from '../../../src/optim/optimizer.js';
import type { StepOptions } from '../../../src/ops/optim.js';
import { OPS } from '../../../src/ops/table.js';
import { bad, uni, row, type BadInput, type OpRow } from '../../helpers/opcheck.js';
import { f32 } from './inputs.js';

type Rule = 'sgd' | 'sgdMomentum' | 'sgdNesterov' | 'adam' | 'adamw';

/** Step number `o.step` of `make`'s optimizer on parameter p0 with gradient g, from `state`: [p', ...state']. */
const oneStep = (make: (ps: Parameter[]) => Optimizer, o: StepOptions) => (p0: sg.Tensor, g: sg.Tensor, ...state: sg.Tensor[]) => {
  const p = new sg.nn.Parameter(p0);
  const opt = make([p]);
  opt.loadStateDict({ step: o.step - 1, lr: o.lr, state: Object.fromEntries(state.map((s, k) => [`0.${k}`, s])) });
  p.grad = g;
  opt.step();
  const after = opt.stateDict().state;
  return sg.stack([p, ...state.map((_, k) => after[`0.${k}`])]);
};
/** The gradient transposed: a strided view read by the update kernel. */
const transposedGrad = (f: ReturnType<typeof oneStep>) => (p0: sg.Tensor, g: sg.Tensor, ...state: sg.Tensor[]) => f(p0, g.T, ...state);

const SGD = { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 };
const NESTEROV = { lr: 0.05, momentum: 0.8, weightDecay: 0.02 };
const ADAM = { lr: 0.01, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0.1 };
const ONE = [[[7], [7]], [[67, 9], [67, 9]]];
const WITH_M = [[[7], [7], [7]], [[67, 9], [67, 9], [67, 9]]];
const WITH_MV = [[[7], [7], [7], [7]], [[67, 9], [67, 9], [67, 9], [67, 9]]];
const MV = { grad: false, gens: [uni(), uni(), uni(-1, 1), uni(0, 1)] }; // second moments are >= 0

const ref = (rule: Rule, o: StepOptions) => (p: Parameters<typeof OPS.sgd.reference>[0], g: typeof p, ...state: (typeof p)[]) => OPS[rule].reference(p, g, state, o);

export const rows: OpRow[] = [
  row('sgd', null, oneStep((ps) => new sg.optim.SGD(ps, { lr: 0.1 }), { lr: 0.1, step: 1 }), ref('sgd', { lr: 0.1, step: 1 }), ONE, { grad: false }),
  row('sgd', 'sgd with weight decay, gradient a transposed view', transposedGrad(oneStep((ps) => new sg.optim.SGD(ps, { lr: 0.1, weightDecay: 0.5 }), { lr: 0.1, step: 4 })),
    (p, g) => OPS.sgd.reference(p, OPS.transpose.reference(g), [], { lr: 0.1, weightDecay: 0.5, step: 4 }), [[[5, 3], [3, 5]]], { grad: false }),
  row('sgdMomentum', 'sgdMomentum first step', oneStep((ps) => new sg.optim.SGD(ps, SGD), { ...SGD, step: 1 }), ref('sgdMomentum', { ...SGD, step: 1 }), WITH_M, { grad: false }),
  row('sgdMomentum', 'sgdMomentum step 3 (momentum, dampening, weight decay)', oneStep((ps) => new sg.optim.SGD(ps, SGD), { ...SGD, step: 3 }), ref('sgdMomentum', { ...SGD, step: 3 }), WITH_M, { grad: false }),
  row('sgdNesterov', 'sgdNesterov step 3', oneStep((ps) => new sg.optim.SGD(ps, { ...NESTEROV, nesterov: true }), { ...NESTEROV, step: 3 }), ref('sgdNesterov', { ...NESTEROV, step: 3 }), WITH_M, { grad: false }),
  row('adam', 'adam first step', oneStep((ps) => new sg.optim.Adam(ps, ADAM), { ...ADAM, step: 1 }), ref('adam', { ...ADAM, step: 1 }), WITH_MV, MV),
  row('adam', 'adam step 3 with L2 weight decay', oneStep((ps) => new sg.optim.Adam(ps, ADAM), { ...ADAM, step: 3 }), ref('adam', { ...ADAM, step: 3 }), WITH_MV, MV),
  row('adamw', 'adamw step 3 (decoupled weight decay, default 0.01)', oneStep((ps) => new sg.optim.AdamW(ps, { lr: 0.01 }), { lr: 0.01, weightDecay: 0.01, step: 3 }),
    ref('adamw', { lr: 0.01, weightDecay: 0.01, step: 3 }), WITH_MV, MV),
];

// A realized leaf stands for the parameter (a Parameter would realize a copy: GPU work before the error).
const leaf = (shape: number[]) => f32(shape) as Parameter;
const optimizers: Record<Rule, (ps: Parameter[]) => Optimizer> = {
  sgd: (ps) => new sg.optim.SGD(ps, { lr: 0.1 }),
  sgdMomentum: (ps) => new sg.optim.SGD(ps, { lr: 0.1, momentum: 0.9 }),
  sgdNesterov: (ps) => new sg.optim.SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true }),
  adam: (ps) => new sg.optim.Adam(ps),
  adamw: (ps) => new sg.optim.AdamW(ps),
};

export const badInputs: BadInput[] = (Object.keys(optimizers) as Rule[]).map((rule) =>
  bad(rule, 'gradient of another shape', () => {
    const p = leaf([2, 3]);
    const opt = optimizers[rule]([p]);
    p.grad = f32([3, 2]);
    opt.step();
  }, sg.ShapeError, /optimizer.*gradient shape \[3, 2\].*\[2, 3\]/),
);
