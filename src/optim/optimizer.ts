// Optimizers: each step is one fused WGSL update per parameter, recorded through the op layer (ops/optim.ts)
// as in-place effects and realized together with the pending loss in ONE submit (no readback inside a step).
import { LazyNode, type Storage, contiguousView } from '../graph/node.js';
import { Tensor, noGrad } from '../tensor/tensor.js';
import type { Parameter } from '../nn/module.js';
import { STATE_COUNT, packHyper, realizeStep, recordUpdate, zeroState, type Hyper, type UpdateRule } from '../ops/optim.js';
import { ShapeError, ValueError } from '../core/errors.js';
import { shapeStr } from '../core/shape.js';
import { checkNumber } from '../core/options.js';

export abstract class Optimizer {
  #lr = 0;
  /** The learning rate used by the next step (LR schedulers set it); a finite number >= 0, checked when set. */
  get lr(): number {
    return this.#lr;
  }
  set lr(value: number) {
    this.#lr = checkNumber(this.constructor.name, 'lr', value, { min: 0 });
  }
  /** Steps taken so far. */
  stepCount = 0;
  readonly params: Parameter[];
  /** Per-parameter state buffers (momentum, moments), created zeroed on the first step. */
  protected state = new Map<Parameter, Storage[]>();

  constructor(params: Iterable<Parameter>, lr: number) {
    this.params = [...params];
    if (this.params.length === 0) throw new ValueError('optimizer: got an empty parameter list');
    this.lr = lr;
  }

  protected abstract rule(): UpdateRule;

  /** State buffers each parameter has once stepped (0: plain SGD, 1: momentum, 2: Adam's moments). */
  get slotsPerParameter(): number {
    return STATE_COUNT[this.rule()];
  }
  protected abstract hyper(): Hyper;

  /** Forgets the gradients (PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /**
   * Updates every parameter that has a gradient, in one submit with the step's loss (the tensors backward()
   * was called on) and `alsoRealize` (metrics such as predictions, which must be computed with the weights
   * before the update).
   */
  step(options: { alsoRealize?: Tensor[] } = {}): void {
    this.stepCount++;
    const rule = this.rule();
    const hyper = packHyper(this.hyper());
    const updated: Parameter[] = [];
    const updates = this.params.flatMap((p) => {
      const g = p.grad;
      if (!g) return [];
      const update = recordUpdate(rule, p, g, () => this.stateFor(p, rule), hyper);
      updated.push(p);
      return [update];
    });
    realizeStep(this.params, updates, options.alsoRealize);
    for (const p of updated) p.markUpdated();
  }

  /**
   * Everything needed to resume: step count, learning rate and the state buffers as tensors named
   * `${parameterIndex}.${slot}` (slot 0: momentum or Adam's first moment, slot 1: second moment).
   */
  stateDict(): { step: number; lr: number; state: Record<string, Tensor> } {
    const state: Record<string, Tensor> = {};
    this.params.forEach((p, i) => {
      this.state.get(p)?.forEach((storage, slot) => {
        state[`${i}.${slot}`] = new Tensor(new LazyNode({ type: 'leaf' }, [], p.shape, 'float32', storage), contiguousView(p.shape));
      });
    });
    return { step: this.stepCount, lr: this.lr, state };
  }

  /** Restores a stateDict() of an optimizer of the same kind over parameters of the same shapes. */
  loadStateDict(sd: { step: number; lr: number; state: Record<string, Tensor> }): void {
    const rule = this.rule();
    const loaded = new Map<Parameter, Storage[]>();
    for (const [key, t] of Object.entries(sd.state)) {
      const [i, slot] = key.split('.').map(Number);
      const p = this.params[i];
      if (!p || !(slot >= 0 && slot < STATE_COUNT[rule])) throw new ValueError(`optimizer.loadStateDict: unexpected state '${key}' for ${this.params.length} parameters`);
      if (t.shape.length !== p.shape.length || t.shape.some((d, k) => d !== p.shape[k]))
        throw new ShapeError(`optimizer.loadStateDict: state '${key}' has shape ${shapeStr(t.shape)}, its parameter ${shapeStr(p.shape)}`);
      const copy = noGrad(() => t.contiguous()).realize();
      if (!loaded.has(p)) loaded.set(p, []);
      loaded.get(p)![slot] = copy.node.storage!;
    }
    for (const [p, storages] of loaded) {
      if (storages.length !== STATE_COUNT[rule] || storages.some((s) => !s)) throw new ValueError('optimizer.loadStateDict: incomplete state for a parameter');
      this.state.set(p, storages);
    }
    this.stepCount = sd.step;
    this.lr = sd.lr;
  }

  private stateFor(p: Parameter, rule: UpdateRule): Storage[] {
    let s = this.state.get(p);
    if (!s) {
      s = zeroState(rule, p.size);
      this.state.set(p, s);
    }
    return s;
  }
}

