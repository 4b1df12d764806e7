// Module and Parameter: PyTorch-shaped containers. Modules are objects with forward(), not callables.
//
// State dicts carry PyTorch's keys, shapes and layouts, whatever the TS attribute tree looks like: a child
// held in attribute `stemBn` is saved as `stem_bn.*` (snake_case, Python's naming), and a module may declare
// a `stateLayout` — renames of attribute paths (TransformerEncoderLayer's `ff.fc1` is PyTorch's `linear1`)
// and stacks (MultiheadAttention's q/k/v weights are one `in_proj_weight`, concatenated along dimension 0).
// stateDict() and loadStateDict() both work from one list of entries (stateEntries), so saving and
// loading cannot disagree; stacked tensors are concatenated at save and split at load.
import { LazyNode, contiguousView } from '../graph/node.js';
import { InternalError, ShapeError, ValueError } from '../core/errors.js';
import { sameShape, shapeStr } from '../core/shape.js';
import { cat } from '../ops/movement.js';
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

/**
 * How a module's state-dict keys differ from its attribute paths (paths relative to the module, before
 * the snake_case rename of child names is applied to what is left).
 * - `stacks`: key → the attribute paths whose tensors it holds, concatenated along dimension 0 in that
 *   order (a stack whose sources are all absent, e.g. biases of a bias-free layer, is left out).
 * - `rename`: attribute path prefix → key prefix (`'ff.fc1': 'linear1'` makes `ff.fc1.weight` `linear1.weight`).
 */
export interface StateLayout {
  stacks?: Record<string, string[]>;
  rename?: Record<string, string>;
}

/** One tensor where this module's tensors live: a parameter, or a buffer of `owner`. */
interface StatePart {
  path: string;
  owner: Module;
  name: string;
  tensor: Tensor;
}

/** One state-dict key and the tensors it is made of (one, or several stacked along dimension 0). */
export interface StateEntry {
  key: string;
  parts: StatePart[];
}

/** `stemBn` → `stem_bn`, `lnF` → `ln_f`; names already in snake_case (`weight_ih_l0`) are unchanged. */
export const snakeCase = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

const underPrefix = (path: string, prefix: string) => path === prefix || path.startsWith(prefix + '.');

export abstract class Module {
  training = true;
  /** Non-trainable state (BatchNorm running statistics, ...); in stateDict() unless registered non-persistent. */
  protected buffers = new Map<string, Tensor>();
  /** Buffers left out of stateDict() (PyTorch's `persistent=False`): kept by checkpoints through runState(). */
  private readonly nonPersistent = new Set<string>();
  /** Own buffers whose values are int8 (held as int32 on the GPU) and stored as I8 in files (quantized layers). */
  protected readonly int8Buffers: ReadonlySet<string> = new Set();
  /** Where this module's PyTorch state-dict keys differ from its attribute paths (see StateLayout). */
  protected readonly stateLayout: StateLayout = {};

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

  /** Parameters by attribute path ("selfAttn.qProj.weight"): the TS tree, as optimizers and exporters see it. */
  namedParameters(prefix = ''): [string, Parameter][] {
    const out = this.ownParameters().map(([n, p]): [string, Parameter] => [prefix + n, p]);
    for (const [name, child] of this.namedChildren()) out.push(...child.namedParameters(`${prefix}${name}.`));
    return out;
  }

  parameters(): Parameter[] {
    return [...new Set(this.namedParameters().map(([, p]) => p))];
  }

  /** Every buffer by attribute path, persistent or not (as PyTorch's named_buffers). */
  namedBuffers(prefix = ''): [string, Tensor][] {
    const out = [...this.buffers].map(([n, t]): [string, Tensor] => [prefix + n, t]);
    for (const [name, child] of this.namedChildren()) out.push(...child.namedBuffers(`${prefix}${name}.`));
    return out;
  }

