// The executor: realizes target nodes by running a (cached) plan — every dispatch of the realization in
// one compute pass of one command buffer, one submit, no readback.
import { withTimeout } from '../runtime/readback.js';
import { GPUValidationError, OutOfMemoryError } from '../runtime/errors.js';
import { runtime, type Runtime } from '../runtime/runtime.js';
import { Storage, type LazyNode } from './node.js';
import { buildPlan, collect, type BufferRef, type CollectedGraph, type Plan } from './plan.js';

interface CachedPlan {
  plan: Plan;
  pipelines: GPUComputePipeline[];
  uniforms: (GPUBuffer | null)[];
  slots: GPUBuffer[];
  /** Last bind group of each dispatch and the buffers it was made for: replays with the same buffers reuse it. */
  bindGroups: ({ group: GPUBindGroup; buffers: GPUBuffer[] } | null)[];
}

const MAX_CACHED_PLANS = 64;
const planCache = new Map<string, CachedPlan>();
export const planStats = { built: 0, reused: 0 };

/** Realizes `targets` (and runs the in-place `effects`) in one submit. Synchronous: GPU errors surface at the next readback. */
export function realizeNodes(targets: LazyNode[], effects: LazyNode[] = []): void {
  const pendingTargets = [...new Set(targets.filter((t) => !t.storage))];
  if (pendingTargets.length === 0 && effects.length === 0) return;
  const rt = runtime();
  const graph = collect(pendingTargets, effects);
  rt.device.pushErrorScope('out-of-memory');
  rt.device.pushErrorScope('validation');
  try {
    encodeAndSubmit(rt, graph, pendingTargets, effects);
  } finally {
    trackErrors(rt, rt.device.popErrorScope(), rt.device.popErrorScope());
  }
}

function encodeAndSubmit(rt: Runtime, graph: CollectedGraph, pendingTargets: LazyNode[], effects: LazyNode[]): void {
  let cached = planCache.get(graph.key);
  if (cached) {
    planCache.delete(graph.key); // re-insert: most recently used last
    planStats.reused++;
  } else {
    cached = preparePlan(rt, buildPlan(graph, pendingTargets, rt.caps));
    planStats.built++;
    if (planCache.size >= MAX_CACHED_PLANS) evictOldest(rt);
  }
  planCache.set(graph.key, cached);

  const outputs = cached.plan.outBytes.map((bytes) => new Storage(rt.pool.acquire(bytes, 'output'), bytes, rt.pool.release));
  const resolve = (r: BufferRef): GPUBuffer =>
    'ext' in r ? graph.externals[r.ext].buffer : 'slot' in r ? cached!.slots[r.slot] : outputs[r.out].buffer;

  const encoder = rt.device.createCommandEncoder({ label: 'shadergrad plan' });
  const pass = encoder.beginComputePass();
  cached.plan.dispatches.forEach((d, i) => {
    if (d.empty) return;
    const buffers = d.buffers.map(resolve);
    let bg = cached!.bindGroups[i];
    if (!bg || bg.buffers.some((b, k) => b !== buffers[k])) {
      const entries: GPUBindGroupEntry[] = buffers.map((buffer, binding) => ({ binding, resource: { buffer } }));
      if (cached!.uniforms[i]) entries.push({ binding: buffers.length, resource: { buffer: cached!.uniforms[i]! } });
      bg = { group: rt.device.createBindGroup({ layout: rt.pipelines.layoutFor(d.spec), entries }), buffers };
      cached!.bindGroups[i] = bg;
    }
    if (d.dynamicFrom !== undefined) rt.device.queue.writeBuffer(cached!.uniforms[i]!, 0, graph.order[d.dynamicFrom].dynamicParams!);
    pass.setPipeline(cached!.pipelines[i]);
    pass.setBindGroup(0, bg.group);
    pass.dispatchWorkgroups(...d.spec.workgroups);
    rt.dispatches++;
  });
  pass.end();
  rt.device.queue.submit([encoder.finish()]);
  rt.submits++;

  pendingTargets.forEach((t, i) => t.becomeLeaf(outputs[i]));
  for (const e of effects) {
    if (e.kind.type === 'effect') for (const s of e.kind.writes) s.version++;
    e.inputs = [];
  }
}

function preparePlan(rt: Runtime, plan: Plan): CachedPlan {
  return {
    plan,
    pipelines: plan.dispatches.map((d) => rt.pipelines.getSync(d.spec)),
    uniforms: plan.dispatches.map((d) => {
      if (!d.spec.params) return null;
      const buf = rt.device.createBuffer({ size: d.spec.params.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      rt.device.queue.writeBuffer(buf, 0, d.spec.params);
      return buf;
    }),
    slots: plan.slotBytes.map((b) => rt.pool.acquire(b, 'arena')),
    bindGroups: plan.dispatches.map(() => null),
  };
}

function evictOldest(rt: Runtime): void {
  const [key, old] = planCache.entries().next().value as [string, CachedPlan];
  planCache.delete(key);
  for (const s of old.slots) rt.pool.release(s);
  for (const u of old.uniforms) u?.destroy();
}

/** Drops every cached plan and returns its buffers (sg.destroy and tests). */
export function clearPlanCache(): void {
  if (planCache.size === 0) return;
  const rt = runtime();
  while (planCache.size) evictOldest(rt);
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
}
