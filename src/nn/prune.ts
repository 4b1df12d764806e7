// Pruning (torch.nn.utils.prune's ideas, our names): magnitude masks on Linear and Conv2d weights, per
// layer or global, kept as buffers `weight_mask` (so they are saved and loaded with the state dict) and
// applied in forward() (pruned weights act as exactly 0 and get a zero gradient, whatever an optimizer's
// momentum does to the stored value); a polynomial sparsity schedule (Zhu & Gupta 2017) for pruning
// gradually while fine-tuning; and structured pruning of conv output channels, which builds smaller
// layers (the channel's filter, its bias and the next layer's matching inputs removed).
import { ShapeError, ValueError } from '../core/errors.js';
import { checkNumber, checkOptions, UNIT_INTERVAL } from '../core/options.js';
import { tensor } from '../tensor/creation.js';
import { noGrad, type Tensor } from '../tensor/tensor.js';
import { Conv2d } from './conv.js';
import { Linear } from './layers.js';
import { findModules, replaceModules } from './module-tree.js';
import type { Module } from './module.js';

/** A prunable weight: a Linear's or Conv2d's `weight`. */
export type PruneTarget = Linear | Conv2d;

const isTarget = (m: Module): m is PruneTarget => m instanceof Linear || m instanceof Conv2d;

/** Every Linear and Conv2d of `module`'s tree (itself included), in attribute order. */
export function pruneTargets(module: Module): PruneTarget[] {
  return [...(isTarget(module) ? [module] : []), ...findModules(module, isTarget)];
}

/** The weight as forward() uses it: times its mask when it has one. */
function effectiveWeight(layer: PruneTarget): Tensor {
  const mask = layer.pruningMask('weight');
  return mask ? noGrad(() => layer.weight.mul(mask)) : layer.weight;
}

/** The |w| value at and below which `amount` of `values` fall (pruned), and how many that is. */
function threshold(magnitudes: Float32Array, amount: number): { count: number; cut: number } {
  const count = Math.round(amount * magnitudes.length);
  if (count === 0) return { count, cut: -1 };
  const sorted = Float32Array.from(magnitudes).sort();
  return { count, cut: sorted[count - 1] };
}

/**
 * Masks `amount` (a fraction in [0, 1]) of the weights of `layers` with the smallest magnitudes, counted
 * over all of them together (global) or, with `perLayer`, in each layer; weights pruned before stay pruned
 * (their value in forward() is 0). Ties at the cut are pruned in index order so exactly the fraction goes.
 */
export async function magnitudePrune(layers: PruneTarget[], options: { amount: number; perLayer?: boolean }): Promise<void> {
  checkOptions('magnitudePrune', options, { amount: UNIT_INTERVAL, perLayer: 'boolean' });
  const amount = checkNumber('magnitudePrune', 'amount', options.amount, UNIT_INTERVAL);
  if (layers.length === 0) throw new ValueError('magnitudePrune: no Linear or Conv2d layers to prune');
  const weights = await Promise.all(layers.map(async (l) => (await effectiveWeight(l).data()) as Float32Array));
  // the layers whose weights compete for the cut: each alone, or all together
  const groups = options.perLayer ? weights.map((_, k) => [k]) : [weights.map((_, k) => k)];
  const masks = weights.map((w) => new Float32Array(w.length).fill(1));
  for (const members of groups) {
    const all = Float32Array.from(members.flatMap((k) => Array.from(weights[k], Math.abs)));
    const { count, cut } = threshold(all, amount);
    let left = count; // prune those below the cut, then ties at it, until `count` are gone
    for (const k of members) weights[k].forEach((v, i) => { if (Math.abs(v) < cut) { masks[k][i] = 0; left--; } });
    for (const k of members) weights[k].forEach((v, i) => { if (left > 0 && Math.abs(v) === cut && masks[k][i] === 1) { masks[k][i] = 0; left--; } });
  }
  layers.forEach((l, k) => l.setPruningMask('weight', tensor(masks[k], l.weight.shape)));
}

