// The end-to-end app: the MNIST drawing page sends its digit to a running `shadergrad serve` (CORS on)
// and shows the served answer beside the in-browser one; the monitor page charts that server live.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Server } from '../../src/serve/server.js';
import { useGpu } from '../helpers/gpu.js';
import { post, randomCheckpoint, scratchDir, serveOn } from '../serve/fixture.js';
import { drawStroke, haveChromium, noChromiumReason, openPage, screenshot, useSiteAndBrowser, waitForDemo } from './browser.js';

describe.skipIf(!haveChromium)(`pages talking to shadergrad serve ${haveChromium ? '' : `(skipped: ${noChromiumReason})`}`, () => {
  useGpu();
  const env = useSiteAndBrowser(true);
  const scratch = scratchDir();
  let server: Server;
  beforeAll(async () => {
    await randomCheckpoint(`${scratch.dir}/m.safetensors`);
    server = await serveOn({ name: 'mnist', source: { checkpoint: `${scratch.dir}/m.safetensors` }, cors: '*' });
  });
  afterAll(async () => {
    await server?.close();
    scratch.remove();
  });
  /** The page's problems, less its (intended) requests to the serve origin. */
  const own = (problems: string[]) => problems.filter((p) => !p.includes(server.url));

  test('a drawn digit goes to the server; the page shows its answer, the one the server gives for those pixels', async () => {
    const { page, problems } = await openPage(env.browser, `${env.site.url}demos/mnist/?model=mlp&serve=${encodeURIComponent(`${server.url}/v1/models/mnist`)}`);
    await page.waitForFunction(() => !(document.querySelector('#toggle') as HTMLButtonElement).disabled, { timeout: 60_000 });
    await drawStroke(page, [[140, 40], [138, 120], [136, 240]]);
    await waitForDemo(page, 'd.served && d.prediction', 60_000);
    await new Promise((r) => setTimeout(r, 500)); // the answer to the last stroke
    const { served, digit, inBrowser } = await page.evaluate(() => ({ served: window.sgDemo.served as { class: number; probabilities: number[] }, digit: window.sgDemo.servedDigit as number[], inBrowser: window.sgDemo.prediction }));
    expect(served.probabilities).toHaveLength(10);
    expect(inBrowser).not.toBeNull();
    const direct = (await post(`${server.url}/v1/models/mnist:predict`, { instances: [digit] })).json.predictions[0];
    expect(served.class).toBe(direct.class);
    served.probabilities.forEach((p, i) => expect(p).toBeCloseTo(direct.probabilities[i], 6));
    expect(await page.$eval('#served', (e) => e.textContent)).toMatch(new RegExp(`the served model says: ${served.class} \\(`));
    await screenshot(page, 'mnist-served');
    expect(own(problems)).toEqual([]);
  });

  test('the monitor page reads /metrics and /monitoring and shows the drift grid', async () => {
    const { page, problems } = await openPage(env.browser, `${env.site.url}demos/monitor/?server=${encodeURIComponent(server.url)}&model=mnist`);
    await waitForDemo(page, 'd.polls >= 3', 30_000);
    const drift = await page.evaluate(() => window.sgDemo.drift as { count: number; inputs: { psi: number[] } });
    expect(drift.count).toBeGreaterThan(0); // the digits drawn and posted above
    expect(await page.$$eval('#psi div', (cells) => cells.length)).toBe(16);
    expect(await page.$eval('#conn', (e) => e.textContent)).toMatch(/connected/);
    await screenshot(page, 'monitor');
    expect(own(problems)).toEqual([]);
  });
});
