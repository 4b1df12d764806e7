// The planner: from the pending subgraph behind some target nodes, a Plan — the ordered dispatches of
// one realization, with elementwise chains fused into single kernels and intermediates sharing buffers
// by liveness. A plan depends only on the graph's structure, so it is cached and replayed step after step.
import { elementwiseKernel, type FusedInput } from '../kernels/elementwise.js';
import type { AdapterCaps, KernelSpec } from '../kernels/types.js';
import { bucketSize } from '../runtime/buffers.js';
import { InternalError, StaleTensorError } from '../core/errors.js';
import { BYTES_PER_ELEMENT } from '../core/dtype.js';
import { INDEX_CHECK_WORDS, finiteCheckKernel, usesIndexCheck } from '../kernels/checks.js';
import type { FiniteSlot, PlanChecks } from './checks.js';
import { isContiguous, type BindRef, type LazyNode, type Source, type Storage } from './node.js';

/** Where a dispatch finds a buffer at execution time. */
export type BufferRef =
  | { ext: number } //      an already-realized node's storage (or a storage written in place)
  | { slot: number } //     an arena buffer owned by the plan
  | { out: number } //      the storage made for target number `out`
  | { checks: true }; //    the plan's checks buffer (graph/checks.ts)

export interface PlannedDispatch {
  spec: KernelSpec;
  buffers: BufferRef[];
  /** Position (in the collected graph) of the node whose `dynamicParams` feed this dispatch's uniform. */
  dynamicFrom?: number;
  /** Nothing to do (an empty tensor): kept so positions stay stable, skipped when encoding. */
  empty: boolean;
}

export interface Plan {
  key: string;
  dispatches: PlannedDispatch[];
  /** Byte sizes of the arena slots. */
  slotBytes: number[];
  /** Byte sizes of the target outputs. */
  outBytes: number[];
  /** What the plan checks on the GPU and reads back with it; null (no buffer, no readback) for most plans. */
  checks: PlanChecks | null;
}

/** The pending subgraph in a deterministic order, with its external storages. */
export interface CollectedGraph {
  order: LazyNode[]; //      unrealized nodes, inputs before users
  externals: Storage[]; //   realized storages read or written, in first-use order
  extIndex: Map<Storage, number>;
  position: Map<LazyNode, number>;
  key: string;
}

