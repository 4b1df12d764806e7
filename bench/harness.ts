// The bench vocabulary: a family (one file under bench/families/) lists cases and runs one case;
// the harness times contestants in alternating rounds and summarises the samples.
import type { Runtime } from '../src/runtime/runtime.js';
import type { TfPeer } from './peer-tfjs.js';

export interface BenchOptions {
  /** Substring filters (case-insensitive); empty = everything. */
  variant?: string;
  shape?: string;
  quick: boolean;
  /** Timed samples per contestant (after warm-up). */
  rounds: number;
  /** Wall-clock budget per contestant per case; slow variants get fewer samples (at least one). */
  budgetMs: number;
  /** Target duration of one sample; fast kernels repeat inside a sample to reach it. */
  sampleMs: number;
  /** Element type of the benchmarked kernels (default f32); families without that variant report 'unsupported'. */
  dtype?: Dtype;
}

export type Dtype = 'f32' | 'f16';

export interface BenchContext {
  rt: Runtime;
  /** TensorFlow.js on the same Dawn GPU, or null with --no-peer. */
  peer: TfPeer | null;
  options: BenchOptions;
  log(line: string): void;
}

/** One timed thing: a kernel variant or the peer. `run(reps)` does the work `reps` times and waits for it. */
export interface Contestant {
  name: string;
  /** Returns GPU milliseconds for the whole sample when the device can tell (timestamp queries). */
  run(reps: number): Promise<{ gpuMs?: number }>;
  /** Times of a run(1) already done on warm pipelines (the correctness gate): then no warm-up run. */
  warm?: { wallMs: number; gpuMs?: number };
}

export type EntryStatus = 'ok' | 'WRONG' | 'unsupported' | 'skipped' | 'error';

export interface Entry {
  name: string;
  status: EntryStatus;
  /** Why it is WRONG / unsupported / error. */
  note?: string;
  /** Per-op milliseconds of each timed sample (sample time / reps). */
  wallMs: number[];
  gpuMs: number[];
  reps: number;
  /** Training-step rows: what one step costs besides time (see StepMetrics). */
  step?: StepMetrics;
}

/** Per training step: submits and dispatches counted by the runtime; CPU time of the synchronous part. */
export interface StepMetrics {
  submits: number;
  dispatches: number;
  /** Median wall milliseconds of the synchronous part of a step (graph, autograd, plan lookup, encoding, submit). */
  cpuMs: number;
  /** cpuMs / dispatches, in microseconds. */
  cpuUsPerDispatch: number;
}

export interface CaseResult {
  family: string;
  case: string;
  /** Floating-point operations of one op (2*M*N*K for a matmul); 0 where a rate means nothing (then only ms are shown). */
  flops: number;
  /** Minimum bytes one op must move (each input read once, each output written once): gives GB/s. */
  bytes?: number;
  entries: Entry[];
  /** The peer's entry (TF.js), when it ran. */
  peer?: Entry;
}

/** A kernel family: one file exporting this. `cases(quick)` is the suite; `run` checks then times one case. */
export interface BenchFamily<C extends { name: string } = { name: string }> {
  name: string;
  /** Element types it has variants for (default ['f32']); other dtypes are reported 'unsupported'. */
  dtypes?: Dtype[];
  cases(quick: boolean): C[];
  run(ctx: BenchContext, c: C): Promise<CaseResult>;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/**
 * Warms each contestant up (first-use allocations), picks a repeat count so one
 * sample lasts ~sampleMs, then times them in alternating rounds: lavapipe drifts by ±40% over seconds,
 * so interleaving keeps the comparison fair. Every contestant runs with the same `reps`.
 */
export async function timeAlternating(ctx: BenchContext, contestants: Contestant[], entries: Entry[]): Promise<void> {
  const { rounds, budgetMs, sampleMs } = ctx.options;
  if (contestants.length === 0) return;
  // One warm run each calibrates `reps`; the correctness gate's run serves when it was warm (slow
  // variants at 1024^3 take ~10 s a run on lavapipe). A contestant whose single run already exceeds
  // the budget keeps that run as its only sample.
  let fastest = Infinity;
  const single = new Map<string, number>();
  for (const c of contestants) {
    let dt = c.warm?.wallMs;
    let gpuMs = c.warm?.gpuMs;
    if (dt === undefined) {
      const t0 = performance.now();
      ({ gpuMs } = await c.run(1));
      dt = performance.now() - t0;
    }
    fastest = Math.min(fastest, dt);
    if (dt > budgetMs) {
      const entry = entries.find((e) => e.name === c.name)!;
      Object.assign(entry, { reps: 1, wallMs: [dt], gpuMs: gpuMs === undefined ? [] : [gpuMs] });
      single.set(c.name, dt);
    }
  }
  const reps = Math.max(1, Math.min(64, Math.round(sampleMs / Math.max(fastest, 1e-3))));
  const spent = new Map<string, number>(single);
  for (let round = 0; round < rounds; round++) {
    for (const c of contestants) {
      const entry = entries.find((e) => e.name === c.name)!;
      if (entry.wallMs.length > 0 && (spent.get(c.name) ?? 0) > budgetMs) continue;
      entry.reps = reps;
      const t0 = performance.now();
      const { gpuMs } = await c.run(reps);
      const dt = performance.now() - t0;
      spent.set(c.name, (spent.get(c.name) ?? 0) + dt);
      entry.wallMs.push(dt / reps);
      if (gpuMs !== undefined) entry.gpuMs.push(gpuMs / reps);
    }
  }
}

export function newEntry(name: string, status: EntryStatus = 'ok', note?: string): Entry {
  return { name, status, note, wallMs: [], gpuMs: [], reps: 0 };
}

/** A case with one 'unsupported' entry: e.g. a dtype that has no variant yet. Never a fake number. */
export function unsupportedCase(family: string, caseName: string, note: string): CaseResult {
  return { family, case: caseName, flops: 0, entries: [newEntry('-', 'unsupported', note)] };
}

/** Runs one case, or reports it 'unsupported' when the family has no variant for the requested dtype. */
export async function runCase<C extends { name: string }>(family: BenchFamily<C>, ctx: BenchContext, c: C): Promise<CaseResult> {
  const dtype = ctx.options.dtype ?? 'f32';
  if (!(family.dtypes ?? ['f32']).includes(dtype)) return unsupportedCase(family.name, c.name, `no ${dtype} variant of ${family.name} yet`);
  return family.run(ctx, c);
}

export function matches(filter: string | undefined, name: string): boolean {
  return !filter || name.toLowerCase().includes(filter.toLowerCase());
}
