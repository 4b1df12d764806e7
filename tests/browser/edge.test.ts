// The edge-inference page in headless chromium: a model exported by sg.onnx.exportModel in Node is picked
// in the page (or named by ?model=), imported and run on the tab's GPU; its probabilities on held-out
// digits equal Node's for the same file, and its size, latency and accuracy are reported. A file that is
// not ONNX is refused on the page with the importer's FormatError, and the next good file still runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ElementHandle } from 'puppeteer-core';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Module } from '../../src/nn/module.js';
import { classifierStep, trainStep } from '../../src/train/loop.js';
import { LeNet } from '../../src/models/lenet.js';
import { loadMnist } from '../../src/node/mnist-files.js';
import { useGpu } from '../helpers/gpu.js';
import { ROOT, haveChromium, noChromiumReason, openPage, screenshot, useSiteAndBrowser, waitForDemo } from './browser.js';

const sg = useGpu();
const MODELS = join(ROOT, 'dist/test-models');

interface EdgeReport {
  fileBytes: number;
  parameters: number;
  inputShape: (number | string | null)[];
  importMs: number;
  firstMs: number;
  singleMs: number;
  batchMs: number;
  accuracy: number;
  tested: number;
  predictions: number[];
  probabilities: number[];
}

interface Exported {
  path: string;
  bytes: number;
  /** Node's softmax probabilities for the first 100 held-out digits, and its accuracy on all of them. */
  probs: Float32Array;
  accuracy: number;
}

/** Exports `model` to dist/test-models/<name>.onnx and runs the same file through Node's importer. */
async function exportAndScore(name: string, model: Module, sampleShape: number[]): Promise<Exported> {
  const { test } = await loadMnist();
  const x = sg.tensor(test.images, [test.count, ...sampleShape]);
  const bytes = await sg.onnx.exportModel(model.eval(), x.slice([0], [1]));
  const imported = sg.onnx.importModel(bytes);
  const logits = sg.noGrad(() => imported.forward(x));
  const probs = (await logits.softmax(-1).slice([0], [100]).data()) as Float32Array;
  const predicted = (await logits.argmax(-1).data()) as Int32Array;
  const accuracy = predicted.reduce((n, k, i) => n + (k === test.labels[i] ? 1 : 0), 0) / test.count;
  mkdirSync(MODELS, { recursive: true });
  const path = join(MODELS, `${name}.onnx`);
  writeFileSync(path, bytes);
  return { path, bytes: bytes.byteLength, probs, accuracy };
}

/** An MLP 784 → 64 → 10 after 150 seeded Adam steps: confident, well-separated predictions. */
async function trainedMlp(): Promise<Module> {
  const { train } = await loadMnist();
  sg.manualSeed(0);
  const model = new sg.nn.Sequential(new sg.nn.Linear(784, 64), new sg.nn.ReLU(), new sg.nn.Linear(64, 10));
  const opt = new sg.optim.Adam(model.parameters(), { lr: 3e-3 });
  const loader = new sg.data.DataLoader(sg.data.mnistDataset(train), { batchSize: 64, shuffle: true, seed: 0, dropLast: true });
  const step = classifierStep((x) => model.forward(x));
  let steps = 0;
  for (const batch of loader) {
    await trainStep(opt, () => step(batch));
    if (++steps === 150) break;
  }
  return model;
}

function expectSameAsNode(report: EdgeReport, node: Exported) {
  expect(report.fileBytes).toBe(node.bytes);
  expect(report.tested).toBe(1000);
  expect(report.probabilities).toHaveLength(node.probs.length);
  let worst = 0;
  for (let i = 0; i < node.probs.length; i++) worst = Math.max(worst, Math.abs(report.probabilities[i] - node.probs[i]));
  expect(worst).toBeLessThan(1e-4);
  // argmax can only differ where two classes tie to float32 rounding: allow 2 such digits of 1,000
  expect(Math.abs(report.accuracy - node.accuracy)).toBeLessThanOrEqual(0.002);
  for (const ms of [report.importMs, report.firstMs, report.singleMs, report.batchMs]) expect(ms).toBeGreaterThan(0);
}

describe.skipIf(!haveChromium)(`edge inference page ${haveChromium ? '' : `(skipped: ${noChromiumReason})`}`, () => {
  const env = useSiteAndBrowser(true);
  let mlp: Exported;
  let lenet: Exported;
  beforeAll(async () => {
    mlp = await exportAndScore('edge-mlp', await trainedMlp(), [784]);
    sg.manualSeed(1);
    lenet = await exportAndScore('edge-lenet', new LeNet(), [1, 28, 28]);
  }, 60_000);

  test('a picked ONNX file runs in the page with Node\'s probabilities; a non-ONNX file is refused', { timeout: 90_000 }, async () => {
    const { page, problems } = await openPage(env.browser, `${env.site.url}demos/edge/`);
    await waitForDemo(page, "d.state === 'ready'");
    const input = (await page.$('#file')) as ElementHandle<HTMLInputElement>;

    const junk = join(MODELS, 'not-onnx.onnx');
    writeFileSync(junk, 'this is not a protobuf model');
    await input.uploadFile(junk);
    await page.waitForFunction("window.sgDemo.state === 'error'", { timeout: 30_000 });
    expect(await page.evaluate(() => window.sgDemo.error)).toMatch(/FormatError: onnx/);
    expect(await page.$eval('#error', (e) => e.textContent)).toMatch(/onnx/);

    await input.uploadFile(mlp.path);
    // the refused file left the state at 'error', which waitForDemo takes as an outcome: wait for the new run first
    await page.waitForFunction("window.sgDemo.state !== 'error'", { timeout: 30_000, polling: 50 });
    await waitForDemo(page, "d.state === 'done'", 60_000);
    const report = await page.evaluate(() => window.sgDemo.edge as EdgeReport);
    console.log(`  MLP: ${report.fileBytes} bytes, import ${report.importMs.toFixed(1)} ms, first ${report.firstMs.toFixed(1)} ms, one digit ${report.singleMs.toFixed(2)} ms, batch 100 ${report.batchMs.toFixed(1)} ms, accuracy ${report.accuracy} (Node ${mlp.accuracy})`);
    expect(report.inputShape).toEqual(['batch', 784]);
    expect(report.parameters).toBe(784 * 64 + 64 + 64 * 10 + 10);
    expectSameAsNode(report, mlp);
    expect(report.accuracy).toBeGreaterThan(0.8); // trained: the comparison is of real predictions
    await screenshot(page, 'edge');
    // the refused file's error is the only problem the page reported
    expect(problems.filter((p) => !p.includes('FormatError'))).toEqual([]);
  });

  test('?model= runs a convolutional net taking [batch, 1, 28, 28]', { timeout: 90_000 }, async () => {
    const { page, problems } = await openPage(env.browser, `${env.site.url}demos/edge/?model=../../dist/test-models/edge-lenet.onnx`);
    await waitForDemo(page, "d.state === 'done'", 60_000);
    const report = await page.evaluate(() => window.sgDemo.edge as EdgeReport);
    expect(report.inputShape).toEqual(['batch', 1, 28, 28]);
    expectSameAsNode(report, lenet);
    expect(problems).toEqual([]);
  });
});