  /**
   * Freezes every parameter of this module tree (`requiresGrad = false`): autograd gives them no gradient,
   * so an optimizer holding them leaves them as they are (transfer learning, a LoRA adapter's base).
   */
  freeze(): this {
    for (const p of this.parameters()) {
      p.requiresGrad = false;
      p.grad = null; // a gradient from before would still be stepped
    }
    return this;
  }

  /** The pruning mask of parameter `name` (a buffer `${name}_mask`, saved with the state: sg.prune), or null. */
  pruningMask(name: string): Tensor | null {
    return this.buffers.get(`${name}_mask`) ?? null;
  }

  /** Sets the pruning mask of parameter `name` (1 keeps, 0 prunes), or drops it with null (sg.prune). */
  setPruningMask(name: string, mask: Tensor | null): void {
    if (mask) this.registerBuffer(`${name}_mask`, mask);
    else this.buffers.delete(`${name}_mask`);
  }

  /**
   * Parameter `p` (this module's `name`) as forward() uses it: times its pruning mask when it has one, so
   * pruned weights act as exactly 0 and get a zero gradient whatever an optimizer's momentum does.
   */
  protected masked(name: string, p: Tensor): Tensor {
    const mask = this.pruningMask(name);
    return mask ? p.mul(mask) : p;
  }

  /** Makes every parameter of this module tree trainable again. */
  unfreeze(): this {
    for (const p of this.parameters()) p.requiresGrad = true;
    return this;
  }

  train(on = true): this {
    this.training = on;
    for (const [, c] of this.namedChildren()) c.train(on);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /**
   * The state-dict entries of this module, keys relative to it: own parameters and persistent buffers,
   * then each child's entries under its snake_case name, then this module's stateLayout applied.
   */
  stateEntries(): StateEntry[] {
    const own = (key: string, name: string, tensor: Tensor): StateEntry => ({ key, parts: [{ path: name, owner: this, name, tensor }] });
    let entries: StateEntry[] = [
      // own parameters under snake_case names as children are (ViT's clsToken is PyTorch's cls_token); buffers keep the names registered
      ...this.ownParameters().map(([n, p]) => own(snakeCase(n), n, p)),
      ...[...this.buffers].filter(([n]) => !this.nonPersistent.has(n)).map(([n, t]) => own(n, n, t)),
    ];
    for (const [name, child] of this.namedChildren()) {
      const keyName = name.split('.').map(snakeCase).join('.');
      for (const e of child.stateEntries())
        entries.push({ key: `${keyName}.${e.key}`, parts: e.parts.map((p) => ({ ...p, path: `${name}.${p.path}` })) });
    }
    const { stacks = {}, rename = {} } = this.stateLayout;
    for (const [key, sources] of Object.entries(stacks)) {
      const found = sources.map((s) => entries.find((e) => e.parts.length === 1 && e.parts[0].path === s));
      if (found.every((e) => !e)) continue;
      if (found.some((e) => !e)) throw new InternalError(`${this.constructor.name}: state key ${key} stacks [${sources.join(', ')}], some of which are missing`);
      const at = entries.indexOf(found[0]!);
      entries = entries.filter((e) => !found.includes(e));
      entries.splice(Math.min(at, entries.length), 0, { key, parts: found.flatMap((e) => e!.parts) });
    }
    for (const [from, to] of Object.entries(rename)) {
      const fromKey = from.split('.').map(snakeCase).join('.');
      for (const e of entries) if (underPrefix(e.key, fromKey)) e.key = to + e.key.slice(fromKey.length);
    }
    return entries;
  }

  /** The state keys whose values are int8 (files store them as I8): a quantized layer's weights. */
  int8StateKeys(): string[] {
    return this.stateEntries().filter((e) => e.parts.length === 1 && e.parts[0].owner.int8Buffers.has(e.parts[0].name)).map((e) => e.key);
  }

  /** Parameters and persistent buffers by PyTorch's keys and layouts ("0.weight", "self_attn.in_proj_weight"). */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries(
      this.stateEntries().map((e) => [e.key, e.parts.length === 1 ? e.parts[0].tensor : noGrad(() => cat(e.parts.map((p) => p.tensor), 0))]),
    );
  }

