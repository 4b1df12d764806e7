// Dropout: every row of tests/ops/rows/dropout.ts against its float64 reference and central differences,
// then every bad input and the mask's behaviour.
import { describe, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { dropout } from '../../src/ops/dropout.js';
import { useGpu } from '../helpers/gpu.js';
import { runBadInputs, runRows } from '../helpers/opcheck.js';
import { badInputs, rows } from './rows/dropout.js';

useGpu();
runRows(rows);
describe('bad inputs', () => runBadInputs(badInputs));

describe('dropout', () => {
  test('keeps about 1-p of the elements, scales them by 1/(1-p), same seed same mask, gradient uses the mask', async () => {
    const n = 4096;
    const x = sg.tensor(new Float32Array(n).fill(2), [n], { requiresGrad: true });
    const y = dropout(x, 0.25, { seed: 1234 });
    const y2 = dropout(x, 0.25, { seed: 1234 });
    const y3 = dropout(x, 0.25, { seed: 99 });
    y.sum().backward();
    const a = await y.data();
    const kept = a.filter((v) => v !== 0);
    expect(kept.length / n).toBeGreaterThan(0.72);
    expect(kept.length / n).toBeLessThan(0.78);
    expect(kept.every((v) => Math.abs(v - 2 / 0.75) < 1e-6)).toBe(true);
    expect(Array.from(await y2.data())).toEqual(Array.from(a));
    expect(Array.from(await y3.data())).not.toEqual(Array.from(a));
    const g = await x.grad!.data();
    for (let i = 0; i < n; i++) expect(g[i]).toBeCloseTo(a[i] === 0 ? 0 : 1 / 0.75, 5);
  });
  test('off in eval mode and for p = 0; p = 1 drops everything', async () => {
    const x = sg.tensor([1, 2, 3]);
    expect(dropout(x, 0.5, { training: false })).toBe(x);
    expect(dropout(x, 0)).toBe(x);
    expect(Array.from(await dropout(x, 1).data())).toEqual([0, 0, 0]);
  });
  test('rejects p outside [0, 1]', () => {
    expect(() => dropout(sg.tensor([1]), 1.5)).toThrow(sg.ValueError);
  });
});
