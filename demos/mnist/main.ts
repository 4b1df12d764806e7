// MNIST demo: an MLP trains live; draw a digit and the current model classifies it.
import * as sg from '../../src/index.js';
import { LeNet } from '../../src/models/lenet.js';
import { MetricsChart } from '../../src/demo-kit/chart.js';
import { GpuQueue, bootDemo, byId, demo, el, showError } from '../../src/demo-kit/page.js';
import { TrainLoop } from '../../src/demo-kit/trainer.js';
import { drawingPad } from '../../src/demo-kit/drawing-pad.js';
import { classifierStep, endless, evaluate } from '../../src/train/loop.js';
import { showInside } from './inside.js';

const BATCH = 64;
const TEST_EVERY = 100;

/** The models the page offers (?model=...): LeNet-5 by default, the MLP of `npm start` as the fast one. */
const MODELS = {
  lenet: { label: 'LeNet-5 (conv 6 → pool → conv 16 → pool → 120 → 84 → 10)', sampleShape: [1, 28, 28], build: () => new LeNet() },
  mlp: {
    label: 'MLP 784 → 128 → 10 (ReLU)',
    sampleShape: [784],
    build: () => new sg.nn.Sequential(new sg.nn.Linear(784, 128), new sg.nn.ReLU(), new sg.nn.Linear(128, 10)),
  },
};
type ModelName = keyof typeof MODELS;

async function main(): Promise<void> {
  if (!(await bootDemo())) return;
  const gpu = new GpuQueue();
  const button = byId<HTMLButtonElement>('toggle');

  const requested = new URLSearchParams(location.search).get('model') ?? 'lenet';
  const name: ModelName = requested in MODELS ? (requested as ModelName) : 'lenet';
  const entry = MODELS[name];
  const select = byId<HTMLSelectElement>('model');
  select.replaceChildren(...Object.entries(MODELS).map(([k, m]) => el('option', { value: k }, m.label)));
  select.value = name;
  select.addEventListener('change', () => (location.search = `?model=${select.value}`));

  const mnist = await sg.data.loadMnist(sg.data.fetchMnistDigits('../../dist/data/mnist'));
  const loader = new sg.data.DataLoader(sg.data.mnistDataset(mnist.train, entry.sampleShape), { batchSize: BATCH, shuffle: true, seed: 0, dropLast: true });
  sg.manualSeed(0);
  const model = entry.build();
  const opt = new sg.optim.Adam(model.parameters(), { lr: 2e-3 });
  demo.model = name;
  demo.testAccuracy = null as number | null;

  const testLoader = new sg.data.DataLoader(sg.data.mnistDataset(mnist.test, entry.sampleShape), { batchSize: 500 });

  const chart = new MetricsChart(byId('chart'), [
    { label: 'loss', color: '#c0392b', scale: 'loss' },
    { label: 'train acc (last 20 steps)', color: '#3d6fd8', scale: 'acc' },
    { label: 'test acc', color: '#1a8a3a', scale: 'acc', points: true },
  ]);
  let lastTest: number | null = null;
  new TrainLoop({
    optimizer: opt,
    batches: endless(loader),
    record: classifierStep((x) => model.forward(x)),
    button,
    stats: byId('stats'),
    chart,
    gpu,
    extraSeries: () => [lastTest],
    afterStep: async (n) => {
      lastTest = null;
      if (n % TEST_EVERY === 0) {
        lastTest = await gpu.run(() => evaluate(model, testLoader));
        demo.testAccuracy = lastTest;
      }
    },
  });
  button.disabled = false;
  button.textContent = 'Start training';

  const serveUrl = byId<HTMLInputElement>('serve-url');
  serveUrl.value = new URLSearchParams(location.search).get('serve') ?? '';
  const inside = byId('inside');
  inside.parentElement!.hidden = entry.sampleShape.length !== 3; // the MLP has no convolutions to show
  setUpDrawing(byId<HTMLCanvasElement>('pad'), async (pixels) => {
    const served = serveUrl.value.trim() ? askServer(serveUrl.value.trim(), pixels) : null;
    const probs = await gpu.run(() => sg.noGrad(() => model.forward(sg.tensor(pixels, [1, ...entry.sampleShape])).softmax(1)).data());
    showPrediction(Array.from(probs));
    if (entry.sampleShape.length === 3) await gpu.run(() => showInside(inside, model, pixels));
    if (served) await served;
  });
  showPrediction(null);
}

/**
 * POSTs the digit to a `shadergrad serve` model URL (…/v1/models/NAME) in TF Serving's shape and shows its
 * answer beside the in-browser one; a failure (server down, CORS off) is shown there, not thrown.
 */
