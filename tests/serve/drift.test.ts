// Drift statistics (src/monitor/drift.ts) against float64 arithmetic done here by hand, its refusals, and
// the served alert: off for real held-out digits, on for the same digits inverted.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ValueError } from '../../src/core/errors.js';
import type { Mnist } from '../../src/data/mnist.js';
import { blockMeans, DriftMonitor, driftReference, jsDivergence, klDivergence, psi } from '../../src/monitor/drift.js';
import { loadMnist } from '../../src/node/mnist-files.js';
import type { Server } from '../../src/serve/server.js';
import { useGpu } from '../helpers/gpu.js';
import { instances, metricValue, post, scratchDir, serveOn, spread, trainCheckpoint } from './fixture.js';

let mnist: Mnist;
beforeAll(async () => {
  mnist = await loadMnist();
});

describe('drift statistics', () => {
  test('PSI, KL and JS against their definitions', () => {
    const e = [0.5, 0.3, 0.2];
    const o = [0.2, 0.3, 0.5];
    expect(psi(e, e)).toBe(0);
    expect(psi(o, e)).toBeCloseTo(0.3 * Math.log(0.2 / 0.5) * -1 + 0.3 * Math.log(0.5 / 0.2), 12);
    expect(klDivergence(o, e)).toBeCloseTo(0.2 * Math.log(0.2 / 0.5) + 0.5 * Math.log(0.5 / 0.2), 12);
    expect(jsDivergence([1, 0], [0, 1])).toBeCloseTo(Math.log(2), 12); // disjoint: the maximum, ln 2
    expect(jsDivergence(o, e)).toBeCloseTo(jsDivergence(e, o), 12);
  });

  test('block means: each 7×7 block of a 28×28 image averaged', () => {
    const img = new Float32Array(784);
    for (let y = 0; y < 7; y++) for (let x = 21; x < 28; x++) img[y * 28 + x] = 1; // block row 0, col 3
    img[27 * 28 + 27] = 0.49; // one pixel of the last block
    const out = new Float64Array(16);
    blockMeans(img, 0, 28, 28, out);
    expect(out[3]).toBe(1);
    expect(out[15]).toBeCloseTo(0.01, 6);
    expect(out.filter((v) => v !== 0)).toHaveLength(2);
  });

  test('the reference bins each feature at its deciles: about a tenth of the training digits per bin', () => {
    const ref = driftReference(mnist.train.images, mnist.train.labels);
    expect(ref.count).toBe(9000);
    expect(ref.classes.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const centre = 5; // block row 1, col 1: ink in almost every digit, so all ten deciles are distinct
    expect(ref.edges[centre]).toHaveLength(10); // 9 deciles and one edge just above the maximum
    for (const p of ref.expected[centre].slice(0, 10)) expect(p).toBeCloseTo(0.1, 2);
    expect(ref.expected[centre][10]).toBe(0); // nothing in the training data above its maximum
  });

  test('held-out digits do not alert; inverted ones and out-of-range pixels do; few instances never do', () => {
    const ref = driftReference(mnist.train.images, mnist.train.labels);
    const digits = spread(mnist.test.count, 5);
    const feed = (rows: number[][]) => {
      const m = new DriftMonitor(ref, 1000);
      m.observe(Float32Array.from(rows.flat()), rows.length, digits.map((g) => mnist.test.labels[g]).slice(0, rows.length));
      return m.report();
    };
    const real = feed(instances(mnist.test, digits));
    expect(real.alert).toBe(false);
    expect(real.enough).toBe(true);
    expect(real.inputs.maxPsi).toBeLessThan(0.25);
    const inverted = feed(instances(mnist.test, digits, true));
    expect(inverted.alert).toBe(true);
    expect(inverted.inputs.maxPsi).toBeGreaterThan(1);
    const bright = feed(instances(mnist.test, digits).map((r) => r.map((v) => v * 255))); // 0-255 pixels: the classic mistake
    expect(bright.dataQuality.outOfRangeFraction).toBeGreaterThan(0.05);
    expect(bright.reasons.some((r) => r.includes('outside [0, 1]'))).toBe(true);
    const few = feed(instances(mnist.test, digits.slice(0, 20), true));
    expect(few).toMatchObject({ alert: false, enough: false, count: 20 });
  });

  test('bad input is a ValueError naming it', () => {
    expect(() => driftReference(new Float32Array(10), new Int32Array(1))).toThrow(ValueError);
    expect(() => driftReference(new Float32Array(784), new Int32Array(1))).not.toThrow();
    expect(() => driftReference(new Float32Array(784), Int32Array.of(12))).toThrow(/label 0 is 12, not a class id in \[0, 10\)/);
    expect(() => driftReference(new Float32Array(30 * 30), new Int32Array(1), { rows: 30, cols: 30 })).toThrow(/multiples of 7/);
    const ref = driftReference(mnist.train.images, mnist.train.labels);
    expect(() => new DriftMonitor(ref, 0)).toThrow(/window must be a positive integer, got 0/);
    expect(() => new DriftMonitor(ref).observe(new Float32Array(784), 2, [1, 2])).toThrow(/784 values and 2 classes for 2 instances of 784 pixels/);
  });
});

describe('GET /v1/models/{name}/monitoring', () => {
  useGpu();
  const scratch = scratchDir();
  let server: Server;
  beforeAll(async () => {
    // a trained model: an untrained one predicts a few classes for everything, and that alone (rightly) alerts
    await trainCheckpoint(`${scratch.dir}/m.safetensors`);
    server = await serveOn({ name: 'mnist', source: { checkpoint: `${scratch.dir}/m.safetensors` }, driftWindow: 200 });
  });
  afterAll(async () => {
    await server?.close();
    scratch.remove();
  });

  const monitoring = async () => (await (await fetch(`${server.url}/v1/models/mnist/monitoring`)).json()).drift;
  const send = (rows: number[][]) => Promise.all(Array.from({ length: rows.length / 20 }, (_, k) => post(`${server.url}/v1/models/mnist:predict`, { instances: rows.slice(20 * k, 20 * k + 20) })));

  test('the alert is off for 200 real held-out digits, on once the window holds 200 inverted ones, and /metrics says so', async () => {
    const digits = spread(mnist.test.count, 5);
    expect(await monitoring()).toMatchObject({ alert: false, enough: false, count: 0 });
    await send(instances(mnist.test, digits));
    const real = await monitoring();
    expect(real).toMatchObject({ alert: false, enough: true, count: 200, reasons: [] });
    expect(real.inputs.psi).toHaveLength(16);
    expect(metricValue(await (await fetch(`${server.url}/metrics`)).text(), 'shadergrad_drift_alert')).toBe(0);
    await send(instances(mnist.test, digits, true));
    const inverted = await monitoring();
    expect(inverted.alert).toBe(true);
    expect(inverted.reasons[0]).toMatch(/^input PSI \d+\.\d+ > 0.25/);
    expect(inverted.dataQuality.totalInstances).toBe(400);
    expect(metricValue(await (await fetch(`${server.url}/metrics`)).text(), 'shadergrad_drift_alert')).toBe(1);
  });
});
