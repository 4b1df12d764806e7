// Every page in headless Debian chromium (WebGPU on a CPU Vulkan adapter): WebGPU found, training
// learns, the MNIST pad classifies a digit drawn with the mouse, the benchmark fills its table, and no
// page logs an error, throws, or fails a request. Screenshots go to tests/browser/screens/.
import type { Page } from 'puppeteer-core';
import { describe, expect, test } from 'vitest';
import { BROWSER_NO_ADAPTER_WARNING, drawStroke, haveChromium, noChromiumReason, type OpenedPage, openPage, screenshot, useSiteAndBrowser, waitForDemo } from './browser.js';

interface History {
  step: number;
  loss: number;
  accuracy: number | null;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Clicks Start, waits for `steps` steps, clicks Pause; returns the page's per-step history. */
async function train(page: Page, steps: number, timeout: number): Promise<History[]> {
  await page.waitForFunction("!document.getElementById('toggle').disabled", { timeout: 60_000 });
  await page.click('#toggle');
  await waitForDemo(page, `d.step >= ${steps}`, timeout);
  await page.click('#toggle');
  await waitForDemo(page, "d.state === 'paused'");
  return page.evaluate(() => window.sgDemo.history);
}

function expectLearning(history: History[], { window = 10, lossRatio, accuracy }: { window?: number; lossRatio: number; accuracy: number }) {
  const first = mean(history.slice(0, 3).map((h) => h.loss));
  const last = mean(history.slice(-window).map((h) => h.loss));
  console.log(`  loss ${first.toFixed(4)} -> ${last.toFixed(4)} over ${history.length} steps, accuracy ${history[history.length - 1].accuracy?.toFixed(3)}`);
  expect(history.every((h) => Number.isFinite(h.loss))).toBe(true);
  expect(last).toBeLessThan(first * lossRatio);
  expect(history[history.length - 1].accuracy).toBeGreaterThan(accuracy);
}

/** Draws a polyline on the MNIST pad with mouse events (canvas pixel coordinates, 280×280). */
async function predictionAfter(page: Page, draw: () => Promise<void>): Promise<{ digit: number; probs: number[] }> {
  await page.click('#clear');
  await draw();
  // the prediction after the final stroke (mouseup) is the one that counts: wait for it to settle
  await page.waitForFunction('window.sgDemo.prediction !== null', { timeout: 30_000 });
  await new Promise((r) => setTimeout(r, 500));
  return page.evaluate(() => window.sgDemo.prediction as { digit: number; probs: number[] });
}

describe.skipIf(!haveChromium)(`demo pages with WebGPU ${haveChromium ? '' : `(skipped: ${noChromiumReason})`}`, () => {
  const env = useSiteAndBrowser(true);
  const opened: OpenedPage[] = [];
  const open = async (path: string) => {
    const o = await openPage(env.browser, env.site.url + path);
    opened.push(o);
    return o;
  };

  test('index.html finds WebGPU and names the adapter, features and limits', async () => {
    const { page, problems } = await open('');
    await waitForDemo(page, "d.state === 'ready'");
    const report = await page.evaluate(() => window.sgDemo.webgpu!);
    expect(report.available).toBe(true);
    expect(report.features.length).toBeGreaterThan(0);
    expect(report.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
    const status = await page.$eval('#gpu-status', (e) => e.textContent ?? '');
    expect(status).toContain('WebGPU is available');
    expect(status).toContain(report.adapter!.vendor);
    const links = await page.$$eval('#demos a', (as) => as.map((a) => a.getAttribute('href')));
    expect(links).toEqual(expect.arrayContaining(['demos/mnist/', 'demos/toy/', 'demos/bench/', 'demos/detect/']));
    await screenshot(page, 'index');
    expect(problems).toEqual([]);
  });

  test('spiral: the MLP learns and the decision boundary is redrawn as it trains', async () => {
    const { page, problems } = await open('demos/toy/');
    const history = await train(page, 60, 90_000);
    expectLearning(history, { window: 5, lossRatio: 0.4, accuracy: 0.85 });
    expect(await page.evaluate(() => window.sgDemo.fieldDraws)).toBeGreaterThan(5);
    const stats = await page.$eval('#stats', (e) => e.textContent ?? '');
    expect(stats).toMatch(/samples\/s\d/);
    await screenshot(page, 'toy');
    expect(problems).toEqual([]);
  });

  test('MNIST with LeNet-5 (the default model): the CNN learns', async () => {
    const { page, problems } = await open('demos/mnist/');
    // ~0.8 s a step on SwiftShader (2 CPU cores): a short run, loosely asserted
    const history = await train(page, 30, 120_000);
    expect(await page.evaluate(() => window.sgDemo.model)).toBe('lenet');
    expectLearning(history, { window: 5, lossRatio: 0.7, accuracy: 0.3 });
    // a drawn digit: its feature maps under "Inside the network" (filters and both convolutions)
    await predictionAfter(page, () => drawStroke(page, [[140, 40], [138, 120], [136, 240]]));
    await waitForDemo(page, 'Array.isArray(d.featureMaps)', 30_000);
    expect(await page.evaluate(() => window.sgDemo.featureMaps)).toEqual([{ layer: 'features.0', shape: [6, 28, 28] }, { layer: 'features.3', shape: [16, 10, 10] }]);
    expect(await page.$$eval('#inside canvas', (cs) => cs.map((c) => c.title))).toEqual(['filters', 'features.0', 'features.3']);
    await screenshot(page, 'mnist-lenet');
    expect(problems).toEqual([]);
  });

  test('MNIST: the MLP learns, and a digit drawn with the mouse is classified', async () => {
    const { page, problems } = await open('demos/mnist/?model=mlp');
    const history = await train(page, 100, 120_000);
    expectLearning(history, { window: 20, lossRatio: 0.35, accuracy: 0.8 });
    const testAccuracy = await page.evaluate(() => window.sgDemo.testAccuracy as number);
    console.log(`  MNIST test accuracy after 100 steps: ${testAccuracy}`);
    expect(testAccuracy).toBeGreaterThan(0.8);

    // a "1": one vertical stroke; a "0": an ellipse
    const one = await predictionAfter(page, () => drawStroke(page, [[140, 40], [138, 120], [136, 240]]));
    const ellipse = Array.from({ length: 25 }, (_, i): [number, number] => [140 + 60 * Math.sin((i / 24) * 2 * Math.PI), 140 - 95 * Math.cos((i / 24) * 2 * Math.PI)]);
    const zero = await predictionAfter(page, () => drawStroke(page, ellipse));
    console.log(`  drawn 1 -> ${one.digit} (${one.probs.map((p) => p.toFixed(2)).join(' ')}); drawn 0 -> ${zero.digit} (${zero.probs.map((p) => p.toFixed(2)).join(' ')})`);
    for (const p of [one, zero]) expect(p.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(one.digit).toBe(1);
    expect(zero.digit).toBe(0);
    await screenshot(page, 'mnist');
    expect(problems).toEqual([]);
  });

  test('live benchmark: bench/ matmul variants are validated and timed in the page', async () => {
    const { page, problems } = await open('demos/bench/?run=256x256x256&rounds=2');
    await waitForDemo(page, "d.state === 'done'", 120_000);
    const rows = await page.evaluate(() => window.sgDemo.benchRows as { variant: string; status: string; note?: string; wallMs: number | null; gflops: number | null }[]);
    for (const r of rows) console.log(`  ${r.variant.padEnd(24)} ${r.status.padEnd(11)} ${r.wallMs?.toFixed(3) ?? '-'} ms ${r.note ?? ''}`);
    const ok = rows.filter((r) => r.status === 'ok');
    expect(ok.length).toBeGreaterThan(0);
    expect(ok.every((r) => r.wallMs !== null && r.wallMs > 0 && r.gflops! > 0)).toBe(true);
    expect(rows.filter((r) => r.status === 'WRONG')).toEqual([]);
    expect(await page.$$eval('#results tr', (trs) => trs.length)).toBe(rows.length);
    await screenshot(page, 'bench');
    expect(problems).toEqual([]);
  });
});

describe.skipIf(!haveChromium)('pages without WebGPU', () => {
  const env = useSiteAndBrowser(false);

  test.each(['', 'demos/mnist/', 'demos/toy/', 'demos/bench/', 'demos/detect/'])('%s explains how to get WebGPU, without an error', async (path) => {
    const { page, problems } = await openPage(env.browser, env.site.url + path);
    await waitForDemo(page, "d.state === 'no-webgpu'", 30_000);
    const text = await page.$eval('.no-webgpu', (e) => e.textContent ?? '');
    expect(text).toContain('WebGPU is not available');
    expect(text).toContain('enable-unsafe-webgpu');
    // the demo itself stays hidden; nothing was thrown or logged
    if (path) expect(await page.$eval('#app', (e) => (e as HTMLElement).hidden)).toBe(true);
    await screenshot(page, `no-webgpu-${path.replace(/\W+/g, '-').replace(/-$/, '') || 'index'}`);
    expect(problems.filter((p) => p !== BROWSER_NO_ADAPTER_WARNING)).toEqual([]);
  });

  test('a browser with no navigator.gpu at all gets the explanation too', async () => {
    const page = await env.browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => (m.type() === 'error' || m.type() === 'warn') && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(String(e)));
    await page.evaluateOnNewDocument(() => Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined }));
    await page.goto(env.site.url + 'demos/mnist/');
    await waitForDemo(page, "d.state === 'no-webgpu'", 30_000);
    expect(await page.$eval('.no-webgpu', (e) => e.textContent ?? '')).toContain('this browser has no navigator.gpu');
    expect(problems).toEqual([]);
  });
});
