// What a plan checks on the GPU, read back with the plan: the range check of indices computed on the GPU
// (kernels/checks.ts, words 0..3 of the plan's checks buffer) and, in anomaly mode, a NaN/Inf word per
// checked buffer. The executor copies the words to a mappable buffer in the plan's own submit; they are
// read when they land. A realization is synchronous (an optimizer step needs no await), so a failed check
// is thrown by the next readback (data(), item(): they await it), or, once it has landed, by the next
// realization (the next opt.step(), sg.realize()): never dropped.
import { IndexError } from '../core/errors.js';
import { INDEX_CHECK_WORDS, indexSiteName } from '../kernels/checks.js';
import { withTimeout } from '../runtime/readback.js';
import type { Runtime } from '../runtime/runtime.js';
import { anomalyError, type CheckedNode } from './anomaly.js';

/** One buffer anomaly mode checks: a step's output (`node`: its position in the collected graph) or an external input (`ext`). */
export interface FiniteSlot {
  node?: number;
  ext?: number;
  /** The slots (indices into PlanChecks.finite) of the checked buffers this step read. */
  inputs: number[];
  /** False for a node made from no inputs (a constant, arange): an infinity there is intended. */
  hasInputs: boolean;
}

export interface PlanChecks {
  /** Some kernel of the plan range-checks indices computed on the GPU. */
  index: boolean;
  /** Anomaly mode's checked buffers, in dispatch order (word INDEX_CHECK_WORDS + k for slot k). */
  finite: FiniteSlot[];
}

export function checkBytes(c: PlanChecks): number {
  return (INDEX_CHECK_WORDS + c.finite.length) * 4;
}

interface PendingCheck {
  done: Promise<void>;
  settled: boolean;
  error: Error | null;
}
let pending: PendingCheck[] = [];

/**
 * Encodes the copy of a plan's checks words into a mappable buffer; call the returned function after the
 * submit (a buffer may not be mapped while queued work uses it). `nodes[k]` describes slot k's node (null: an external input).
 */
export function copyChecks(rt: Runtime, encoder: GPUCommandEncoder, checksBuffer: GPUBuffer, checks: PlanChecks, nodes: (CheckedNode | null)[]): () => void {
  const bytes = checkBytes(checks);
  const staging = rt.device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'plan checks' });
  encoder.copyBufferToBuffer(checksBuffer, 0, staging, 0, bytes);
  return () => {
    const entry: PendingCheck = { done: Promise.resolve(), settled: false, error: null };
    entry.done = staging
      .mapAsync(GPUMapMode.READ)
      .then(
        () => void (entry.error = interpret(new Uint32Array(staging.getMappedRange().slice(0)), checks, nodes)),
        () => undefined, // the device was lost or destroyed: that is reported by its own error
      )
      .finally(() => {
        entry.settled = true;
        staging.destroy();
      });
    pending = pending.filter((p) => !p.settled || p.error);
    pending.push(entry);
  };
}

/** Throws the error of a check that has already landed (the next realization after a failed step). */
export function throwLandedCheck(): void {
  const i = pending.findIndex((p) => p.settled && p.error);
  if (i < 0) return;
  const { error } = pending[i];
  pending.splice(i, 1);
  throw error;
}

/** Waits for every check submitted so far and throws the first failure (readbacks call it). */
export async function awaitChecks(rt: Runtime): Promise<void> {
  const all = pending;
  pending = [];
  if (all.length === 0) return;
  await withTimeout(Promise.all(all.map((p) => p.done)), rt, 'reading the GPU checks of a plan');
  const failed = all.find((p) => p.error);
  if (failed) throw failed.error;
}

/** Forgets the checks of a destroyed runtime. */
export function dropChecks(): void {
  pending = [];
}

function interpret(words: Uint32Array, checks: PlanChecks, nodes: (CheckedNode | null)[]): Error | null {
  if (checks.index && words[0] > 0)
    return new IndexError(`${indexSiteName(words[1])} ${words[2] | 0} (computed on the GPU) is outside [0, ${words[3]}); the kernel wrote 0 in its place`);
  const bits = (k: number) => words[INDEX_CHECK_WORDS + k];
  for (let k = 0; k < checks.finite.length; k++) {
    const node = nodes[k];
    const b = bits(k);
    if (!node || !b) continue;
    const { inputs, hasInputs } = checks.finite[k];
    // the first NaN no node before made (a NaN read from an earlier tensor is named at its first reader)
    if (b & 1 && !inputs.some((j) => nodes[j] && bits(j) & 1)) {
      const fromLeaf = inputs.some((j) => !nodes[j] && bits(j) & 1);
      return anomalyError(node, 'NaN', fromLeaf ? ' (an input already held NaN: a tensor realized earlier or made from host data)' : '');
    }
    if (b & 2 && hasInputs && !inputs.some((j) => bits(j))) return anomalyError(node, 'Inf');
  }
  return null;
}