async function askServer(modelUrl: string, pixels: Float32Array): Promise<void> {
  const box = byId('served');
  const t0 = performance.now();
  try {
    const res = await fetch(`${modelUrl.replace(/\/$/, '')}:predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: [Array.from(pixels)] }) });
    const json = (await res.json()) as { predictions?: { class: number; probabilities: number[] }[]; error?: string };
    if (!res.ok || !json.predictions) throw new Error(json.error ?? `HTTP ${res.status}`);
    const p = json.predictions[0];
    demo.served = p;
    demo.servedDigit = Array.from(pixels); // what was sent, for tests to ask the server themselves
    box.textContent = `the served model says: ${p.class} (${(100 * p.probabilities[p.class]).toFixed(1)}%), ${Math.round(performance.now() - t0)} ms round trip`;
  } catch (e) {
    demo.served = { error: (e as Error).message };
    box.textContent = `the server did not answer: ${(e as Error).message} (is it running with --cors?)`;
  }
}

function showPrediction(probs: number[] | null): void {
  const box = byId('probs');
  const top = probs ? probs.indexOf(Math.max(...probs)) : -1;
  demo.prediction = probs ? { digit: top, probs } : null;
  byId('guess').textContent = probs ? `the model says: ${top} (${(100 * probs[top]).toFixed(1)}%)` : 'draw a digit in the box';
  box.replaceChildren(
    ...Array.from({ length: 10 }, (_, d) => {
      const p = probs ? probs[d] : 0;
      return [el('span', {}, String(d)), el('div', { class: d === top ? 'bar top' : 'bar', style: `width:${(100 * p).toFixed(1)}%` }), el('span', {}, probs ? `${(100 * p).toFixed(1)}%` : '')];
    }).flat(),
  );
}

/**
 * Mouse/touch drawing on a 280×280 canvas; after each stroke (and while drawing, at most every 150 ms)
 * the drawing is turned into an MNIST-like 28×28 digit: cropped, scaled so its longer side is 20 px,
 * centred by its centre of mass, as the MNIST digits were made.
 */
function setUpDrawing(canvas: HTMLCanvasElement, onDigit: (pixels: Float32Array) => Promise<void>): void {
  let lastPredict = 0;
  let busy = false;
  const predict = async (force: boolean) => {
    if (busy || (!force && performance.now() - lastPredict < 150)) return;
    const pixels = toMnist(canvas);
    if (!pixels) return;
    busy = true;
    lastPredict = performance.now();
    try {
      await onDigit(pixels);
    } catch (e) {
      showError(e);
    } finally {
      busy = false;
    }
  };
  const pad = drawingPad(canvas, {
    lineWidth: 22,
    onMove: () => void predict(false),
    // the final prediction waits for one in flight, so the last stroke is always classified
    onEnd: () => {
      const settle = async () => {
        while (busy) await new Promise((r) => setTimeout(r, 20));
        await predict(true);
      };
      void settle();
    },
    onClear: () => showPrediction(null),
  });
  byId('clear').addEventListener('click', pad.clear);
}

/** The canvas as a 28×28 MNIST-style digit in [0, 1], or null when nothing is drawn. */
function toMnist(canvas: HTMLCanvasElement): Float32Array | null {
  const { width: W, height: H } = canvas;
  const src = canvas.getContext('2d')!.getImageData(0, 0, W, H).data;
  let x0 = W, y0 = H, x1 = -1, y1 = -1;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      if (src[(y * W + x) * 4] > 32) {
        x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      }
  if (x1 < 0) return null;
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const s = 20 / Math.max(w, h);
  // scale the bounding box into a 20×20 box (smoothing averages the pixels), then centre by mass
  const small = document.createElement('canvas');
  small.width = small.height = 28;
  const sctx = small.getContext('2d', { willReadFrequently: true })!;
  sctx.imageSmoothingEnabled = true;
  sctx.imageSmoothingQuality = 'high';
  sctx.drawImage(canvas, x0, y0, w, h, (28 - w * s) / 2, (28 - h * s) / 2, w * s, h * s);
  const boxed = sctx.getImageData(0, 0, 28, 28).data;
  let m = 0, mx = 0, my = 0;
  for (let i = 0; i < 784; i++) {
    const v = boxed[i * 4] / 255;
    m += v; mx += v * (i % 28); my += v * Math.floor(i / 28);
  }
  const dx = Math.round(13.5 - mx / m);
  const dy = Math.round(13.5 - my / m);
  const out = new Float32Array(784);
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) {
      const sx = x - dx;
      const sy = y - dy;
      if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) out[y * 28 + x] = boxed[(sy * 28 + sx) * 4] / 255;
    }
  return out;
}

main().catch(showError);
