// The frame every demo page shares: WebGPU check, a plain explanation where it is missing, errors
// shown on the page, and the page's numbers published for people and tests alike:
// `window.sgDemo` (state, step, loss, accuracy, ...) and data-* attributes on <body>.
import * as sg from '../index.js';
import { HOW_TO_ENABLE, adapterName, probeWebGPU, type WebGPUReport } from './webgpu.js';

export type DemoStateName = 'loading' | 'ready' | 'running' | 'paused' | 'done' | 'no-webgpu' | 'error';

export interface DemoState {
  state: DemoStateName;
  webgpu: WebGPUReport | null;
  step: number;
  loss: number | null;
  accuracy: number | null;
  samplesPerSec: number | null;
  stepMs: number | null;
  /** GPU milliseconds of the last step (timestamp queries), when the adapter offers them. */
  stepGpuMs: number | null;
  /** One entry per step: what the chart shows. */
  history: { step: number; loss: number; accuracy: number | null }[];
  error: string | null;
  /** Page-specific extras (prediction, benchmark rows, ...). */
  [extra: string]: unknown;
}

declare global {
  interface Window {
    sgDemo: DemoState;
  }
}

export const demo: DemoState = {
  state: 'loading',
  webgpu: null,
  step: 0,
  loss: null,
  accuracy: null,
  samplesPerSec: null,
  stepMs: null,
  stepGpuMs: null,
  history: [],
  error: null,
};
if (typeof window !== 'undefined') window.sgDemo = demo;

export function setState(state: DemoStateName): void {
  demo.state = state;
  document.body.dataset.state = state;
}

/** Mirrors the headline numbers to data-* attributes of <body> (handy for tests and CSS). */
export function publish(): void {
  const b = document.body.dataset;
  b.step = String(demo.step);
  if (demo.loss !== null) b.loss = String(demo.loss);
  if (demo.accuracy !== null) b.accuracy = String(demo.accuracy);
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`page is missing #${id}`);
  return e as T;
}

/** The "no WebGPU here" box: what is missing, and how to get it. */
export function explainNoWebGPU(parent: HTMLElement, reason: string): void {
  parent.replaceChildren(
    el('div', { class: 'no-webgpu', role: 'alert' },
      el('h2', {}, 'WebGPU is not available in this browser'),
      el('p', {}, `shadergrad runs every tensor operation as a WebGPU compute shader, so it needs WebGPU. Here: ${reason}.`),
      el('p', {}, 'To enable it:'),
      el('ul', {}, ...HOW_TO_ENABLE.map((line) => el('li', {}, line))),
    ),
  );
}

export function showError(e: unknown): void {
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  demo.error = message;
  setState('error');
  const box = document.getElementById('error');
  if (box) {
    box.hidden = false;
    box.textContent = message;
  }
  console.error('shadergrad demo:', e);
}

/**
 * Checks WebGPU and starts the engine. Returns false (after explaining on the page, without throwing
 * or logging an error) where WebGPU is missing.
 */
export async function bootDemo(): Promise<boolean> {
  window.addEventListener('unhandledrejection', (ev) => showError(ev.reason));
  const status = byId('gpu-status');
  const report = await probeWebGPU();
  demo.webgpu = report;
  if (!report.available) {
    explainNoWebGPU(status, report.reason!);
    setState('no-webgpu');
    return false;
  }
  try {
    await sg.init();
  } catch (e) {
    if (!(e instanceof sg.GPUUnavailableError)) throw e;
    explainNoWebGPU(status, e.message);
    setState('no-webgpu');
    return false;
  }
  const info = sg.deviceInfo();
  const timestamps = info.features.includes('timestamp-query');
  status.replaceChildren(
    el('span', { class: 'ok' }, '● WebGPU'),
    ` ${adapterName(report.adapter!)}${report.adapter!.isFallbackAdapter ? ' (software fallback adapter)' : ''}; `,
    `timestamp queries: ${timestamps ? 'yes' : 'no'}`,
  );
  byId('app').hidden = false;
  setState('ready');
  return true;
}

/** Runs GPU work one piece at a time (a training step, a prediction), in call order. */
export class GpuQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export const fmt = (x: number | null, digits = 4): string => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(digits));
export const pct = (x: number | null): string => (x === null ? '–' : `${(100 * x).toFixed(1)}%`);
