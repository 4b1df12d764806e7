// Reverse-mode autograd over the Tensor graph. Gradients are lazy tensors: backward() only records ops.
// The grad mode (noGrad) and the pending training step (which losses an optimizer step realizes) live here.
import { ShapeError, ValueError } from '../core/errors.js';
import { shapeStr } from '../core/shape.js';
import { runtime } from '../runtime/runtime.js';
import { inBackwardOf } from './anomaly.js';
import type { Tensor } from '../tensor/tensor.js';

let gradEnabled = true;

/** Runs `fn` without recording gradients (like torch.no_grad()). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * What the next optimizer step realizes besides its updates, held by the runtime (one per device, gone
 * with `sg.destroy()`): the tensors backward() was called on (the losses), by the leaves their gradients
 * reached — a step realizes, in its own submit, the losses that reached its parameters and only those, so
 * a backward() whose leaves no optimizer steps never joins another model's step (keyed weakly by leaf:
 * dropping the leaf drops the entry) — and the step's side outputs (e.g. BatchNorm's new running
 * statistics, which would otherwise stay pending and chain from step to step).
 */
export class PendingStep {
  readonly rootsByLeaf = new WeakMap<Tensor, Set<Tensor>>();
  readonly sideOutputs = new Set<Tensor>();

  /** The pending work an optimizer step over `params` realizes with its update; forgets it. */
  take(params: Iterable<Tensor>): Tensor[] {
    const out = new Set<Tensor>(this.sideOutputs);
    this.sideOutputs.clear();
    for (const p of params) {
      for (const root of this.rootsByLeaf.get(p) ?? []) out.add(root);
      this.rootsByLeaf.delete(p);
    }
    return [...out];
  }
}

/** The pending step of the current device (made on first use, dropped with the runtime). */
export function pendingStep(): PendingStep {
  const rt = runtime();
  return (rt.pendingStep ??= new PendingStep());
}

/** Realizes `t` in the next optimizer step's submit (a side output of a training step). */
export function realizeWithStep(t: Tensor): void {
  pendingStep().sideOutputs.add(t);
}

/** Accumulates d(root)/d(leaf) into every leaf's `.grad`; `seed` makes the default gradient of a scalar root (1). */
export function backward(root: Tensor, grad: Tensor | undefined, seed: () => Tensor): void {
  if (!root.requiresGrad) throw new ValueError(`backward: tensor of shape ${shapeStr(root.shape)} does not require grad (no input had requiresGrad)`);
  if (!grad && root.size !== 1)
    throw new ShapeError(`backward: called on a non-scalar tensor of shape ${shapeStr(root.shape)} without a gradient; pass grad of the same shape`);
  if (grad && (grad.rank !== root.rank || grad.shape.some((d, i) => d !== root.shape[i])))
    throw new ShapeError(`backward: gradient shape ${shapeStr(grad.shape)} differs from the tensor's shape ${shapeStr(root.shape)}`);
  const step = pendingStep();

  // topological order, iteratively (long recurrent graphs are deep)
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: Array<[Tensor, number]> = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const inputs = top[0].ctx?.inputs ?? [];
    if (top[1] < inputs.length) {
      const next = inputs[top[1]++];
      if (next.requiresGrad && !seen.has(next)) {
        seen.add(next);
        stack.push([next, 0]);
      }
    } else {
      order.push(top[0]);
      stack.pop();
    }
  }

  noGrad(() => {
    const grads = new Map<Tensor, Tensor>([[root, grad ?? seed()]]);
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = grads.get(t);
      if (!g) continue;
      if (!t.ctx) {
        t.grad = t.grad ? t.grad.add(g) : g;
        if (!step.rootsByLeaf.has(t)) step.rootsByLeaf.set(t, new Set());
        step.rootsByLeaf.get(t)!.add(root);
        continue;
      }
      const { ctx } = t;
      const inputGrads = inBackwardOf(ctx.op, t.node, () => ctx.backward(g));
      t.ctx.inputs.forEach((inp, k) => {
        const gi = inputGrads[k];
        if (!gi || !inp.requiresGrad) return;
        const prev = grads.get(inp);
        grads.set(inp, prev ? prev.add(gi) : gi);
      });
    }
  });
}
