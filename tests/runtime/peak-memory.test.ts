// sg.memory().peakBytes: the most GPU memory held at once, kept after the buffers go; sg.resetPeakMemory().
import { expect, test } from 'vitest';
import { useGpu } from '../helpers/gpu.js';

const sg = useGpu();

test('peakBytes remembers a freed tensor until resetPeakMemory()', () => {
  sg.resetPeakMemory();
  const start = sg.memory();
  expect(start.peakBytes).toBe(start.bytesInUse);
  const big = sg.zeros([1 << 20]).realize(); // 4 MiB
  const held = sg.memory();
  expect(held.bytesInUse - start.bytesInUse).toBeGreaterThanOrEqual(4 << 20);
  expect(held.peakBytes).toBe(held.bytesInUse);
  big.dispose();
  const after = sg.memory();
  expect(after.bytesInUse).toBe(start.bytesInUse);
  expect(after.peakBytes).toBe(held.peakBytes);
  sg.resetPeakMemory();
  expect(sg.memory().peakBytes).toBe(after.bytesInUse);
});
