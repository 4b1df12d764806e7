// Copies a GPU buffer to the CPU, with a timeout and device-loss checks.
import type { DeviceContext } from './device.js';
import type { Runtime } from './runtime.js';
import { ReadbackTimeoutError } from '../core/errors.js';

export async function readBuffer(ctx: Runtime, src: GPUBuffer, byteOffset: number, byteLength: number): Promise<ArrayBuffer> {
  if (ctx.lost) throw ctx.lost;
  const size = Math.max(4, Math.ceil(byteLength / 4) * 4);
  const staging = ctx.device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    const enc = ctx.device.createCommandEncoder({ label: 'readback' });
    if (byteLength > 0) enc.copyBufferToBuffer(src, byteOffset, staging, 0, size);
    ctx.device.queue.submit([enc.finish()]);
    ctx.submits++;
    await withTimeout(staging.mapAsync(GPUMapMode.READ), ctx, `reading ${byteLength} bytes back from the GPU`);
    return staging.getMappedRange().slice(0, byteLength);
  } finally {
    staging.destroy();
  }
}

/** Rejects with ReadbackTimeoutError after ctx.readbackTimeoutMs, or with the DeviceLostError if the device is lost. */
export async function withTimeout<T>(p: Promise<T>, ctx: DeviceContext, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(ctx.lost ?? new ReadbackTimeoutError(`timed out after ${ctx.readbackTimeoutMs} ms ${what}`)), ctx.readbackTimeoutMs);
  });
  try {
    return await Promise.race([p, timeout]);
  } catch (e) {
    throw ctx.lost ?? e;
  } finally {
    clearTimeout(timer);
  }
}
