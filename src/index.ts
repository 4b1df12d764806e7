// shadergrad: the public, browser-safe API. Node users import 'shadergrad/node' (same API + Dawn + files).
import { cachedPlans, forgetRuntime, lastRealizationGpuMs, planStats, realizeNodes, setGpuTiming } from './graph/execute.js';
import type { InitOptions } from './runtime/device.js';
import { disarmDeviceLoss, faultPointCounts, loseDeviceAt } from './runtime/fault-injection.js';
import { currentRuntime, destroyRuntime, initRuntime, runtime } from './runtime/runtime.js';
import type { Tensor } from './tensor/tensor.js';
import { checkOptions, FUNCTION, withMethods } from './core/options.js';

export * from './core/errors.js';
export { Tensor, noGrad, isGradEnabled } from './tensor/tensor.js';
export type { TensorLike } from './tensor/tensor.js';
export { tensor, zeros, ones, full, arange, rand, randn, manualSeed } from './tensor/creation.js';
export type { TensorOptions, RandomOptions } from './tensor/creation.js';
export { where, cat, stack, matmul, oneHot, segmentSum, segmentMax, segmentMean, segmentSoftmax } from './ops/index.js';
/**
 * Anomaly mode (PyTorch's torch.autograd.set_detect_anomaly): `sg.detectAnomaly(true)` checks every op's
 * output on the GPU for NaN (and ±Inf from finite inputs) and throws an AnomalyError naming the first such
 * op, its shape, the forward op a backward op belongs to, and where each was recorded. Slow (no fusion, a
 * check per op): for debugging. `sg.detectAnomaly()` returns the mode; off by default, and off costs nothing.
 */
export { detectAnomaly } from './graph/anomaly.js';
export type { DType } from './core/dtype.js';
export type { InitOptions } from './runtime/device.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as prune from './nn/prune.js';
export * as data from './data/index.js';
export { save, load, download, idbPut, idbGet } from './io/safetensors.js';
export type { StateDict, SaveOptions, LoadOptions } from './io/safetensors.js';
export * as safetensors from './io/safetensors.js';
export { checkpointBytes, restoreCheckpoint, batchesFrom } from './io/checkpoint.js';
export type { CheckpointTargets, RunPosition } from './io/checkpoint.js';
export { getRandomState, setRandomState } from './tensor/creation.js';
export * as onnx from './onnx/index.js';
export * as vis from './vis/feature-maps.js';
/** Test aids: `sg.testing.loseDeviceAt('submit', n)` destroys the device before the nth submit from now, as a driver reset would. */
export const testing = { loseDeviceAt, disarmDeviceLoss, faultPointCounts };

/** Picks an adapter and device. Throws GPUUnavailableError (with a fix hint) when WebGPU is missing. */
export async function init(options: InitOptions = {}): Promise<void> {
  checkOptions('init', options, {
    gpu: withMethods('requestAdapter'), powerPreference: ['low-power', 'high-performance'], readbackTimeoutMs: { min: 0, aboveMin: true }, collectGarbage: FUNCTION,
    memoryLimitBytes: { min: 0, aboveMin: true }, maxBuffers: { min: 1, integer: true }, hostMemoryBytes: { min: 0, aboveMin: true },
  });
  await initRuntime(options);
}

/** Runs the pending work behind these tensors in one submit (no readback). */
export function realize(...tensors: Tensor[]): void {
  realizeNodes(tensors.map((t) => t.node));
}

/**
 * GPU memory held by tensors and plans; `pooledBytes` are free buffers kept for reuse; `peakBytes` the most
 * held at once since sg.init() or sg.resetPeakMemory() (torch.cuda.max_memory_allocated).
 */
export function memory(): { bytesInUse: number; peakBytes: number; buffers: number; pooledBytes: number } {
  const { pool } = runtime();
  return { bytesInUse: pool.bytesInUse, peakBytes: pool.peakBytes, buffers: pool.buffersInUse, pooledBytes: pool.pooledBytes };
}

/** Starts sg.memory().peakBytes over from the bytes in use now (torch.cuda.reset_peak_memory_stats). */
export function resetPeakMemory(): void {
  runtime().pool.resetPeak();
}

/** Counters for tests and benchmarks: command-buffer submits, dispatches, plans built and reused. */
export function stats(): { submits: number; dispatches: number; plansBuilt: number; plansReused: number; plansCached: number; pipelines: number } {
  const rt = runtime();
  return { submits: rt.submits, dispatches: rt.dispatches, plansBuilt: planStats.built, plansReused: planStats.reused, plansCached: cachedPlans(), pipelines: rt.pipelines.size };
}

/** What the device is: adapter description, features and limits (as read from the adapter). */
export function deviceInfo() {
  const { caps } = runtime();
  return { ...caps, features: [...caps.features].sort() };
}

/**
 * GPU time of realizations from timestamp queries: `sg.gpuTiming(true)` turns it on (false where the
 * adapter has no 'timestamp-query'); then `await sg.lastGpuMs()` is the GPU milliseconds of the last
 * realization — after `opt.step()`, the whole training step.
 */
export function gpuTiming(on: boolean): boolean {
  return setGpuTiming(on);
}
export async function lastGpuMs(): Promise<number | null> {
  return (await lastRealizationGpuMs()) ?? null;
}

/** Releases the device so that Node can exit. Tensors made before are unusable afterwards. */
export function destroy(): void {
  const rt = currentRuntime();
  if (!rt) return;
  forgetRuntime(rt);
  destroyRuntime();
}
