// A bench case timed through the public API (runGraphCase): validated against its CPU reference, then
// ours and TF.js's timed in alternating rounds. Our contestant realizes a lazy tensor `reps` times
// (one plan, one submit each; the plan is cached after the first) and then waits for the last one, as
// TF.js's side runs its op `reps` times and waits on the last result. Browser-safe (no Node imports).
import * as sg from '../src/index.js';
import type { Tf } from './peer-tfjs.js';
import { newEntry, timeAlternating, type BenchContext, type CaseResult, type Contestant, type Entry } from './harness.js';

type TfTensor = import('@tensorflow/tfjs').Tensor;

/** First element where |got - want| > atol + rtol*|want| (NaN never matches), as a reason; undefined when all match. */
export function firstMismatch(got: ArrayLike<number>, want: ArrayLike<number>, rtol = 1e-4, atol = 1e-6): string | undefined {
  if (got.length !== want.length) return `length ${got.length}, want ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= atol + rtol * Math.abs(want[i]))) return `out[${i}] = ${got[i]}, want ${Number(want[i]).toPrecision(7)}`;
  }
  return undefined;
}

/** Reads a few elements only: the waits must not time a large readback (both sides do the same). */
async function waitFor(t: sg.Tensor): Promise<void> {
  const flat = t.reshape([t.size]);
  const head = flat.slice([0], [Math.min(4, t.size)]);
  await head.data();
  head.dispose();
}

/** Our side: `make()` builds the lazy result; each rep realizes it (one submit). Dispatches per realization land in `entry.note`. */
export async function ourGraphContestant(name: string, make: () => sg.Tensor, entry: Entry): Promise<Contestant> {
  const before = sg.stats();
  const y = make();
  sg.realize(y);
  const after = sg.stats();
  await waitFor(y);
  y.dispose();
  const dispatches = after.dispatches - before.dispatches;
  entry.note = `${dispatches} dispatch${dispatches === 1 ? '' : 'es'} per op`;
  return {
    name,
    async run(reps) {
      let last: sg.Tensor | null = null;
      for (let i = 0; i < reps; i++) {
        const y = make();
        sg.realize(y);
        // later submits are queued after this one, so its buffer may go back to the pool now
        last?.dispose();
        last = y;
      }
      await waitFor(last!);
      last!.dispose();
      return {};
    },
  };
}

/** TF.js's side of the same op: `reps` calls, dispose all but the last, wait on a few elements of it. */
export function tfContestant(tf: Tf, name: string, make: () => TfTensor): Contestant {
  return {
    name,
    async run(reps) {
      let last: TfTensor | null = null;
      for (let i = 0; i < reps; i++) {
        const y = make();
        last?.dispose();
        last = y;
      }
      const head = tf.slice(tf.reshape(last!, [-1]), 0, Math.min(4, last!.size));
      await head.data();
      tf.dispose([head, last!]);
      return {};
    },
  };
}

/** Full output of one TF.js call, for the correctness gate. */
export async function tfValues(tf: Tf, make: () => TfTensor): Promise<Float32Array | Int32Array> {
  const y = make();
  const v = (await y.data()) as Float32Array | Int32Array;
  tf.dispose(y);
  return v;
}

export interface GraphCase {
  family: string;
  case: string;
  /** Minimum bytes moved by one op (each input read once, each output written once). */
  bytes: number;
  flops?: number;
  /** The kernel variant that runs (`*` marks the default choice); families with one variant name it anyway. */
  variant: string;
  /** Builds our lazy result from inputs the family made. */
  ours: () => sg.Tensor;
  /** Float64 (or index) CPU reference of the whole output. */
  want: ArrayLike<number>;
  rtol?: number;
  atol?: number;
  /** TF.js's same op on the same values: `make` is timed, `dispose` frees its inputs. */
  peer?: (tf: Tf) => { make: () => TfTensor; dispose: () => void };
}

/** Validates ours (and TF.js's) against the CPU reference, then times both in alternating rounds. */
export async function runGraphCase(ctx: BenchContext, g: GraphCase): Promise<CaseResult> {
  const result: CaseResult = { family: g.family, case: g.case, flops: g.flops ?? 0, bytes: g.bytes, entries: [] };
  const ours = newEntry(g.variant);
  result.entries.push(ours);
  const contestants: Contestant[] = [];
  try {
    const y = g.ours();
    const got = await y.data();
    y.dispose();
    const wrong = firstMismatch(got, g.want, g.rtol, g.atol);
    if (wrong) Object.assign(ours, { status: 'WRONG', note: wrong });
    else contestants.push(await ourGraphContestant(g.variant, g.ours, ours));
  } catch (e) {
    Object.assign(ours, { status: 'error', note: (e as Error).message.split('\n')[0] });
  }
  let peerSide: { make: () => TfTensor; dispose: () => void } | null = null;
  if (ctx.peer && g.peer) {
    const { tf, name } = ctx.peer;
    result.peer = newEntry(name);
    try {
      peerSide = g.peer(tf);
      const wrong = firstMismatch(await tfValues(tf, peerSide.make), g.want, g.rtol, g.atol);
      if (wrong) Object.assign(result.peer, { status: 'WRONG', note: wrong });
      else contestants.push(tfContestant(tf, name, peerSide.make));
    } catch (e) {
      Object.assign(result.peer, { status: 'error', note: (e as Error).message.split('\n')[0] });
    }
  } else if (ctx.peer) {
    result.peer = newEntry(ctx.peer.name, 'unsupported', 'TF.js has no such op');
  }
  try {
    await timeAlternating(ctx, contestants, [ours, ...(result.peer ? [result.peer] : [])]);
  } finally {
    peerSide?.dispose();
  }
  return result;
}
