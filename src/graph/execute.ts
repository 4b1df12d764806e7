// The executor: realizes target nodes by running a (cached) plan — every dispatch of the realization in
// one compute pass of one command buffer, one submit, no readback.
import { withTimeout } from '../runtime/readback.js';
import { faultPoint } from '../runtime/fault-injection.js';
import { DisposedTensorError, GPUValidationError, OutOfMemoryError } from '../core/errors.js';
import { bindGroupFor, runtime, uniformBuffer, type Runtime } from '../runtime/runtime.js';
import { anomalyMode, checkedNode } from './anomaly.js';
import { awaitChecks, checkBytes, copyChecks, dropChecks, throwLandedCheck } from './checks.js';
import { Storage, type LazyNode } from './node.js';
import { buildPlan, collect, type BufferRef, type CollectedGraph, type Plan } from './plan.js';

interface CachedPlan {
  plan: Plan;
  pipelines: GPUComputePipeline[];
  uniforms: (GPUBuffer | null)[];
  slots: GPUBuffer[];
  /** The plan's checks buffer (graph/checks.ts), when it has checks. */
  checks: GPUBuffer | null;
  /** Last bind group of each dispatch and the buffers it was made for: replays with the same buffers reuse it. */
  bindGroups: ({ group: GPUBindGroup; buffers: GPUBuffer[] } | null)[];
}

/** Plans kept (least recently used dropped first, returning their scratch buffers): a training loop needs a few. */
export const MAX_CACHED_PLANS = 64;

/** How many plans are cached now (sg.stats()). */
export function cachedPlans(): number {
  return planCache.size;
}
const planCache = new Map<string, CachedPlan>();
export const planStats = { built: 0, reused: 0 };

/** Realizes `targets` (and runs the in-place `effects`) in one submit. Synchronous: GPU errors surface at the next readback. */
export function realizeNodes(targets: LazyNode[], effects: LazyNode[] = []): void {
  throwLandedCheck(); // a check of earlier work (an optimizer step) that failed and has come back since
  const pendingTargets = [...new Set(targets.filter((t) => !t.storage))];
  if (pendingTargets.length === 0 && effects.length === 0) return;
  const rt = runtime();
  const graph = collect(pendingTargets, effects);
  checkExternals(rt, graph.externals);
  rt.device.pushErrorScope('out-of-memory');
  rt.device.pushErrorScope('validation');
  try {
    encodeAndSubmit(rt, graph, pendingTargets, effects);
  } finally {
    trackErrors(rt, rt.device.popErrorScope(), rt.device.popErrorScope());
  }
}

/**
 * Every buffer a plan reads or writes must be alive and of this runtime: a graph recorded before
 * sg.destroy() (or over a tensor disposed since) is refused here, not turned into a WebGPU validation error.
 */
function checkExternals(rt: Runtime, externals: Storage[]): void {
  for (const s of externals) {
    if (s.disposed) throw new DisposedTensorError('a pending computation reads a tensor that dispose() has freed since it was recorded');
    if (s.owner !== rt.pool) throw new DisposedTensorError('a pending computation was recorded on a runtime that sg.destroy() ended: record it again after sg.init()');
  }
}

function encodeAndSubmit(rt: Runtime, graph: CollectedGraph, pendingTargets: LazyNode[], effects: LazyNode[]): void {
  // anomaly mode plans the same graph differently (unfused, checked): its own cache entries
  const anomaly = anomalyMode();
  const key = anomaly ? `anomaly;${graph.key}` : graph.key;
  let cached = planCache.get(key);
  if (cached) {
    planCache.delete(key); // re-insert: most recently used last
    planStats.reused++;
  } else {
    const plan = buildPlan(graph, pendingTargets, rt.caps, anomaly);
    // refuse an oversized buffer before any pipeline is made: a refused realization must leave nothing behind
    for (const bytes of [...plan.outBytes, ...plan.slotBytes]) rt.pool.checkSize(bytes);
    cached = preparePlan(rt, plan);
    planStats.built++;
    if (planCache.size >= MAX_CACHED_PLANS) evictOldest(rt);
  }
  planCache.set(key, cached);

  const outputs = cached.plan.outBytes.map((bytes) => new Storage(rt.pool.acquire(bytes, 'output'), bytes, rt.pool.release, rt.pool));
  const resolve = (r: BufferRef): GPUBuffer =>
    'ext' in r ? graph.externals[r.ext].buffer : 'slot' in r ? cached!.slots[r.slot] : 'out' in r ? outputs[r.out].buffer : cached!.checks!;

  const encoder = rt.device.createCommandEncoder({ label: 'shadergrad plan' });
  const checks = cached.plan.checks;
  if (checks) encoder.clearBuffer(cached.checks!, 0, checkBytes(checks));
  const timing = gpuTimer(rt);
  const pass = encoder.beginComputePass(timing ? { timestampWrites: timing.writes } : {});
  cached.plan.dispatches.forEach((d, i) => {
    if (d.empty) return;
    const buffers = d.buffers.map(resolve);
    let bg = cached!.bindGroups[i];
    if (!bg || bg.buffers.some((b, k) => b !== buffers[k])) {
      bg = { group: bindGroupFor(rt, d.spec, buffers, cached!.uniforms[i] ?? undefined), buffers };
      cached!.bindGroups[i] = bg;
    }
    if (d.dynamicFrom !== undefined) rt.device.queue.writeBuffer(cached!.uniforms[i]!, 0, graph.order[d.dynamicFrom].dynamicParams!);
    pass.setPipeline(cached!.pipelines[i]);
    pass.setBindGroup(0, bg.group);
    pass.dispatchWorkgroups(...d.spec.workgroups);
    rt.dispatches++;
  });
  pass.end();
  timing?.resolve(encoder);
  const readChecks = checks && copyChecks(rt, encoder, cached.checks!, checks, checks.finite.map((s) => (s.node === undefined ? null : checkedNode(graph.order[s.node]))));
  faultPoint(rt.device, 'submit');
  rt.device.queue.submit([encoder.finish()]);
  rt.submits++;
  readChecks?.();
  if (timing) lastGpuMs = timing.read();

  pendingTargets.forEach((t, i) => t.becomeLeaf(outputs[i]));
  for (const e of effects) {
    if (e.kind.type === 'effect') for (const s of e.kind.writes) s.version++;
    e.inputs = [];
  }
}

