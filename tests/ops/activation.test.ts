// Activations: every row of tests/ops/rows/activation.ts against its float64 reference and central
// differences, the bad inputs, and erf's accuracy on the device measured over a dense grid.
import { describe, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { erf64 } from '../../src/core/special.js';
import { useGpu } from '../helpers/gpu.js';
import { runBadInputs, runRows } from '../helpers/opcheck.js';
import { badInputs, rows } from './rows/activation.js';

useGpu();
runRows(rows);
describe('bad inputs', () => runBadInputs(badInputs));

test('erf_f32 is within 2.5e-7 of erf everywhere, and keeps relative accuracy near 0', async () => {
  // dense over [-6, 6] (both branches and the switch at 0.84375), plus tiny values
  const n = 120001;
  const xs = Float32Array.from({ length: n }, (_, i) => -6 + (12 * i) / (n - 1));
  const got = await sg.tensor(xs).erf().data();
  let worst = 0;
  for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(got[i] - erf64(xs[i])));
  expect(worst).toBeLessThan(2.5e-7);
  const tiny = Float32Array.of(1e-30, -3e-12, 1e-7, -2e-5);
  const t = await sg.tensor(tiny).erf().data();
  tiny.forEach((v, i) => expect(Math.abs(t[i] / erf64(v) - 1)).toBeLessThan(3e-7));
});

test('the float64 erf reference agrees with known values', () => {
  // erf(0.5), erf(1), erf(2), erf(3), erf(4) to 16 digits (A&S table 7.1 / mpmath)
  const known: [number, number][] = [[0.5, 0.5204998778130465], [1, 0.8427007929497149], [2, 0.9953222650189527], [3, 0.9999779095030014], [4, 0.9999999845827421], [-1, -0.8427007929497149]];
  for (const [x, want] of known) expect(Math.abs(erf64(x) - want)).toBeLessThan(1e-14);
});

test('softplus of very negative inputs keeps relative accuracy (as log1p)', async () => {
  const got = await sg.nn.functional.softplus(sg.tensor([-20, -40, -80])).data();
  [-20, -40, -80].forEach((x, i) => expect(Math.abs(got[i] / Math.log1p(Math.exp(x)) - 1)).toBeLessThan(1e-5));
});
