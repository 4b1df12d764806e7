// Reverse-mode autograd over the Tensor graph. Gradients are lazy tensors: backward() only records ops.
import { ShapeError, ValueError } from '../core/errors.js';
import { shapeStr } from '../core/shape.js';
import { noGrad, type Tensor } from '../tensor/tensor.js';
import { constant } from './lower.js';

/**
 * The tensors backward() was called on (the losses), by the leaves their gradients reached: an optimizer
 * step realizes, in its own submit, the losses that reached its parameters — and only those, so a
 * backward() whose leaves no optimizer steps (a gradient computed for inspection) never joins another
 * model's step. Keyed weakly by leaf: dropping the leaf drops the entry.
 */
const rootsByLeaf = new WeakMap<Tensor, Set<Tensor>>();

/** Side outputs of a training step (e.g. BatchNorm's new running statistics), realized by the next step. */
const sideOutputs = new Set<Tensor>();

/**
 * Realizes `t` in the next optimizer step's submit (side outputs of a training step, such as BatchNorm's
 * new running statistics, which would otherwise stay pending and chain from step to step).
 */
export function realizeWithStep(t: Tensor): void {
  sideOutputs.add(t);
}

/** The pending work an optimizer step over `params` realizes with its update; forgets it. */
export function takeStepTargets(params: Iterable<Tensor>): Tensor[] {
  const out = new Set<Tensor>(sideOutputs);
  sideOutputs.clear();
  for (const p of params) {
    for (const root of rootsByLeaf.get(p) ?? []) out.add(root);
    rootsByLeaf.delete(p);
  }
  return [...out];
}

export function backward(root: Tensor, grad?: Tensor): void {
  if (!root.requiresGrad) throw new ValueError(`backward: tensor of shape ${shapeStr(root.shape)} does not require grad (no input had requiresGrad)`);
  if (!grad && root.size !== 1)
    throw new ShapeError(`backward: called on a non-scalar tensor of shape ${shapeStr(root.shape)} without a gradient; pass grad of the same shape`);
  if (grad && (grad.rank !== root.rank || grad.shape.some((d, i) => d !== root.shape[i])))
    throw new ShapeError(`backward: gradient shape ${shapeStr(grad.shape)} differs from the tensor's shape ${shapeStr(root.shape)}`);

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
    const grads = new Map<Tensor, Tensor>([[root, grad ?? constant(1, root.shape)]]);
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = grads.get(t);
      if (!g) continue;
      if (!t.ctx) {
        t.grad = t.grad ? t.grad.add(g) : g;
        if (!rootsByLeaf.has(t)) rootsByLeaf.set(t, new Set());
        rootsByLeaf.get(t)!.add(root);
        continue;
      }
      const inputGrads = t.ctx.backward(g);
      t.ctx.inputs.forEach((inp, k) => {
        const gi = inputGrads[k];
        if (!gi || !inp.requiresGrad) return;
        const prev = grads.get(inp);
        grads.set(inp, prev ? prev.add(gi) : gi);
      });
    }
  });
}
