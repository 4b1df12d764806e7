// What the serve tests share: a quickly trained MNIST MLP saved as a `train --checkpoint` file (as the
// CLI writes one: the model name and width in its extras), a server on a free port, and a JSON client.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataLoader } from '../../src/data/dataloader.js';
import { mnistDataset, MNIST_PIXELS, type MnistSplit } from '../../src/data/mnist.js';
import { loadMnist } from '../../src/node/mnist-files.js';
import * as sg from '../../src/node/index.js';
import { startServer, type ServeOptions, type Server } from '../../src/serve/server.js';
import { classifierStep, trainLoop } from '../../src/train/loop.js';

export const HIDDEN = 32;

/** A scratch folder, removed by the returned function. */
export function scratchDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sg-serve-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Trains an MLP 784-32-10 for `steps` Adam steps of 64 training digits (seed `seed`) and saves it at
 * `path` as `train --checkpoint` would. 150 steps reach about 85-90% held-out accuracy in a few seconds.
 */
export async function trainCheckpoint(path: string, { steps = 150, seed = 0 } = {}): Promise<void> {
  const mnist = await loadMnist();
  sg.manualSeed(seed);
  const model = new sg.nn.Sequential(new sg.nn.Linear(784, HIDDEN), new sg.nn.ReLU(), new sg.nn.Linear(HIDDEN, 10));
  const optimizer = new sg.optim.Adam(model.parameters(), { lr: 3e-3 });
  const loader = new DataLoader(mnistDataset(mnist.train), { batchSize: 64, shuffle: true, seed });
  const batches = loader[Symbol.iterator]();
  const limited = { next: () => (steps-- > 0 ? batches.next() : { done: true as const, value: undefined }), [Symbol.iterator]() { return this; } };
  model.train();
  await trainLoop({ optimizer, batches: limited, record: classifierStep((x) => model.forward(x)) });
  await sg.saveCheckpoint(path, { model, optimizer }, { epoch: 1, step: optimizer.stepCount, extra: { model: 'mlp', hidden: HIDDEN } });
}

/** A server on a free port (quiet unless it logs an error). */
export function serveOn(options: Omit<ServeOptions, 'port'>): Promise<Server> {
  return startServer({ port: 0, log: (line) => line.startsWith('error') && console.error(line), ...options });
}

/** Held-out digits number `indices` as nested-free instances (784 numbers each), optionally inverted. */
export function instances(split: MnistSplit, indices: number[], invert = false): number[][] {
  return indices.map((g) => Array.from(split.images.subarray(g * MNIST_PIXELS, (g + 1) * MNIST_PIXELS), (v) => (invert ? 1 - v : v)));
}

/** POSTs JSON (or a raw string body with a content type) and returns status and parsed JSON. */
export async function post(url: string, body: unknown, { raw, contentType = 'application/json' }: { raw?: string; contentType?: string } = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body: raw ?? JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) };
}

/** An untrained (seeded) MLP saved as a checkpoint: for tests where what it predicts does not matter. */
export async function randomCheckpoint(path: string, seed = 0): Promise<void> {
  sg.manualSeed(seed);
  const model = new sg.nn.Sequential(new sg.nn.Linear(784, HIDDEN), new sg.nn.ReLU(), new sg.nn.Linear(HIDDEN, 10));
  await sg.saveCheckpoint(path, { model }, { epoch: 0, step: 0, extra: { model: 'mlp', hidden: HIDDEN } });
}

/** Every held-out index i with i % every === 0: a sample of all ten classes (the split is sorted by class). */
export const spread = (count: number, every: number): number[] => Array.from({ length: Math.floor(count / every) }, (_, k) => k * every);

/** A metric's value from Prometheus text (the first line that starts with `series`). */
export function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' ') || l.startsWith(series + '{'));
  if (!line) throw new Error(`no metric ${series} in /metrics`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}
