// Whole training steps, ours next to TF.js: the correctness gate (same weights, same data: the same
// losses over the first steps), then ms/step in alternating rounds, with submits and dispatches per step
// and the CPU time of the synchronous part of a step (graph, autograd, optimizer, plan lookup, encoding,
// submit), which is what a dispatch costs the CPU. Browser-safe.
import * as sg from '../src/index.js';
import { median, newEntry, timeAlternating, type BenchContext, type CaseResult, type Contestant } from './harness.js';
import type { Tf } from './peer-tfjs.js';

type TfScalar = import('@tensorflow/tfjs').Scalar;

export interface StepCaseSpec {
  family: string;
  case: string;
  /** FLOPs of one step's matmuls/convs (0: show ms only). */
  flops: number;
  /** The synchronous part of our step; returns the (lazy) loss. */
  ours: () => sg.Tensor;
  /** Builds TF.js's copy of the model; returns the synchronous part of its step (minimize), returning the loss. */
  peer?: (tf: Tf) => Promise<{ step: () => TfScalar; dispose: () => void }>;
  /** Relative tolerance of the loss comparison. */
  rtol: number;
}

export async function runStepCase(ctx: BenchContext, s: StepCaseSpec): Promise<CaseResult> {
  const result: CaseResult = { family: s.family, case: s.case, flops: s.flops, entries: [] };
  const ours = newEntry('shadergrad step');
  result.entries.push(ours);
  const cpu = { ours: [] as number[], peer: [] as number[] };
  const ourStep = async (record: boolean) => {
    const t0 = performance.now();
    const loss = s.ours();
    const dt = performance.now() - t0;
    if (record) cpu.ours.push(dt);
    return loss.item();
  };
  let peerSide: { step: () => TfScalar; dispose: () => void } | null = null;
  const peerStep = async (record: boolean) => {
    const t0 = performance.now();
    const loss = peerSide!.step();
    const dt = performance.now() - t0;
    if (record) cpu.peer.push(dt);
    const v = (await loss.data())[0];
    loss.dispose();
    return v;
  };
  try {
    if (ctx.peer && s.peer) {
      result.peer = newEntry(ctx.peer.name);
      peerSide = await s.peer(ctx.peer.tf);
      for (let k = 0; k < 3; k++) {
        const [a, b] = [await ourStep(false), await peerStep(false)];
        if (!(Math.abs(a - b) <= s.rtol * Math.max(1, Math.abs(b)))) {
          Object.assign(ours, { status: 'WRONG', note: `step ${k} loss ${a} vs TF.js ${b}` });
          break;
        }
      }
    } else {
      const a = await ourStep(false);
      if (!Number.isFinite(a)) Object.assign(ours, { status: 'WRONG', note: `loss ${a} (no peer to compare with)` });
    }
  } catch (e) {
    Object.assign(ours, { status: 'error', note: (e as Error).message.split('\n')[0] });
  }
  const contestants: Contestant[] = [];
  let counts = { submits: NaN, dispatches: NaN };
  if (ours.status === 'ok') {
    const before = sg.stats();
    await ourStep(false);
    const after = sg.stats();
    counts = { submits: after.submits - before.submits, dispatches: after.dispatches - before.dispatches };
    ours.note = `${counts.submits} submits per step (the step and the loss readback)`;
    contestants.push({ name: ours.name, run: async (reps) => { for (let i = 0; i < reps; i++) await ourStep(true); return {}; } });
  }
  if (peerSide && result.peer) contestants.push({ name: result.peer.name, run: async (reps) => { for (let i = 0; i < reps; i++) await peerStep(true); return {}; } });
  try {
    await timeAlternating(ctx, contestants, [ours, ...(result.peer ? [result.peer] : [])]);
  } finally {
    peerSide?.dispose();
  }
  if (ours.status === 'ok') {
    const cpuMs = median(cpu.ours);
    ours.step = { ...counts, cpuMs, cpuUsPerDispatch: (1000 * cpuMs) / counts.dispatches };
  }
  if (result.peer && cpu.peer.length) result.peer.step = { submits: NaN, dispatches: NaN, cpuMs: median(cpu.peer), cpuUsPerDispatch: NaN };
  return result;
}