export function collect(targets: LazyNode[], effects: LazyNode[]): CollectedGraph {
  const order: LazyNode[] = [];
  const position = new Map<LazyNode, number>();
  const externals: Storage[] = [];
  const extIndex = new Map<Storage, number>();
  const keyParts: string[] = [];
  const addExternal = (s: Storage) => {
    if (!extIndex.has(s)) extIndex.set(s, externals.push(s) - 1);
    return extIndex.get(s)!;
  };
  const visited = new Set<LazyNode>();
  // iterative post-order DFS: deep graphs (long RNN unrolls) must not overflow the JS stack
  const visit = (root: LazyNode) => {
    const stack: Array<[LazyNode, number]> = [[root, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [node, i] = top;
      if (i === 0 && (visited.has(node) || node.storage)) {
        stack.pop();
        if (node.storage && !visited.has(node)) {
          visited.add(node);
          if (node.storage.disposed) throw new StaleTensorError(`a tensor of shape [${node.shape}] was disposed but is still used`);
          if (node.version !== node.storage.version)
            throw new StaleTensorError(
              `a pending tensor reads a tensor of shape [${node.shape}] that an in-place update (optimizer step) has changed since; ` +
                'realize it before the update (sg.realize(t) or await t.data()) or compute it again',
            );
          addExternal(node.storage);
        }
        continue;
      }
      if (i < node.inputs.length) {
        top[1] = i + 1;
        const child = node.inputs[i].node;
        if (!visited.has(child)) stack.push([child, 0]);
        continue;
      }
      stack.pop();
      visited.add(node);
      position.set(node, order.length);
      order.push(node);
    }
  };
  for (const t of targets) visit(t);
  for (const e of effects) visit(e);
  for (const e of effects) if (e.kind.type === 'effect') for (const s of e.kind.writes) addExternal(s);

  const ref = (src: Source) => {
    const n = src.node;
    const where = n.storage ? `e${extIndex.get(n.storage)}` : `n${position.get(n)}`;
    return `${where}${viewKey(src)}`;
  };
  for (const n of order) {
    const k = n.kind;
    const how = k.type === 'elementwise' ? `ew(${k.expr})` : k.type === 'kernel' ? `k(${k.cacheKey})` : k.type === 'effect' ? `fx(${k.cacheKey};${k.writes.map((s) => extIndex.get(s))})` : 'leaf';
    keyParts.push(`${how}:${n.dtype}[${n.shape}]<${n.inputs.map(ref).join(',')}>`);
  }
  keyParts.push(`T:${targets.map((t) => (t.storage ? `e${extIndex.get(t.storage)}` : position.get(t))).join(',')}`);
  keyParts.push(`E:${externals.map((s) => s.bytes).join(',')}`);
  return { order, externals, extIndex, position, key: keyParts.join(';') };
}

function viewKey(src: Source): string {
  const v = src.view;
  return `{${v.shape}|${v.strides}|${v.offset}}`;
}

/**
 * True when `src` reads its node exactly as laid out, at the consumer's own element index. The node's own
 * shape must match too: an inlined node computes its inputs' offsets from the consumer's coordinates, so a
 * reshaped read ([1, B, N] seen as [B, N]) would name coordinates the consumer does not have.
 */
function readsInPlace(src: Source, consumerShape: number[]): boolean {
  const v = src.view;
  return v.offset === 0 && isContiguous(v) && v.shape.length === consumerShape.length && v.shape.every((d, i) => d === consumerShape[i]) && src.node.shape.length === v.shape.length && src.node.shape.every((d, i) => d === v.shape[i]);
}

/** The plan of a collected graph; `anomaly` (sg.detectAnomaly) plans every node unfused and checks its output for NaN/Inf. */
export function buildPlan(g: CollectedGraph, targets: LazyNode[], caps: AdapterCaps, anomaly = false): Plan {
  const { order, position } = g;
  const isTarget = new Set(targets);
  // consumers within the plan
  const uses = new Map<LazyNode, number>();
  const hasNonElementwiseUser = new Set<LazyNode>();
  for (const n of order)
    for (const s of n.inputs)
      if (!s.node.storage) {
        uses.set(s.node, (uses.get(s.node) ?? 0) + 1);
        if (n.kind.type !== 'elementwise') hasNonElementwiseUser.add(s.node);
      }

  // anomaly mode checks every node's own output: nothing is fused away
  const inlined = anomaly ? new Set<LazyNode>() : chooseInlined(order, isTarget, uses, hasNonElementwiseUser, caps);
  const steps = order.filter((n) => !inlined.has(n));
  // effects (in-place updates) run after every read of the old values: they go last
  steps.sort((a, b) => Number(a.kind.type === 'effect') - Number(b.kind.type === 'effect'));

  // Liveness: a step's output lives until its last reader step.
  const stepOf = new Map<LazyNode, number>();
  steps.forEach((n, i) => stepOf.set(n, i));
  const lastUse = new Map<LazyNode, number>();
  // each node once, even when read twice (x * x): freeing its slot twice would hand it out twice
  const readersOf = (n: LazyNode): LazyNode[] => [...new Set((n.kind.type === 'elementwise' ? fusedLeaves(n, inlined) : n.inputs).map((s) => s.node))];
  steps.forEach((n, i) => {
    for (const r of readersOf(n)) if (!r.storage) lastUse.set(r, i);
  });

  // Arena: greedy reuse of free slots of the same bucketed size.
  const slotBytes: number[] = [];
  const freeSlots = new Map<number, number[]>();
  const slotOf = new Map<LazyNode, number>();
  const outIndex = new Map<LazyNode, number>();
  targets.forEach((t, i) => outIndex.set(t, i));
  const takeSlot = (bytes: number) => {
    const size = bucketSize(bytes);
    const list = freeSlots.get(size);
    if (list?.length) return list.pop()!;
    return slotBytes.push(size) - 1;
  };
  const giveSlot = (slot: number) => {
    const size = slotBytes[slot];
    if (!freeSlots.has(size)) freeSlots.set(size, []);
    freeSlots.get(size)!.push(slot);
  };
  const bufferOf = (n: LazyNode): BufferRef => {
    if (n.storage) return { ext: g.extIndex.get(n.storage)! };
    if (outIndex.has(n)) return { out: outIndex.get(n)! };
    return { slot: slotOf.get(n)! };
  };

  const dispatches: PlannedDispatch[] = [];
  // Checks (graph/checks.ts): the index check's words when a kernel binds them; in anomaly mode, a NaN/Inf
  // check of every step's float output right after the step, with the slots of the checked buffers it read.
  let indexChecked = false;
  const finite: FiniteSlot[] = [];
  const finiteSlotOf = new Map<LazyNode | Storage, number>();
  const readKey = (r: LazyNode): LazyNode | Storage => r.storage ?? r;
  const addFiniteCheck = (key: LazyNode | Storage, buffer: BufferRef, size: number, at: { node: number } | { ext: number }, reads: Array<LazyNode | Storage>, hasInputs: boolean) => {
    const inputs = reads.flatMap((r) => (finiteSlotOf.has(r) ? [finiteSlotOf.get(r)!] : []));
    finiteSlotOf.set(key, finite.push({ ...at, inputs, hasInputs }) - 1);
    dispatches.push({ spec: finiteCheckKernel(size, INDEX_CHECK_WORDS + finite.length - 1, caps), buffers: [buffer, { checks: true }], empty: size === 0 });
  };
  if (anomaly) {
    // the float inputs the plan reads (and the parameters its updates rewrite) first: a step can then tell
    // a NaN it made from one it read
    const seen = new Set<Storage>();
    for (const n of steps) {
      const read = readersOf(n).flatMap((r) => (r.storage && r.dtype === 'float32' ? [r.storage] : []));
      for (const st of [...read, ...(n.kind.type === 'effect' ? n.kind.writes.slice(0, 1) : [])]) {
        if (seen.has(st)) continue;
        seen.add(st);
        const ext = g.extIndex.get(st)!;
        addFiniteCheck(st, { ext }, st.bytes / 4, { ext }, [], false);
      }
    }
  }
  steps.forEach((n, i) => {
    const bytes = n.size * BYTES_PER_ELEMENT[n.dtype];
    if (n.kind.type !== 'effect' && !outIndex.has(n)) slotOf.set(n, takeSlot(bytes));
    if (n.kind.type === 'elementwise') {
      const { spec, sources } = fuse(n, inlined, caps);
      const checks = usesIndexCheck(spec.code);
      indexChecked ||= checks;
      dispatches.push({ spec, buffers: [...sources.map((s) => bufferOf(s.node)), bufferOf(n), ...(checks ? [{ checks: true as const }] : [])], empty: n.size === 0 });
    } else if (n.kind.type === 'kernel' || n.kind.type === 'effect') {
      const scratch = n.scratchBytes.map((b) => takeSlot(b));
      const writes = n.kind.type === 'effect' ? n.kind.writes : [];
      for (const d of n.kind.build(n, caps)) {
        const buffers = d.bind.map((b: BindRef): BufferRef => {
          if ('input' in b) return bufferOf(n.inputs[b.input].node);
          if ('scratch' in b) return { slot: scratch[b.scratch] };
          if ('written' in b) return { ext: g.extIndex.get(writes[b.written])! };
          if ('checks' in b) {
            indexChecked = true;
            return { checks: true };
          }
          return bufferOf(n);
        });
        const empty = d.spec.workgroups.some((w) => w === 0);
        dispatches.push({ spec: d.spec, buffers, empty, dynamicFrom: n.dynamicParams ? position.get(n) : undefined });
      }
      scratch.forEach(giveSlot);
    }
    if (anomaly && n.kind.type === 'effect') {
      const param = n.kind.writes[0];
      addFiniteCheck(n, { ext: g.extIndex.get(param)! }, param.bytes / 4, { node: position.get(n)! }, [...readersOf(n).map(readKey), param], true);
    } else if (anomaly && n.dtype === 'float32') addFiniteCheck(n, bufferOf(n), n.size, { node: position.get(n)! }, readersOf(n).map(readKey), n.inputs.length > 0);
    // free the slots of inputs whose last reader was this step
    for (const r of readersOf(n)) if (!r.storage && lastUse.get(r) === i && slotOf.has(r)) giveSlot(slotOf.get(r)!);
  });
  const checks = indexChecked || finite.length ? { index: indexChecked, finite } : null;
  return { key: g.key, dispatches, slotBytes, outBytes: targets.map((t) => t.size * BYTES_PER_ELEMENT[t.dtype]), checks };
}

/**
 * Fusion: an elementwise node read by exactly one elementwise consumer, element for element, is inlined.
 * A fused kernel binds each external input plus its output (and the checks buffer when it range-checks
 * an index): keep within the device's storage-buffer limit (long sums, such as a recurrent weight's
 * gradient over T timesteps, would exceed it).
 */
function chooseInlined(order: LazyNode[], isTarget: Set<LazyNode>, uses: Map<LazyNode, number>, hasNonElementwiseUser: Set<LazyNode>, caps: AdapterCaps): Set<LazyNode> {
  // a constant (no inputs, no coordinates) costs nothing to recompute: inline it into every reader
  const isConstant = (p: LazyNode) => p.kind.type === 'elementwise' && p.inputs.length === 0 && !/\$c\d|\$idx/.test(p.kind.expr);
  const ownBindings = (p: LazyNode) => p.inputs.length + (p.kind.type === 'elementwise' && usesIndexCheck(p.kind.expr) ? 1 : 0);
  const maxFusedInputs = caps.maxStorageBuffersPerShaderStage - 1;
  const inlined = new Set<LazyNode>();
  const leafCount = new Map<LazyNode, number>(); // external inputs of the group rooted at a node (duplicates counted)
  for (const n of order) {
    if (n.kind.type !== 'elementwise') continue;
    let count = ownBindings(n);
    for (const s of n.inputs) {
      const p = s.node;
      if (p.storage || p.kind.type !== 'elementwise' || isTarget.has(p)) continue;
      const extra = (leafCount.get(p) ?? ownBindings(p)) - 1;
      if (count + extra > maxFusedInputs) continue;
      if ((uses.get(p) === 1 && readsInPlace(s, n.shape)) || (isConstant(p) && !hasNonElementwiseUser.has(p))) {
        inlined.add(p);
        count += extra;
      }
    }
    leafCount.set(n, count);
  }
  return inlined;
}

/** The external (non-inlined) sources of a fused group rooted at `root`. */
function fusedLeaves(root: LazyNode, inlined: Set<LazyNode>): Source[] {
  const out: Source[] = [];
  const walk = (n: LazyNode) => {
    for (const s of n.inputs) {
      if (inlined.has(s.node)) walk(s.node);
      else out.push(s);
    }
  };
  walk(root);
  return out;
}

/** WGSL for a fused group: inputs deduplicated by (node, view), one `let` per inlined node. */
function fuse(root: LazyNode, inlined: Set<LazyNode>, caps: AdapterCaps): { spec: KernelSpec; sources: Source[] } {
  const sources: Source[] = [];
  const inputs: FusedInput[] = [];
  const sourceIndex = new Map<string, number>();
  const exprs: string[] = [];
  const exprOf = new Map<LazyNode, string>();
  const nameOf = (s: Source): string => {
    if (inlined.has(s.node)) return emit(s.node);
    const key = `${s.node.id}${viewKey(s)}`;
    if (!sourceIndex.has(key)) {
      sourceIndex.set(key, sources.push(s) - 1);
      inputs.push({ dtype: s.node.dtype, strides: s.view.strides, offset: s.view.offset });
    }
    return `$in${sourceIndex.get(key)}`;
  };
  const emit = (n: LazyNode): string => {
    const done = exprOf.get(n);
    if (done) return done;
    if (n.kind.type !== 'elementwise') throw new InternalError('fuse: not elementwise');
    const args = n.inputs.map(nameOf);
    const e = n.kind.expr.replace(/\$(\d+)/g, (_, k: string) => args[Number(k)]);
    const name = `$t${exprs.push(e) - 1}`;
    exprOf.set(n, name);
    return name;
  };
  emit(root);
  const spec = elementwiseKernel({ shape: root.shape, outDtype: root.dtype, inputs, exprs }, caps);
  return { spec, sources };
}

