// Edge inference: a model exported by `shadergrad export --onnx` runs in the page on WebGPU. The page
// measures what someone shipping it would ask: file size, import time, the first (cold: pipelines are
// compiled) inference, warm latency for one digit and for a batch, and held-out accuracy. Numbers go to
// window.sgDemo.edge for tests. The model comes from the file picker or from `?model=<url>`.
import * as sg from '../../src/index.js';
import { bootDemo, byId, demo, el, setState, showError } from '../../src/demo-kit/page.js';

const SINGLE_RUNS = 20;
const BATCH = 100;
const BATCH_RUNS = 5;

export interface EdgeReport {
  fileBytes: number;
  parameters: number;
  inputShape: (number | string | null)[];
  importMs: number;
  firstMs: number;
  singleMs: number;
  batchMs: number;
  accuracy: number;
  tested: number;
  /** argmax of the first BATCH held-out digits, and their softmax probabilities (row-major). */
  predictions: number[];
  probabilities: number[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** The digit-batch shape the model's first input declares, or an error saying what it declares instead. */
function batchShape(model: sg.onnx.OnnxModel, n: number): number[] {
  const dims = model.inputShapes[0] ?? [];
  const fixed = dims.slice(1);
  const flat = fixed.length === 1 && fixed[0] === 784;
  const image = fixed.length === 3 && fixed[0] === 1 && fixed[1] === 28 && fixed[2] === 28;
  if (model.inputNames.length !== 1 || !(flat || image))
    throw new sg.ShapeError(`this page runs MNIST classifiers taking [batch, 784] or [batch, 1, 28, 28]; the model's inputs are ${model.inputNames.map((name, i) => `${name} [${model.inputShapes[i].join(', ')}]`).join(', ')}`);
  return [n, ...(fixed as number[])];
}

/** Runs the model on `count` digits from `images` (784 floats each); returns the logits, read back. */
async function infer(model: sg.onnx.OnnxModel, images: Float32Array, count: number): Promise<Float32Array> {
  const x = sg.tensor(images.subarray(0, count * 784), batchShape(model, count));
  const y = sg.noGrad(() => model.forward(x)); // the recording is synchronous; the readback below is not
  const out = (await y.data()) as Float32Array;
  x.dispose();
  y.dispose();
  return out;
}

function softmaxRows(logits: Float32Array, classes: number): { argmax: number[]; probs: number[] } {
  const argmax: number[] = [];
  const probs: number[] = [];
  for (let r = 0; r < logits.length / classes; r++) {
    const row = logits.subarray(r * classes, (r + 1) * classes);
    const m = Math.max(...row);
    const e = Array.from(row, (v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    probs.push(...e.map((v) => v / s));
    argmax.push(row.indexOf(m));
  }
  return { argmax, probs };
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await f();
  return [v, performance.now() - t0];
}

async function measure(bytes: ArrayBuffer, test: sg.data.MnistSplit): Promise<EdgeReport> {
  const [model, importMs] = await timed(async () => sg.onnx.importModel(bytes));
  model.eval();
  const parameters = model.parameters().reduce((n, p) => n + p.size, 0);
  const [, firstMs] = await timed(() => infer(model, test.images, 1));
  const single: number[] = [];
  for (let i = 0; i < SINGLE_RUNS; i++) single.push((await timed(() => infer(model, test.images.subarray(i * 784), 1)))[1]);
  const batch: number[] = [];
  for (let i = 0; i < BATCH_RUNS; i++) batch.push((await timed(() => infer(model, test.images, BATCH)))[1]);
  let correct = 0;
  let first: { argmax: number[]; probs: number[] } | null = null;
  for (let start = 0; start < test.count; start += BATCH) {
    const n = Math.min(BATCH, test.count - start);
    const logits = await infer(model, test.images.subarray(start * 784), n);
    const r = softmaxRows(logits, logits.length / n);
    first ??= r;
    r.argmax.forEach((k, i) => (correct += k === test.labels[start + i] ? 1 : 0));
  }
  return {
    fileBytes: bytes.byteLength,
    parameters,
    inputShape: model.inputShapes[0],
    importMs,
    firstMs,
    singleMs: median(single),
    batchMs: median(batch),
    accuracy: correct / test.count,
    tested: test.count,
    predictions: first!.argmax,
    probabilities: first!.probs,
  };
}

function show(r: EdgeReport, source: string): void {
  const row = (k: string, v: string) => el('tr', {}, el('td', {}, k), el('td', {}, v));
  byId('stats').replaceChildren(
    el('table', {},
      el('tbody', {},
        row('model', source),
        row('file size', `${(r.fileBytes / 1024).toFixed(1)} KiB (${r.parameters.toLocaleString('en-US')} parameters)`),
        row('input', `[${r.inputShape.join(', ')}]`),
        row('import', `${r.importMs.toFixed(1)} ms`),
        row('first inference (compiles the pipelines)', `${r.firstMs.toFixed(1)} ms`),
        row(`one digit (median of ${SINGLE_RUNS}, with readback)`, `${r.singleMs.toFixed(2)} ms`),
        row(`batch of ${BATCH} (median of ${BATCH_RUNS})`, `${r.batchMs.toFixed(1)} ms (${(r.batchMs / BATCH).toFixed(3)} ms per digit)`),
        row('held-out accuracy', `${(100 * r.accuracy).toFixed(2)}% of ${r.tested} digits`),
      ),
    ),
  );
}

async function main(): Promise<void> {
  if (!(await bootDemo())) return;
  const mnist = await sg.data.loadMnist(sg.data.fetchMnistDigits('../../dist/data/mnist'));
  let busy = false;
  const run = async (bytes: ArrayBuffer, source: string) => {
    if (busy) return;
    busy = true;
    demo.error = null; // a new file after a refused one starts clean
    byId('error').hidden = true;
    setState('running');
    try {
      const report = await measure(bytes, mnist.test);
      demo.edge = report;
      demo.accuracy = report.accuracy;
      show(report, source);
      setState('done');
    } catch (e) {
      showError(e);
    } finally {
      busy = false;
    }
  };
  byId<HTMLInputElement>('file').addEventListener('change', (ev) => {
    const file = (ev.target as HTMLInputElement).files?.[0];
    if (file) void file.arrayBuffer().then((b) => run(b, file.name));
  });
  setState('ready');
  const url = new URLSearchParams(location.search).get('model');
  if (url) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`could not fetch the model ${url}: HTTP ${res.status}`);
    await run(await res.arrayBuffer(), url);
  }
}

main().catch(showError);
