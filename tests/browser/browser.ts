// Browser-test plumbing: build the bundles, serve the repository on a free localhost port, drive Debian's
// chromium through puppeteer-core, and collect everything a page says (console, page errors, failed
// requests) so that tests can assert a clean run.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll } from 'vitest';
// @ts-expect-error: plain ESM scripts without type declarations
import { ROOT, build } from '../../scripts/build.mjs';
// @ts-expect-error: plain ESM scripts without type declarations
import { startServer } from '../../scripts/serve.mjs';

export const CHROMIUM = process.env.SHADERGRAD_CHROMIUM ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
export const noChromiumReason = `no chromium at ${CHROMIUM}: run \`SHADERGRAD_WANT_CHROMIUM=1 bash scripts/setup.sh\` (npm test's pretest does)`;
if (!haveChromium) console.warn(`browser tests skipped: ${noChromiumReason}`);

const BASE_ARGS = ['--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];
/**
 * WebGPU in headless chromium on a GPU-less Linux box. --enable-unsafe-webgpu is the switch that matters:
 * Chromium 156's Dawn then offers its CPU Vulkan adapters. It lists Mesa's lavapipe but marks it
 * "Blocklisted: CPU adapters not fully tested or conformant" and picks its bundled SwiftShader (Vulkan on
 * the CPU, reported as a fallback adapter); no flag we tried (--use-vulkan=native, --use-angle=vulkan,
 * --ignore-gpu-blocklist, --use-webgpu-adapter=default, --disable-features=AdapterBlockList) changes that.
 */
export const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--ignore-gpu-blocklist'];
/**
 * The same browser with WebGPU switched off: what a visitor without WebGPU sees. (navigator.gpu still
 * exists there; requestAdapter() resolves to null and chromium itself logs the warning below.)
 */
export const NO_WEBGPU_ARGS = ['--disable-webgpu'];
/** Chromium's own console warning when requestAdapter() finds nothing: the browser's, not the page's. */
export const BROWSER_NO_ADAPTER_WARNING = 'console.warn: No available adapters.';

export { ROOT };
export const SCREENS = join(ROOT, 'tests/browser/screens');

export interface Site {
  url: string;
  close(): Promise<void>;
}

let built: Promise<void> | null = null;

/** Builds dist/ once per test process, then serves the repository on a free port. */
export async function serveSite(): Promise<Site> {
  built ??= build({ quiet: true });
  await built;
  return startServer({ port: 0 });
}

/**
 * Serves the site and launches Chromium (with or without WebGPU) before the enclosing describe block's
 * tests, and closes both after them. Read `env.site` and `env.browser` inside the tests.
 */
export function useSiteAndBrowser(webgpu = true): { site: Site; browser: Browser } {
  const env = {} as { site: Site; browser: Browser };
  beforeAll(async () => {
    env.site = await serveSite();
    env.browser = await launch(webgpu);
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.site?.close();
  });
  return env;
}

export function launch(webgpu = true): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...BASE_ARGS, ...(webgpu ? WEBGPU_ARGS : NO_WEBGPU_ARGS)],
    defaultViewport: { width: 1200, height: 900 },
    env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
  });
}

export interface OpenedPage {
  page: Page;
  /** Console errors and warnings, uncaught page errors, failed or 4xx/5xx requests. */
  problems: string[];
  /** Every console message, for the log when a test fails. */
  messages: string[];
}

export async function openPage(browser: Browser, url: string): Promise<OpenedPage> {
  const page = await browser.newPage();
  const problems: string[] = [];
  const messages: string[] = [];
  page.on('console', (m) => {
    const line = `console.${m.type()}: ${m.text()}`;
    messages.push(line);
    if (m.type() === 'error' || m.type() === 'warn') problems.push(line);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${(e as Error).message ?? e}`));
  // offline: everything comes from the local server (data: URLs aside)
  const origin = new URL(url).origin;
  page.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) problems.push(`request outside ${origin}: ${r.url()}`);
  });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems, messages };
}

/** Waits until `window.sgDemo` satisfies `predicate` (a function source evaluated in the page). */
export async function waitForDemo(page: Page, predicate: string, timeout = 60_000): Promise<void> {
  await page.waitForFunction(`(() => { const d = window.sgDemo; return d && (d.state === 'error' || (${predicate})); })()`, { timeout, polling: 100 });
  const error = await page.evaluate(() => window.sgDemo.error);
  if (error) throw new Error(`page error: ${error}`);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENS, { recursive: true });
  const path = join(SCREENS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Draws one stroke through `points` (in the canvas' own pixels: 280×280 on the MNIST page) on the page's #pad with the mouse. */
export async function drawStroke(page: Page, points: [number, number][], canvasSize = 280) {
  const box = (await (await page.$('#pad'))!.boundingBox())!;
  const at = ([x, y]: [number, number]) => [box.x + (x * box.width) / canvasSize, box.y + (y * box.height) / canvasSize] as const;
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 4 });
  await page.mouse.up();
}
