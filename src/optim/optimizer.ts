// Optimizers: each step is one fused WGSL update per parameter, recorded as in-place effects and realized
// together with the pending loss in ONE submit (no readback inside a step).
import { realizeNodes } from '../graph/execute.js';
import { Storage } from '../graph/node.js';
import { STATE_COUNT, optimizerKernel, packHyper, type Hyper, type UpdateRule } from '../kernels/optim.js';
import type { Parameter } from '../nn/module.js';
import { recentRoots } from '../ops/autograd.js';
import { effectNode } from '../ops/lower.js';
import { ShapeError, ValueError } from '../runtime/errors.js';
import { runtime } from '../runtime/runtime.js';
import { shapeStr } from '../tensor/shape.js';

export abstract class Optimizer {
  /** The learning rate used by the next step (LR schedulers set it). */
  lr: number;
  /** Steps taken so far. */
  stepCount = 0;
  readonly params: Parameter[];
  /** Per-parameter state buffers (momentum, moments), created zeroed on the first step. */
  protected state = new Map<Parameter, Storage[]>();

  constructor(params: Iterable<Parameter>, lr: number) {
    this.params = [...params];
    if (this.params.length === 0) throw new ValueError('optimizer: got an empty parameter list');
    if (!(lr >= 0)) throw new ValueError(`optimizer: learning rate must be >= 0, got ${lr}`);
    this.lr = lr;
  }

  protected abstract rule(): UpdateRule;
  protected abstract hyper(): Hyper;

  /** Forgets the gradients (PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** Updates every parameter that has a gradient, realizing the loss of the step alongside, in one submit. */
  step(): void {
    this.stepCount++;
    const rule = this.rule();
    const hyper = packHyper(this.hyper());
    const caps = runtime().caps;
    const updated: Parameter[] = [];
    const effects = this.params.flatMap((p) => {
      const g = p.grad;
      if (!g) return [];
      if (g.shape.length !== p.shape.length || g.shape.some((d, i) => d !== p.shape[i]))
        throw new ShapeError(`optimizer: gradient shape ${shapeStr(g.shape)} differs from its parameter's ${shapeStr(p.shape)}`);
      updated.push(p);
      const writes = [p.node.storage!, ...this.stateFor(p, rule)];
      return [
        effectNode(`${rule}`, [g], writes, (node) => [
          { spec: optimizerKernel(rule, node.inputs[0].view, p.size, caps), bind: [{ input: 0 }, ...writes.map((_, k) => ({ written: k }))] },
        ], hyper),
      ];
    });
    const roots = [...recentRoots].map((t) => t.node);
    recentRoots.clear();
    realizeNodes(roots, effects);
    for (const p of updated) p.markUpdated();
  }

  private stateFor(p: Parameter, rule: UpdateRule): Storage[] {
    let s = this.state.get(p);
    if (!s) {
      const rt = runtime();
      const bytes = p.size * 4;
      s = Array.from({ length: STATE_COUNT[rule] }, () => {
        const st = new Storage(rt.pool.acquire(bytes, 'optimizer state'), bytes, rt.pool.release);
        rt.device.queue.writeBuffer(st.buffer, 0, new Float32Array(p.size));
        return st;
      });
      this.state.set(p, s);
    }
    return s;
  }
}

