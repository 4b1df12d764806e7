// Walking and editing a module tree: finding layers (the head to replace in transfer learning) and
// swapping them for others (LoRA adapters around layers, merged layers back in their place).
import { Conv2d } from './conv.js';
import { Linear } from './layers.js';
import { Module } from './module.js';

type Slots = Record<string, unknown>;

/**
 * Replaces, in `root`'s tree, every module for which `swap` returns a module (in attributes and arrays of
 * modules); a module swapped is not searched further, one for which `swap` returns null is.
 */
export function replaceModules(root: Module, swap: (child: Module) => Module | null): void {
  const slots = root as unknown as Slots;
  for (const [key, value] of Object.entries(slots)) {
    if (value instanceof Module) {
      const next = swap(value);
      if (next) slots[key] = next;
      else replaceModules(value, swap);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => {
        if (!(v instanceof Module)) return;
        const next = swap(v);
        if (next) value[i] = next;
        else replaceModules(v, swap);
      });
    }
  }
}

/** The modules of `root`'s tree (itself excluded) that satisfy `match`, depth first in attribute order. */
export function findModules<M extends Module>(root: Module, match: (m: Module) => m is M): M[] {
  const out: M[] = [];
  for (const [, child] of root.namedChildren()) {
    if (match(child)) out.push(child);
    out.push(...findModules(child, match));
  }
  return out;
}

/** A Linear, or a Conv2d of one group: the layers LoRA adapts and int8 quantization and QAT convert. */
export function isLinearOrUngroupedConv(m: Module): m is Linear | Conv2d {
  return m instanceof Linear || (m instanceof Conv2d && (m.options.groups ?? 1) === 1);
}
