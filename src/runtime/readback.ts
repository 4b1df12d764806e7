// Copies a GPU buffer to the CPU, with a timeout and device-loss checks.
import type { DeviceContext } from './device.js';
import type { Runtime } from './runtime.js';
import { ReadbackTimeoutError } from '../core/errors.js';
import { faultPoint } from './fault-injection.js';

export async function readBuffer(ctx: Runtime, src: GPUBuffer, byteOffset: number, byteLength: number): Promise<ArrayBuffer> {
  if (ctx.lost) throw ctx.lost;
  faultPoint(ctx.device, 'readback');
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
    if (!ctx.lost) await settledLoss(ctx);
    throw ctx.lost ?? e;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A readback on a device that was just lost fails before `device.lost` resolves: wait for it briefly, so
 * the caller gets the DeviceLostError (and can recover) rather than the map error it caused.
 */
async function settledLoss(ctx: DeviceContext, waitMs = 1000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([ctx.device.lost, new Promise((r) => (timer = setTimeout(r, waitMs)))]);
  clearTimeout(timer);
}
