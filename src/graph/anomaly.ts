// Anomaly mode (PyTorch's torch.autograd.set_detect_anomaly): while on, every op records its name and the
// JS stack of the call that recorded it on its node, plans give every node its own output (no fusion) and
// check it for NaN and ±Inf on the GPU (kernels/checks.ts), and the readback names the first op that made
// one (graph/checks.ts). Off (the default) nothing is recorded and plans are unchanged.
import { AnomalyError, ValueError } from '../core/errors.js';
import { shapeStr } from '../core/shape.js';
import type { LazyNode, NodeLabel } from './node.js';

let on = false;
/** While backward() runs a gradient rule: the forward op it belongs to. */
let backwardOf: NodeLabel['gradOf'];

/** `sg.detectAnomaly(mode?)`: sets the mode when given a boolean; returns the mode now in force. */
export function detectAnomaly(mode?: unknown): boolean {
  if (mode !== undefined) {
    if (typeof mode !== 'boolean') throw new ValueError(`detectAnomaly: mode must be true or false (or nothing, to ask), got ${typeof mode} ${String(mode)}`);
    on = mode;
  }
  return on;
}

export function anomalyMode(): boolean {
  return on;
}

/** Names the op that made `node` (first name wins: a view op re-wrapping its input's node does not rename it). */
export function labelNode(node: LazyNode, op: string, inputs: readonly LazyNode[] = []): void {
  if (!on || node.label || node.storage || inputs.includes(node)) return;
  node.label = { op, stack: captureStack(), ...(backwardOf ? { gradOf: backwardOf } : {}) };
}

/** Runs a gradient rule of backward(): ops it records are labelled as part of `op`'s gradient. */
export function inBackwardOf<T>(op: string, forward: LazyNode, fn: () => T): T {
  if (!on) return fn();
  const prev = backwardOf;
  backwardOf = { op, stack: forward.label?.stack };
  try {
    return fn();
  } finally {
    backwardOf = prev;
  }
}

/** Never thrown: only its `stack` is read (where an op was recorded). */
class RecordingSite extends Error {}

function captureStack(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 64; // op calls nest deeply (composites of composites) before the caller's frame
  const stack = new RecordingSite().stack ?? '';
  Error.stackTraceLimit = limit;
  return stack;
}

// This library's own frames are left out of the recording sites: the file (a bundle) or the src/ folder this module is in.
const ownFile = /([^\s()]+):\d+:\d+\)?\s*$/.exec(new RecordingSite().stack?.split('\n').find((l) => /^\s+at /.test(l)) ?? '')?.[1] ?? '';
const ownRoot = ownFile.replace(/graph[/\\]anomaly\.[cm]?[jt]s$/, '');

/**
 * The caller's frames of a recorded stack (up to 4): outside this library, and outside installed packages
 * (a test runner, a framework) when any are left; all frames when none are.
 */
export function recordingSite(stack: string | undefined): string {
  if (!stack) return '    (not recorded: anomaly mode was off when the op was recorded)';
  const frames = stack.split('\n').filter((l) => /^\s+at /.test(l));
  const outside = frames.filter((l) => !(ownRoot && l.includes(ownRoot)) && !l.includes('node:internal'));
  const user = outside.filter((l) => !/[/\\]node_modules[/\\]|\(<anonymous>\)/.test(l));
  return (user.length ? user : outside.length ? outside : frames).slice(0, 4).join('\n');
}

/** What a readback needs of a checked node (its label and shape), kept without the node (and its buffers). */
export interface CheckedNode {
  label: NodeLabel | null;
  shape: number[];
  /** Without a label (an op recorded with the mode off, or an engine-internal node): how it is computed. */
  how: string;
}

export function checkedNode(n: LazyNode): CheckedNode {
  const k = n.kind;
  const how = k.type === 'elementwise' ? `elementwise ${k.expr}` : k.type === 'leaf' ? 'leaf' : `kernel ${k.cacheKey}`;
  return { label: n.label, shape: [...n.shape], how };
}

/** The error for the first op whose output held NaN, or ±Inf from finite inputs. */
export function anomalyError(c: CheckedNode, found: 'NaN' | 'Inf', note = ''): AnomalyError {
  const op = c.label?.op ?? `(unnamed: ${c.how})`;
  const what = found === 'NaN' ? 'NaN' : '±Inf from finite inputs';
  const gradOf = c.label?.gradOf;
  const part = gradOf ? ` in the backward pass (part of the gradient of '${gradOf.op}')` : '';
  let msg = `anomaly mode: op '${op}'${part} produced ${what} in its output of shape ${shapeStr(c.shape)}${note}.\n`;
  if (gradOf) msg += `The forward '${gradOf.op}' was recorded at:\n${recordingSite(gradOf.stack)}\nThis backward op was recorded at:\n`;
  else msg += 'It was recorded at:\n';
  msg += recordingSite(c.label?.stack);
  return new AnomalyError(msg, op, c.shape, found, gradOf?.op);
}
