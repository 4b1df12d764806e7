// The same training code gives the same loss curve in Chromium as in Node: src/demo-kit/parity.ts runs
// 12 seeded Adam steps of an MLP in Node (Dawn on lavapipe) and in demos/parity/ (Chromium's WebGPU);
// both losses must agree within float32 tolerance. The adapters differ (and may pick different matmul
// variants, so sums round in a different order), hence a tolerance rather than bit equality.
import { describe, expect, test } from 'vitest';
import { seededMlpLosses } from '../../src/demo-kit/parity.js';
import { useGpu } from '../helpers/gpu.js';
import { haveChromium, noChromiumReason, openPage, useSiteAndBrowser, waitForDemo } from './browser.js';

const sg = useGpu();

describe.skipIf(!haveChromium)(`seeded training: Node vs Chromium ${haveChromium ? '' : `(skipped: ${noChromiumReason})`}`, () => {
  const env = useSiteAndBrowser(true);

  test('losses of the first 12 steps agree within f32 tolerance', async () => {
    const node = await seededMlpLosses(sg);
    const { page, problems } = await openPage(env.browser, env.site.url + 'demos/parity/');
    await waitForDemo(page, "d.state === 'done'", 60_000);
    const chromium = await page.evaluate(() => window.sgDemo.parityLosses as number[]);
    const adapter = await page.evaluate(() => window.sgDemo.webgpu?.adapter);
    console.log(`  Node (${sg.deviceInfo().description}) vs Chromium (${adapter?.vendor} ${adapter?.architecture}):`);
    node.forEach((l, i) => console.log(`  step ${String(i + 1).padStart(2)}  ${l.toPrecision(8)}  ${chromium[i].toPrecision(8)}  Δ ${(chromium[i] - l).toExponential(2)}`));
    expect(chromium).toHaveLength(node.length);
    // learning happened (so the comparison is not of two flat lines)
    expect(node[node.length - 1]).toBeLessThan(node[0] * 0.5);
    for (let i = 0; i < node.length; i++) expect(Math.abs(chromium[i] - node[i])).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(node[i]));
    expect(problems).toEqual([]);
  });
});