  /**
   * Loads values by PyTorch key (as stateDict() names them); a stacked key is split back into its parts.
   * With `strict` (default) keys must match exactly. Every shape is checked before anything is changed.
   */
  loadStateDict(state: Record<string, Tensor>, options: { strict?: boolean } = {}): void {
    const strict = options.strict ?? true;
    const entries = this.stateEntries();
    if (strict) {
      const known = new Set(entries.map((e) => e.key));
      const missing = entries.map((e) => e.key).filter((k) => !Object.hasOwn(state, k));
      const unexpected = Object.keys(state).filter((k) => !known.has(k));
      if (missing.length || unexpected.length)
        throw new ValueError(`loadStateDict: ${missing.length ? `missing keys [${missing.join(', ')}]` : ''}${missing.length && unexpected.length ? '; ' : ''}${unexpected.length ? `unexpected keys [${unexpected.join(', ')}]` : ''}`);
    }
    const present = entries.filter((e) => Object.hasOwn(state, e.key));
    for (const e of present) {
      const value = state[e.key];
      const want = e.parts.length === 1 ? e.parts[0].tensor.shape : [e.parts.reduce((n, p) => n + p.tensor.shape[0], 0), ...e.parts[0].tensor.shape.slice(1)];
      if (!sameShape(value.shape, want)) throw new ShapeError(`loadStateDict: ${e.key} has shape ${shapeStr(want)}, got ${shapeStr(value.shape)}`);
    }
    for (const e of present) {
      let row = 0;
      for (const p of e.parts) {
        const n = p.tensor.shape[0];
        const v = e.parts.length === 1 ? state[e.key] : state[e.key].slice([row], [row + n]);
        row += n;
        p.owner.setOwn(p.name, v);
      }
    }
  }

  /**
   * Non-persistent buffers by attribute path: state PyTorch's state dict leaves out but a resumed run needs
   * (Dropout's position in its seed stream). Checkpoints save it beside stateDict().
   */
  runState(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [n, t] of this.buffers) if (this.nonPersistent.has(n)) out[n] = t;
    for (const [name, child] of this.namedChildren()) for (const [k, t] of Object.entries(child.runState())) out[`${name}.${k}`] = t;
    return out;
  }

  /** Restores a runState(): exactly its names and shapes (checked before anything changes). */
  loadRunState(state: Record<string, Tensor>): void {
    const targets = new Map<string, [Module, string]>();
    const collect = (m: Module, prefix: string) => {
      for (const n of m.nonPersistent) targets.set(prefix + n, [m, n]);
      for (const [name, child] of m.namedChildren()) collect(child, `${prefix}${name}.`);
    };
    collect(this, '');
    const missing = [...targets.keys()].filter((k) => !Object.hasOwn(state, k));
    const unexpected = Object.keys(state).filter((k) => !targets.has(k));
    if (missing.length || unexpected.length)
      throw new ValueError(`loadRunState: ${[missing.length ? `missing [${missing.join(', ')}]` : '', unexpected.length ? `unexpected [${unexpected.join(', ')}]` : ''].filter(Boolean).join('; ')}`);
    for (const [k, [m, n]] of targets) if (!sameShape(m.buffers.get(n)!.shape, state[k].shape)) throw new ShapeError(`loadRunState: ${k} has shape ${shapeStr(m.buffers.get(n)!.shape)}, got ${shapeStr(state[k].shape)}`);
    for (const [k, [m, n]] of targets) m.setOwn(n, state[k]);
  }

  protected registerBuffer(name: string, t: Tensor, options: { persistent?: boolean } = {}): void {
    this.buffers.set(name, t);
    if (options.persistent === false) this.nonPersistent.add(name);
    else this.nonPersistent.delete(name);
  }

  /** Sets this module's own parameter (in place) or buffer `name` (shape already checked). */
  private setOwn(name: string, value: Tensor): void {
    const p = this.ownParameters().find(([n]) => n === name);
    if (p) p[1].assign(value);
    else this.buffers.set(name, noGrad(() => value.contiguous()).realize());
  }
}
