// The char-level GPT page in headless chromium (WebGPU on a CPU Vulkan adapter): the Moby Dick slice comes
// from the local server, training pushes the loss well below where it starts and below the unigram
// baseline, validation is measured, a sample of generated text appears, and nothing logs an error.
import { describe, expect, test } from 'vitest';
import { BROWSER_NO_ADAPTER_WARNING, haveChromium, noChromiumReason, openPage, screenshot, useSiteAndBrowser, waitForDemo } from './browser.js';

interface SampleRecord {
  step: number;
  prompt: string;
  text: string;
  temperature: number;
  charsPerSec: number;
}

const STEPS = 25;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe.skipIf(!haveChromium)(`char-level GPT page ${haveChromium ? '' : `(skipped: ${noChromiumReason})`}`, () => {
  const env = useSiteAndBrowser(true);

  test('the text is a slice of Moby Dick served from dist/, cut at a paragraph', async () => {
    const res = await fetch(`${env.site.url}dist/data/moby-dick.txt`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.startsWith('CHAPTER 1. Loomings.\n\nCall me Ishmael.')).toBe(true);
    expect(text.length).toBeGreaterThan(150_000);
    expect(text.length).toBeLessThanOrEqual(200_000);
    expect(text.endsWith('\n')).toBe(true);
  });

  test('trains on Moby Dick below the unigram baseline and writes a sample', { timeout: 90_000 }, async () => {
    const t0 = performance.now();
    const { page, problems } = await openPage(env.browser, `${env.site.url}demos/charlm/?batch=8&valEvery=10&sampleEvery=${STEPS}&sampleChars=30`);
    await waitForDemo(page, "d.state === 'ready' || d.state === 'no-webgpu'");
    const report = await page.evaluate(() => window.sgDemo.webgpu!);
    expect(report.available).toBe(true);
    await page.waitForFunction("!document.getElementById('toggle').disabled", { timeout: 60_000 });
    const config = await page.evaluate(() => window.sgDemo.config as { vocab: number; trainChars: number; valChars: number; parameters: number });
    const baseline = await page.evaluate(() => window.sgDemo.unigramBaseline as number);
    console.log(`  vocab ${config.vocab}, ${config.trainChars} train / ${config.valChars} held-out chars, ${config.parameters} parameters; unigram ${baseline.toFixed(3)} nats/char; ready after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    expect(config.trainChars).toBeGreaterThan(150_000);
    expect(baseline).toBeGreaterThan(2.5);

    await page.click('#toggle');
    // the sample after step STEPS is written before the next step begins
    await waitForDemo(page, `d.step >= ${STEPS} && d.samples.length > 0`, 75_000);
    await page.click('#toggle');
    await waitForDemo(page, "d.state === 'paused'");

    const d = await page.evaluate(() => {
      const s = window.sgDemo;
      return { history: s.history, valHistory: s.valHistory as { step: number; loss: number }[], samples: s.samples as SampleRecord[], stepGpuMs: s.stepGpuMs, samplesPerSec: s.samplesPerSec };
    });
    const first = d.history[0].loss;
    const last = mean(d.history.slice(-10).map((h) => h.loss));
    const val = d.valHistory.map((v) => `${v.step}:${v.loss.toFixed(3)}`).join(' ');
    console.log(`  train loss ${first.toFixed(3)} -> ${last.toFixed(3)} over ${d.history.length} steps; validation ${val}; ${Math.round(d.samplesPerSec ?? 0)} chars/s, step GPU ${d.stepGpuMs?.toFixed(1) ?? '-'} ms`);
    console.log(`  sample after step ${d.samples[0].step}: ${JSON.stringify(d.samples[0].text)} (${d.samples[0].charsPerSec.toFixed(0)} chars/s)`);

    expect(d.history.every((h) => Number.isFinite(h.loss))).toBe(true);
    // starts near ln(vocab), ends well below it and below what character frequencies alone give
    expect(first).toBeGreaterThan(Math.log(config.vocab) - 0.3);
    expect(last).toBeLessThan(first - 1);
    expect(last).toBeLessThan(baseline);
    const v = d.valHistory;
    expect(v[0].step).toBe(0);
    expect(v.length).toBeGreaterThanOrEqual(3);
    expect(v.at(-1)!.loss).toBeLessThan(v[0].loss - 1);
    expect(v.at(-1)!.loss).toBeLessThan(baseline);

    // a sample from the current weights, shown on the page
    const sample = d.samples[0];
    expect(sample.text.length).toBe(30);
    expect(sample.text).toMatch(/[a-z]/);
    const shown = await page.$eval('#sample', (e) => e.textContent ?? '');
    expect(shown).toBe(sample.prompt + sample.text);
    // "Sample now" while paused: a second sample from the same weights, at another temperature
    await page.$eval('#temperature', (e) => {
      (e as HTMLInputElement).value = '0.5';
      e.dispatchEvent(new Event('input'));
    });
    await page.click('#sample-now');
    await waitForDemo(page, 'd.samples.length === 2 && !d.sampling', 30_000);
    const again = await page.evaluate(() => (window.sgDemo.samples as SampleRecord[])[1]);
    expect(again.step).toBe(d.history.at(-1)!.step);
    expect(again.temperature).toBe(0.5);
    expect(again.text.length).toBe(30);
    expect(await page.$eval('#sample', (e) => e.textContent ?? '')).toBe(again.prompt + again.text);
    const stats = await page.$eval('#stats', (e) => e.textContent ?? '');
    expect(stats).toMatch(/samples\/s\d/);

    await screenshot(page, 'charlm');
    console.log(`  test took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    expect(problems).toEqual([]);
  });
});

describe.skipIf(!haveChromium)('char-level GPT page without WebGPU', () => {
  const env = useSiteAndBrowser(false);
  test('explains how to get WebGPU, without an error', async () => {
    const { page, problems } = await openPage(env.browser, `${env.site.url}demos/charlm/`);
    await waitForDemo(page, "d.state === 'no-webgpu'", 30_000);
    expect(await page.$eval('.no-webgpu', (e) => e.textContent ?? '')).toContain('enable-unsafe-webgpu');
    expect(await page.$eval('#app', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect(problems.filter((p) => p !== BROWSER_NO_ADAPTER_WARNING)).toEqual([]);
  });
});
