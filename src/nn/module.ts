// Module and Parameter: PyTorch-shaped containers. Modules are objects with forward(), not callables.
import { LazyNode, contiguousView } from '../graph/node.js';
import { ShapeError, ValueError } from '../core/errors.js';
import { sameShape, shapeStr } from '../core/shape.js';
import { Tensor, noGrad } from '../tensor/tensor.js';

/** A trainable tensor: a realized, contiguous leaf that optimizers update in place. */
export class Parameter extends Tensor {
  constructor(init: Tensor) {
    const t = noGrad(() => init.contiguous()).realize();
    super(t.node, contiguousView(t.shape));
    this.requiresGrad = true;
  }

  /** Copies `values` into this parameter (same shape), keeping the object so optimizers still hold it. */
  assign(values: Tensor): void {
    if (!sameShape(values.shape, this.shape))
      throw new ShapeError(`Parameter.assign: shape ${shapeStr(values.shape)} does not match the parameter's ${shapeStr(this.shape)}`);
    const fresh = noGrad(() => values.contiguous()).realize();
    this.node = fresh.node;
    this.view = contiguousView(this.shape);
    this.grad = null;
  }

  /** After an in-place update of its storage, this parameter stands for the new version. */
  markUpdated(): void {
    this.node = new LazyNode({ type: 'leaf' }, [], this.shape, this.dtype, this.node.storage);
  }
}

export abstract class Module {
  training = true;
  /** Non-trainable state saved in stateDict (BatchNorm running statistics, ...). */
  protected buffers = new Map<string, Tensor>();

  /** Tensors first; a module may take an options object after them (the attention layers' masks). */
  abstract forward(...inputs: Array<Tensor | object | null | undefined>): Tensor;

  /** Direct sub-modules with their names (own properties holding a Module or an array of Modules). */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) out.push([key, value]);
      else if (Array.isArray(value)) value.forEach((v, i) => v instanceof Module && out.push([`${key}.${i}`, v]));
    }
    return out;
  }

  /** Parameters held directly by this module, with their names. */
  protected ownParameters(): [string, Parameter][] {
    return Object.entries(this).filter((e): e is [string, Parameter] => e[1] instanceof Parameter);
  }

  namedParameters(prefix = ''): [string, Parameter][] {
    const out = this.ownParameters().map(([n, p]): [string, Parameter] => [prefix + n, p]);
    for (const [name, child] of this.namedChildren()) out.push(...child.namedParameters(`${prefix}${name}.`));
    return out;
  }

  parameters(): Parameter[] {
    return [...new Set(this.namedParameters().map(([, p]) => p))];
  }

  namedBuffers(prefix = ''): [string, Tensor][] {
    const out = [...this.buffers].map(([n, t]): [string, Tensor] => [prefix + n, t]);
    for (const [name, child] of this.namedChildren()) out.push(...child.namedBuffers(`${prefix}${name}.`));
    return out;
  }

  train(on = true): this {
    this.training = on;
    for (const [, c] of this.namedChildren()) c.train(on);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Parameters and buffers by dotted name (PyTorch's naming: "0.weight", "fc1.bias"). */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /** Loads values by name; with `strict` (default) names must match exactly. */
  loadStateDict(state: Record<string, Tensor>, options: { strict?: boolean } = {}): void {
    const strict = options.strict ?? true;
    const params = new Map(this.namedParameters());
    const buffers = new Map(this.namedBuffers());
    if (strict) {
      const missing = [...params.keys(), ...buffers.keys()].filter((k) => !(k in state));
      const unexpected = Object.keys(state).filter((k) => !params.has(k) && !buffers.has(k));
      if (missing.length || unexpected.length)
        throw new ValueError(`loadStateDict: ${missing.length ? `missing keys [${missing.join(', ')}]` : ''}${missing.length && unexpected.length ? '; ' : ''}${unexpected.length ? `unexpected keys [${unexpected.join(', ')}]` : ''}`);
    }
    for (const [name, value] of Object.entries(state)) {
      const p = params.get(name);
      if (p) p.assign(value);
      else if (buffers.has(name)) this.setBuffer(name, value);
    }
  }

  protected registerBuffer(name: string, t: Tensor): void {
    this.buffers.set(name, t);
  }

  /** Replaces a (possibly nested) buffer by dotted name. */
  private setBuffer(dotted: string, value: Tensor): void {
    const [head, ...rest] = dotted.split('.');
    if (rest.length === 0) {
      const old = this.buffers.get(head)!;
      if (!sameShape(old.shape, value.shape)) throw new ShapeError(`loadStateDict: buffer ${dotted} has shape ${shapeStr(old.shape)}, got ${shapeStr(value.shape)}`);
      this.buffers.set(head, noGrad(() => value.contiguous()).realize());
      return;
    }
    const child = this.namedChildren().find(([n]) => n === head || n === `${head}.${rest[0]}`);
    if (!child) return;
    const consumed = child[0].split('.').length;
    child[1].setBuffer(dotted.split('.').slice(consumed).join('.'), value);
  }
}
