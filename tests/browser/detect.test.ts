// The detection page in headless chromium: it loads the shipped detector weights, and two digits drawn
// with the mouse apart from each other (a "1", then a "0") come back as boxes around each drawing with
// their classes; Clear empties the list; a file that is not a detector's is refused on the page.
import type { Page } from 'puppeteer-core';
import { describe, expect, test } from 'vitest';
import { drawStroke, haveChromium, noChromiumReason, openPage, screenshot, useSiteAndBrowser, waitForDemo } from './browser.js';

interface Det { x0: number; y0: number; x1: number; y1: number; cls: number; score: number }

const PAD = 384;
/** Pad pixels per canvas pixel (the detector sees the pad at 64×64). */
const K = PAD / 64;

/** Draws one stroke and waits for the detections of the whole drawing so far. */
async function drawAndDetect(page: Page, points: [number, number][]): Promise<Det[]> {
  const runs = await page.evaluate(() => window.sgDemo.detectRuns as number);
  await drawStroke(page, points, PAD);
  await waitForDemo(page, `d.detectRuns > ${runs} && d.detections !== null`, 60_000);
  return page.evaluate(() => window.sgDemo.detections as Det[]);
}

const contains = (d: Det, [x, y]: [number, number]) => x >= d.x0 && x <= d.x1 && y >= d.y0 && y <= d.y1;

describe.skipIf(!haveChromium)(`detection page ${haveChromium ? '' : `(skipped: ${noChromiumReason})`}`, () => {
  const env = useSiteAndBrowser(true);

  test('two digits drawn apart: a box around each, with its class', async () => {
    const { page, problems } = await openPage(env.browser, env.site.url + 'demos/detect/');
    await waitForDemo(page, "d.state === 'ready'", 90_000);
    expect(await page.evaluate(() => window.sgDemo.weights)).toBe('../../dist/data/detector.safetensors');
    // a "1" on the left: one stroke 110 px tall (18 of 64)
    const one = await drawAndDetect(page, [[100, 130], [98, 185], [96, 240]]);
    // a "0" on the right: an ellipse 110 px tall
    const ellipse = Array.from({ length: 25 }, (_, i): [number, number] => [270 + 35 * Math.sin((i / 24) * 2 * Math.PI), 190 - 55 * Math.cos((i / 24) * 2 * Math.PI)]);
    const both = await drawAndDetect(page, ellipse);
    console.log(`  after the 1: ${JSON.stringify(one)}\n  after the 0: ${JSON.stringify(both)}`);
    const oneCentre: [number, number] = [98 / K, 185 / K];
    const zeroCentre: [number, number] = [270 / K, 190 / K];
    expect(both.length).toBeGreaterThanOrEqual(2);
    const atOne = both.filter((d) => contains(d, oneCentre));
    const atZero = both.filter((d) => contains(d, zeroCentre));
    expect(atOne.map((d) => d.cls)).toContain(1);
    expect(atZero.map((d) => d.cls)).toContain(0);
    // no box spans both drawings
    expect(both.filter((d) => contains(d, oneCentre) && contains(d, zeroCentre))).toEqual([]);
    expect(await page.$$eval('#detections li', (li) => li.length)).toBe(both.length);
    await screenshot(page, 'detect');
    await page.click('#clear');
    expect(await page.evaluate(() => window.sgDemo.detections)).toEqual([]);
    expect(problems).toEqual([]);
  });

  test('weights that are not a detector\'s are refused on the page, by name', async () => {
    const { page } = await openPage(env.browser, env.site.url + 'demos/detect/?weights=../../package.json');
    await waitForDemo(page, "d.state === 'error'", 60_000).catch(() => undefined);
    expect(await page.evaluate(() => window.sgDemo.error)).toMatch(/FormatError/);
  });
});