/** Fraction of the weights of `layers` that are pruned (masked) or exactly zero. */
export async function sparsity(layers: PruneTarget[]): Promise<number> {
  let zeros = 0;
  let total = 0;
  for (const l of layers) {
    const w = await effectiveWeight(l).data();
    for (let i = 0; i < w.length; i++) if (w[i] === 0) zeros++;
    total += w.length;
  }
  return total === 0 ? 0 : zeros / total;
}

/** Writes each mask into its weight (weight ← weight · mask), keeping the masks: what a saved file holds. */
export function applyMasks(layers: PruneTarget[]): void {
  for (const l of layers) {
    const mask = l.pruningMask('weight');
    if (mask) l.weight.assign(noGrad(() => l.weight.mul(mask)));
  }
}

/** Makes the pruning permanent (torch's prune.remove): the masks written into the weights, then dropped. */
export function removeMasks(layers: PruneTarget[]): void {
  applyMasks(layers);
  for (const l of layers) l.setPruningMask('weight', null);
}

/** Gives every layer of `module` whose weight the state `keys` name a `weight_mask` of an all-ones mask, so a pruned checkpoint loads (its masks then replace these). */
export function prepareMasks(module: Module, keys: Iterable<string>): void {
  const wanted = new Set([...keys].filter((k) => k.endsWith('weight_mask')).map((k) => k.slice(0, -'_mask'.length)));
  if (wanted.size === 0) return;
  const byKey = new Map(module.stateEntries().map((e) => [e.key, e]));
  for (const key of wanted) {
    const entry = byKey.get(key);
    const part = entry?.parts.length === 1 ? entry.parts[0] : undefined;
    const owner = part?.owner;
    if (!owner || !isTarget(owner) || part.name !== 'weight') throw new ValueError(`prepareMasks: '${key}_mask' names no Linear or Conv2d weight of this model`);
    owner.setPruningMask('weight', noGrad(() => owner.weight.mul(0).add(1)));
  }
}

/**
 * Zhu & Gupta's gradual pruning schedule: sparsity s(t) = final + (initial − final)·(1 − (t − begin)/(end − begin))³
 * between steps `begin` and `end`, `initial` before and `final` after — fast at first, gently at the end.
 */
export function polynomialSparsity(step: number, o: { initial?: number; final: number; begin: number; end: number }): number {
  const initial = o.initial ?? 0;
  if (!(o.end > o.begin)) throw new ValueError(`polynomialSparsity: end (${o.end}) must come after begin (${o.begin})`);
  if (step <= o.begin) return initial;
  if (step >= o.end) return o.final;
  return o.final + (initial - o.final) * (1 - (step - o.begin) / (o.end - o.begin)) ** 3;
}

/**
 * Structured pruning: removes `amount` of `conv`'s output channels, those whose filters have the smallest
 * L1 norms, with their biases and `next`'s matching inputs (a Conv2d's input channels, or the columns of
 * the Linear after a flatten: inFeatures / outChannels of them per channel); both layers are replaced in
 * `root` by smaller ones. Returns the channels kept. Between the two only per-channel, parameter-free layers
 * (ReLU, pooling, flatten) may stand: a BatchNorm there would need its statistics cut too (not supported).
 */
