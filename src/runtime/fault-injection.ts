// A test aid for device loss: `sg.testing.loseDeviceAt('submit', 12)` destroys the device just before the
// 12th command-buffer submit from now, as a driver reset would, so recovery can be tested at a chosen
// point of a step (an upload of a batch, the step's submit, the readback of its loss, a checkpoint save).
import { ValueError } from '../core/errors.js';

/** The GPU calls a loss can be injected before: host → GPU writes, plan submits, GPU → host readbacks. */
export const FAULT_POINTS = ['upload', 'submit', 'readback'] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

let armed: { point: FaultPoint; left: number } | null = null;
const counts: Record<FaultPoint, number> = { upload: 0, submit: 0, readback: 0 };

/** How many events of each point the process has had: a test picks its nth from a clean run's counts. */
export function faultPointCounts(): Record<FaultPoint, number> {
  return { ...counts };
}

/** Arms one device loss before the `nth` (1 = the next) event of `point`; replaces an armed one. */
export function loseDeviceAt(point: FaultPoint, nth: number): void {
  if (!FAULT_POINTS.includes(point)) throw new ValueError(`loseDeviceAt: point must be one of ${FAULT_POINTS.join(', ')}, got ${JSON.stringify(point)}`);
  if (!Number.isInteger(nth) || nth < 1) throw new ValueError(`loseDeviceAt: nth must be an integer >= 1, got ${nth}`);
  armed = { point, left: nth };
}

/** Disarms a loss that has not happened yet. */
export function disarmDeviceLoss(): void {
  armed = null;
}

/** Called by the runtime before each GPU call of a kind: destroys `device` when the armed count runs out. */
export function faultPoint(device: GPUDevice, point: FaultPoint): void {
  counts[point]++;
  if (!armed || armed.point !== point || --armed.left > 0) return;
  armed = null;
  device.destroy();
}