// ---- GPU time of realizations, from timestamp queries (off unless asked for: it costs a map per plan) ----

let profiling = false;
let lastGpuMs: Promise<number> | null = null;

/** Turns GPU timing of every realization on or off; needs the adapter's 'timestamp-query' feature. */
export function setGpuTiming(on: boolean): boolean {
  profiling = on && runtime().device.features.has('timestamp-query');
  if (!profiling) lastGpuMs = null;
  return profiling;
}

/** GPU milliseconds of the last realization (a whole training step), or null when timing is off. */
export function lastRealizationGpuMs(): Promise<number> | null {
  return lastGpuMs;
}

function gpuTimer(rt: Runtime) {
  if (!profiling) return null;
  const querySet = rt.device.createQuerySet({ type: 'timestamp', count: 2 });
  const resolved = rt.device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const readable = rt.device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  return {
    writes: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } as GPUComputePassTimestampWrites,
    resolve(encoder: GPUCommandEncoder) {
      encoder.resolveQuerySet(querySet, 0, 2, resolved, 0);
      encoder.copyBufferToBuffer(resolved, 0, readable, 0, 16);
    },
    async read(): Promise<number> {
      try {
        await withTimeout(readable.mapAsync(GPUMapMode.READ), rt, 'reading GPU timestamps');
        const [t0, t1] = new BigUint64Array(readable.getMappedRange());
        return Number(t1 - t0) / 1e6;
      } finally {
        readable.destroy();
        resolved.destroy();
        querySet.destroy();
      }
    },
  };
}

function preparePlan(rt: Runtime, plan: Plan): CachedPlan {
  return {
    plan,
    pipelines: plan.dispatches.map((d) => rt.pipelines.getSync(d.spec)),
    uniforms: plan.dispatches.map((d) => (d.spec.params ? uniformBuffer(rt, d.spec.params) : null)),
    slots: plan.slotBytes.map((b) => rt.pool.acquire(b, 'arena')),
    checks: plan.checks ? rt.pool.acquire(checkBytes(plan.checks), 'plan checks') : null,
    bindGroups: plan.dispatches.map(() => null),
  };
}

function evictOldest(rt: Runtime): void {
  const [key, old] = planCache.entries().next().value as [string, CachedPlan];
  planCache.delete(key);
  for (const s of old.slots) rt.pool.release(s);
  if (old.checks) rt.pool.release(old.checks);
  for (const u of old.uniforms) u?.destroy();
}

/** Drops every cached plan and returns its buffers (sg.destroy, also of a lost device, and tests). */
export function clearPlanCache(rt: Runtime = runtime()): void {
  dropChecks();
  while (planCache.size) evictOldest(rt);
}

/** Forgets what the executor holds of a runtime that sg.destroy() ends: its plans, its errors not yet thrown, GPU timing. */
export function forgetRuntime(rt: Runtime): void {
  clearPlanCache(rt);
  pendingErrors = [];
  profiling = false;
  lastGpuMs = null;
}

// Errors of queued work are only known later: collect them and throw at the next await point.
let pendingErrors: Promise<Error | null>[] = [];

function trackErrors(rt: Runtime, validation: Promise<GPUError | null>, oom: Promise<GPUError | null>): void {
  pendingErrors.push(
    Promise.all([validation, oom]).then(([v, o]) => {
      if (o) return new OutOfMemoryError(`GPU out of memory while running a plan: ${o.message}`);
      if (v) return new GPUValidationError(`WebGPU validation error while running a plan: ${v.message}`);
      return null;
    }),
  );
}

/** Throws the first error of work submitted so far (shader compile errors first: they explain validation errors). */
export async function checkGpuErrors(): Promise<void> {
  const rt = runtime();
  const errs = pendingErrors;
  pendingErrors = [];
  await withTimeout(rt.pipelines.checkCompiled(), rt, 'checking shader compilation');
  for (const e of await withTimeout(Promise.all(errs), rt, 'checking GPU errors')) if (e) throw e;
  await awaitChecks(rt); // bad GPU-computed indices, anomaly mode's NaN/Inf (graph/checks.ts)
}
