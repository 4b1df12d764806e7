// The process-wide runtime: one device, its pipeline cache and buffer pool. `init()` makes it, `destroy()` ends it.
import type { PendingStep } from '../graph/autograd.js';
import type { KernelSpec } from '../kernels/types.js';
import { BufferPool, DEFAULT_MAX_BUFFERS, type PoolLimits } from './buffers.js';
import { acquireDevice, type DeviceContext, type InitOptions } from './device.js';
import { GPUUnavailableError, GPUValidationError, OutOfMemoryError } from '../core/errors.js';
import { PipelineCache } from './pipelines.js';

export interface Runtime extends DeviceContext {
  pipelines: PipelineCache;
  pool: BufferPool;
  /** Command buffers submitted since init (a test counts submits per training step). */
  submits: number;
  /** Compute dispatches encoded since init. */
  dispatches: number;
  /** The losses and side outputs the next optimizer step realizes (graph/autograd.ts). */
  pendingStep?: PendingStep;
}

let current: Runtime | null = null;
let pendingInit: Promise<Runtime> | null = null;

export async function initRuntime(options: InitOptions = {}): Promise<Runtime> {
  if (current?.lost) destroyRuntime(); // a lost device cannot come back: init() after a loss acquires a new one
  if (current) return current;
  if (!pendingInit) {
    pendingInit = acquireDevice(options).then((ctx) => {
      const rt: Runtime = Object.assign(ctx, {
        pipelines: new PipelineCache(ctx.device),
        pool: new BufferPool(ctx.device, ctx.caps.maxStorageBufferBindingSize, options.collectGarbage, poolLimits(options, ctx.caps.isSoftware)),
        submits: 0,
        dispatches: 0,
      });
      ctx.device.addEventListener?.('uncapturederror', (ev) => {
        console.error('shadergrad: uncaptured WebGPU error:', (ev as GPUUncapturedErrorEvent).error.message);
      });
      current = rt;
      return rt;
    });
    pendingInit.catch(() => (pendingInit = null));
  }
  return pendingInit;
}

const SOFTWARE_DEFAULT_LIMIT_BYTES = 4 * 2 ** 30;

function poolLimits(options: InitOptions, isSoftware: boolean): PoolLimits {
  return {
    bytes: options.memoryLimitBytes ?? (isSoftware ? options.hostMemoryBytes !== undefined ? options.hostMemoryBytes / 2 : SOFTWARE_DEFAULT_LIMIT_BYTES : Infinity),
    buffers: options.maxBuffers ?? DEFAULT_MAX_BUFFERS,
  };
}

export function runtime(): Runtime {
  if (!current) throw new GPUUnavailableError('shadergrad is not initialised: call `await sg.init()` first');
  if (current.lost) throw current.lost;
  return current;
}

/** The runtime as it is, lost or not (sg.destroy() must work on a lost device too); null before init. */
export function currentRuntime(): Runtime | null {
  return current;
}

/** Ends the runtime; safe on a lost device (destroying it again is a no-op). */
export function destroyRuntime(): void {
  if (!current) return;
  current.pool.trim();
  current.device.destroy();
  current = null;
  pendingInit = null;
}

/** Creates a bind group for a kernel over the given buffers (in binding order) and its uniform buffer. */
export function bindGroupFor(rt: Runtime, spec: KernelSpec, buffers: GPUBuffer[], params?: GPUBuffer): GPUBindGroup {
  const entries: GPUBindGroupEntry[] = buffers.map((buffer, binding) => ({ binding, resource: { buffer } }));
  if (spec.params) entries.push({ binding: buffers.length, resource: { buffer: params! } });
  return rt.device.createBindGroup({ layout: rt.pipelines.layoutFor(spec), entries, label: spec.key });
}

/** Makes a uniform buffer holding a kernel's params (once: params are fixed for a planned dispatch). */
export function uniformBuffer(rt: Runtime, data: ArrayBuffer): GPUBuffer {
  const buf = rt.device.createBuffer({ size: data.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  rt.device.queue.writeBuffer(buf, 0, data);
  return buf;
}

/**
 * Runs GPU work inside validation and out-of-memory error scopes; a captured error is rethrown typed.
 * The scopes are popped after `fn` returns, so only synchronous WebGPU calls inside `fn` are covered.
 */
export async function withErrorScopes<T>(rt: Runtime, what: string, fn: () => T): Promise<T> {
  rt.device.pushErrorScope('out-of-memory');
  rt.device.pushErrorScope('validation');
  let result: T;
  try {
    result = fn();
  } finally {
    const validation = await rt.device.popErrorScope();
    const oom = await rt.device.popErrorScope();
    if (oom) throw new OutOfMemoryError(`GPU out of memory while ${what}: ${oom.message}`);
    if (validation) throw new GPUValidationError(`WebGPU validation error while ${what}: ${validation.message}`);
  }
  return result;
}
