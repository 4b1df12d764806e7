// Optimizer updates as ops: one primitive per update rule of kernels/optim.ts (PyTorch's torch.optim.SGD,
// Adam and AdamW), each an in-place effect on a parameter and its state buffers, not differentiable, with a
// float64 reference of one step. The optimizer records each parameter's update with `recordUpdate` and
// realizes the step with `realizeStep`; it never touches kernels or the executor itself.
import { ShapeError } from '../core/errors.js';
import { ndNumel, type Nd } from '../core/nd.js';
import { shapeStr } from '../core/shape.js';
import { labelNode } from '../graph/anomaly.js';
import { pendingStep } from '../graph/autograd.js';
import { realizeNodes } from '../graph/execute.js';
import { Storage, type LazyNode } from '../graph/node.js';
import { STATE_COUNT, optimizerKernel, packHyper, type Hyper, type UpdateRule } from '../kernels/optim.js';
import { runtime } from '../runtime/runtime.js';
import type { Tensor } from '../tensor/tensor.js';
import { effectNode } from './record.js';
import { NOT_DIFFERENTIABLE, primitive, type OutputSpec, type TensorMeta } from './op.js';

export { STATE_COUNT, packHyper, type Hyper, type UpdateRule };

/** The hyperparameters of one step as PyTorch names them, and the step number t (1 for the first step). */
export interface StepOptions {
  lr: number;
  step: number;
  weightDecay?: number;
  momentum?: number;
  dampening?: number;
  betas?: [number, number];
  eps?: number;
}

/**
 * One step of a rule in float64, elementwise: `update(p, g, state, o)` returns the new parameter value and
 * writes the new state. The reference returns [p', ...state'] stacked along a new first axis.
 */
type ElementStep = (p: number, g: number, state: number[], o: StepOptions) => number;
function stepReference(update: ElementStep) {
  return (param: Nd, grad: Nd, state: Nd[], o: StepOptions): Nd => {
    const n = ndNumel(param.shape);
    const out = new Float64Array(n * (1 + state.length));
    for (let i = 0; i < n; i++) {
      const s = state.map((x) => x.data[i]);
      out[i] = update(param.data[i], grad.data[i], s, o);
      s.forEach((v, k) => (out[(k + 1) * n + i] = v));
    }
    return { shape: [1 + state.length, ...param.shape], data: out };
  };
}

/** torch.optim.SGD's momentum buffer: the first step takes d itself. */
function momentumBuffer(d: number, s: number[], o: StepOptions): number {
  s[0] = o.step === 1 ? d : (o.momentum ?? 0) * s[0] + (1 - (o.dampening ?? 0)) * d;
  return s[0];
}

/** torch.optim.Adam's moments and bias-corrected step on gradient d. */
function adamStep(p: number, d: number, s: number[], o: StepOptions): number {
  const [b1, b2] = o.betas ?? [0.9, 0.999];
  s[0] = b1 * s[0] + (1 - b1) * d;
  s[1] = b2 * s[1] + (1 - b2) * d * d;
  const mHat = s[0] / (1 - b1 ** o.step);
  const vHat = s[1] / (1 - b2 ** o.step);
  return p - (o.lr * mHat) / (Math.sqrt(vHat) + (o.eps ?? 1e-8));
}

const updateRule = (rule: UpdateRule, doc: string, reference: ElementStep) =>
  primitive({
    doc,
    /** The gradient must have the parameter's shape; the parameter is updated in place. */
    shape: (param: TensorMeta, grad: TensorMeta): OutputSpec => {
      if (grad.shape.length !== param.shape.length || grad.shape.some((d, i) => d !== param.shape[i]))
        throw new ShapeError(`optimizer: gradient shape ${shapeStr(grad.shape)} differs from its parameter's ${shapeStr(param.shape)}`);
      return { shape: [...param.shape], dtype: 'float32' };
    },
    kernel: { module: 'kernels/optim.ts', variants: `rule '${rule}' of optim.wgsl (${STATE_COUNT[rule]} state buffers)` },
    grad: NOT_DIFFERENTIABLE,
    reference: stepReference(reference),
  });

export const OPTIM_OPS = {
  sgd: updateRule('sgd', 'SGD: p -= lr * (g + weightDecay * p)', (p, g, _s, o) => p - o.lr * (g + (o.weightDecay ?? 0) * p)),
  sgdMomentum: updateRule('sgdMomentum', 'SGD with momentum and dampening (torch.optim.SGD)', (p, g, s, o) => {
    const d = g + (o.weightDecay ?? 0) * p;
    return p - o.lr * momentumBuffer(d, s, o);
  }),
  sgdNesterov: updateRule('sgdNesterov', 'SGD with Nesterov momentum (torch.optim.SGD, nesterov=True)', (p, g, s, o) => {
    const d = g + (o.weightDecay ?? 0) * p;
    const b = momentumBuffer(d, s, o);
    return p - o.lr * (d + (o.momentum ?? 0) * b);
  }),
  adam: updateRule('adam', 'Adam with L2 weight decay added to the gradient (torch.optim.Adam)', (p, g, s, o) => adamStep(p, g + (o.weightDecay ?? 0) * p, s, o)),
  adamw: updateRule('adamw', 'AdamW: decoupled weight decay p *= 1 - lr * weightDecay, then Adam (torch.optim.AdamW)', (p, g, s, o) =>
    adamStep(p * (1 - o.lr * (o.weightDecay ?? 0)), g, s, o),
  ),
} satisfies Record<UpdateRule, unknown>;

/** Zeroed state buffers (momentum; Adam's moments) for a parameter of `size` elements under `rule`. */
export function zeroState(rule: UpdateRule, size: number): Storage[] {
  const rt = runtime();
  const bytes = size * 4;
  return Array.from({ length: STATE_COUNT[rule] }, () => {
    const st = new Storage(rt.pool.acquire(bytes, 'optimizer state'), bytes, rt.pool.release, rt.pool);
    rt.device.queue.writeBuffer(st.buffer, 0, new Float32Array(size));
    return st;
  });
}

/**
 * Records one parameter's update under `rule`: an in-place effect reading `grad` and writing the
 * parameter's storage and its `state` (asked for once the shapes are checked: made on first use), with the step's packed hyperparameters (a uniform written at
 * submit, so a new lr keeps the plan). Realized by `realizeStep`, after every read of the old values.
 */
export function recordUpdate(rule: UpdateRule, param: Tensor, grad: Tensor, state: () => Storage[], hyper: ArrayBuffer): LazyNode {
  OPTIM_OPS[rule].shape(param, grad);
  const writes = [param.node.storage!, ...state()];
  const update = effectNode(`${rule}`, [grad], writes, (node, caps) => [
    { spec: optimizerKernel(rule, node.inputs[0].view, param.size, caps), bind: [{ input: 0 }, ...writes.map((_, k) => ({ written: k }))] },
  ], hyper);
  labelNode(update, rule); // anomaly mode checks the updated parameter for NaN/Inf
  return update;
}

/**
 * Realizes an optimizer step in one submit: its `updates`, the pending losses whose gradients reached
 * `params` and the step's side outputs (graph/autograd.ts's PendingStep), and `alsoRealize`.
 */
export function realizeStep(params: Iterable<Tensor>, updates: LazyNode[], alsoRealize: Tensor[] = []): void {
  const roots = [...pendingStep().take(params), ...alsoRealize].map((t) => t.node);
  realizeNodes(roots, updates);
}