export async function pruneConvChannels(root: Module, conv: Conv2d, next: Conv2d | Linear, options: { amount: number }): Promise<{ kept: number[]; conv: Conv2d; next: Conv2d | Linear }> {
  checkOptions('pruneConvChannels', options, { amount: UNIT_INTERVAL });
  const amount = checkNumber('pruneConvChannels', 'amount', options.amount, UNIT_INTERVAL);
  if ((conv.options.groups ?? 1) !== 1) throw new ValueError(`pruneConvChannels: ${conv.name} is grouped (groups ${conv.options.groups}); only groups = 1`);
  if (conv.pruningMask('weight') || next.pruningMask('weight')) throw new ValueError('pruneConvChannels: remove the unstructured masks first (removeMasks)');
  const channels = conv.outChannels;
  const perChannel = next instanceof Conv2d ? 1 : next.inFeatures / channels;
  if (next instanceof Conv2d ? next.inChannels !== channels || (next.options.groups ?? 1) !== 1 : !Number.isInteger(perChannel))
    throw new ShapeError(`pruneConvChannels: ${next instanceof Conv2d ? next.name : `Linear(${next.inFeatures}, ${next.outFeatures})`} does not take ${conv.name}'s ${channels} channels as its input`);
  const keep = Math.max(1, channels - Math.round(amount * channels));
  const w = (await conv.weight.data()) as Float32Array;
  const size = w.length / channels;
  const norms = Array.from({ length: channels }, (_, c) => w.subarray(c * size, (c + 1) * size).reduce((s, v) => s + Math.abs(v), 0));
  const kept = norms.map((n, c) => [n, c]).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, keep).map(([, c]) => c).sort((a, b) => a - b);

  const rows = (values: Float32Array, rowSize: number) => Float32Array.from(kept.flatMap((c) => Array.from(values.subarray(c * rowSize, (c + 1) * rowSize))));
  const { stride, padding, dilation } = conv.options;
  const smaller = new Conv2d(conv.inChannels, keep, conv.kernelSize, { stride, padding, dilation, bias: conv.bias !== null });
  smaller.weight.assign(tensor(rows(w, size), [keep, conv.inChannels, ...conv.kernelSize]));
  if (conv.bias && smaller.bias) smaller.bias.assign(tensor(rows((await conv.bias.data()) as Float32Array, 1), [keep]));

  // the next layer's inputs: [out, channels, ...] → [out, kept, ...] (for a Linear, `perChannel` columns per channel)
  const nw = (await next.weight.data()) as Float32Array;
  const outs = next.weight.shape[0];
  const inner = next instanceof Conv2d ? next.kernelSize[0] * next.kernelSize[1] : perChannel;
  const cut = new Float32Array(outs * keep * inner);
  for (let o = 0; o < outs; o++) kept.forEach((c, j) => cut.set(nw.subarray((o * channels + c) * inner, (o * channels + c + 1) * inner), (o * keep + j) * inner));
  let nextSmaller: Conv2d | Linear;
  if (next instanceof Conv2d) {
    const o = next.options;
    nextSmaller = new Conv2d(keep, next.outChannels, next.kernelSize, { stride: o.stride, padding: o.padding, dilation: o.dilation, bias: next.bias !== null });
    nextSmaller.weight.assign(tensor(cut, [outs, keep, ...next.kernelSize]));
  } else {
    nextSmaller = new Linear(keep * perChannel, next.outFeatures, { bias: next.bias !== null });
    nextSmaller.weight.assign(tensor(cut, [outs, keep * perChannel]));
  }
  if (next.bias && nextSmaller.bias) nextSmaller.bias.assign(next.bias);
  nextSmaller.train(next.training);
  smaller.train(conv.training);
  replaceModules(root, (m) => (m === conv ? smaller : m === next ? nextSmaller : null));
  return { kept, conv: smaller, next: nextSmaller };
}

/**
 * Rebuilds the Linear and Conv2d layers of `module` whose weights are smaller in `shapes` (state key →
 * shape, e.g. a checkpoint of a model after pruneConvChannels) as layers of those sizes, so the state
 * loads; a larger or differently shaped kernel is refused.
 */
export function shrinkToState(module: Module, shapes: Record<string, readonly number[]>): void {
  const swaps = new Map<Module, Module>();
  for (const e of module.stateEntries()) {
    const part = e.parts.length === 1 ? e.parts[0] : undefined;
    const want = shapes[e.key];
    const layer = part?.owner;
    if (!want || !layer || !isTarget(layer) || part.name !== 'weight') continue;
    const have = layer.weight.shape;
    if (want.length === have.length && want.every((d, i) => d === have[i])) continue;
    const fits = want.length === have.length && want[0] <= have[0] && want[1] <= have[1] && want.slice(2).every((d, i) => d === have[i + 2]);
    if (!fits) throw new ShapeError(`shrinkToState: ${e.key} has shape [${want.join(', ')}], which is not a pruned [${have.join(', ')}]`);
    const bias = layer.bias !== null;
    swaps.set(layer, layer instanceof Conv2d
      ? new Conv2d(want[1], want[0], layer.kernelSize, { stride: layer.options.stride, padding: layer.options.padding, dilation: layer.options.dilation, bias })
      : new Linear(want[1], want[0], { bias }));
  }
  if (swaps.size) replaceModules(module, (m) => swaps.get(m) ?? null);
}
