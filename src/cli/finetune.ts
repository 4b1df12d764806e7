// `shadergrad finetune`: transfer learning from a `train --checkpoint` model to other MNIST classes (the
// course's task: pre-train on digits 0–4, adapt to 5–9). The checkpoint's last Linear (its head) is
// replaced by a fresh one; then the rest is trained in full (default), frozen (`--freeze backbone`:
// feature extraction), or frozen under rank-r LoRA adapters (`--lora-rank r`). With --out the adapted
// model is saved as a plain checkpoint (LoRA merged into the weights), which classify, serve and export read.
import { ValueError } from '../core/errors.js';
import { deriveSeed } from '../core/random.js';
import { DataLoader } from '../data/dataloader.js';
import { mnistDataset, selectDigits } from '../data/mnist.js';
import { checkWritableFilePath } from '../node/files.js';
import { loadMnist } from '../node/mnist-files.js';
import * as sg from '../node/index.js';
import { evaluate } from '../train/loop.js';
import { formatDigits } from './digits.js';
import { countParams, fitEpochs, openMnistCheckpoint, pct, type RunOptions } from './fit.js';
import { printJsonLine } from './json-line.js';
import { OPTIMIZERS } from './models.js';

export interface FinetuneOptions extends RunOptions {
  checkpoint: string;
  /** The classes to adapt to (train and test on). */
  digits: number[];
  /** LoRA adapters of this rank on every layer but the head, the base frozen. */
  loraRank?: number;
  /** LoRA's alpha (the update is scaled by alpha / rank); default: LORA_ALPHA_PER_RANK · rank. */
  loraAlpha?: number;
  /** With --lora-rank: quantize the frozen base to int8 first (LoRA over an int8 base; the new head stays float). */
  int8Base?: boolean;
  /** 'backbone': train the new head only (feature extraction). */
  freeze?: 'backbone';
  epochs: number;
  /** Save the adapted model (LoRA merged) here. */
  out?: string;
  maxSteps?: number;
}

export type FinetuneMode = 'full' | 'frozen-backbone' | 'lora';

/**
 * Adam's (and AdamW's) learning rate per mode when --lr is not given, and LoRA's alpha per unit of rank,
 * chosen by measurement (LeNet pre-trained on 0–4, 3 epochs on 5–9; README, "Transfer learning"): a head
 * alone learns best at a larger rate, and LoRA with alpha = rank (a scaling of 1) at 1e-2 reached 93.6%
 * where alpha = 4·rank at 5e-3 reached 97.1%. SGD keeps its own default.
 */
const ADAM_LR: Record<FinetuneMode, number> = { full: 2e-3, 'frozen-backbone': 1e-2, lora: 5e-3 };
export const LORA_ALPHA_PER_RANK = 4;


/** The model's head: its last Linear, depth first (every MNIST model of `train` ends in one). */
function lastLinear(model: sg.nn.Module): sg.nn.Linear {
  const linears = sg.nn.findModules(model, (m): m is sg.nn.Linear => m instanceof sg.nn.Linear);
  if (linears.length === 0) throw new ValueError('finetune: the model has no Linear layer to use as its head');
  return linears[linears.length - 1];
}

export async function finetune(options: FinetuneOptions): Promise<{ testAccuracy: number; mode: FinetuneMode }> {
  if (options.loraRank !== undefined && options.freeze) throw new ValueError('give at most one of --lora-rank and --freeze: LoRA already freezes the base it adapts');
  if (options.loraAlpha !== undefined && options.loraRank === undefined) throw new ValueError('--lora-alpha needs --lora-rank');
  if (options.int8Base && options.loraRank === undefined) throw new ValueError('--int8-base needs --lora-rank (the adapters are what trains over the frozen int8 base)');
  if (options.maxSteps !== undefined && options.out) throw new ValueError('--max-steps cannot go with --out: the saved model would be trained for part of an epoch only');
  const mode: FinetuneMode = options.loraRank !== undefined ? 'lora' : options.freeze ? 'frozen-backbone' : 'full';
  const { source } = await openMnistCheckpoint(options.checkpoint, '--checkpoint');
  if (options.out) await checkWritableFilePath(options.out, '--out');
  const log = (line: string) => !options.quiet && console.log(line);

  const [all] = await Promise.all([loadMnist(), sg.init()]);
  try {
    const train = selectDigits(all.train, options.digits);
    const test = selectDigits(all.test, options.digits);
    const { sampleShape, recipe } = source.entry;
    const trainLoader = new DataLoader(mnistDataset(train, sampleShape), { batchSize: options.batchSize, shuffle: true, seed: options.seed });
    const testLoader = new DataLoader(mnistDataset(test, sampleShape), { batchSize: 500 });

    sg.manualSeed(options.seed);
    const model = source.build(sg);
    const baseTestAccuracy = await evaluate(model, testLoader); // before: the pre-trained head on the new classes
    const oldHead = lastLinear(model);
    const head = new sg.nn.Linear(oldHead.inFeatures, oldHead.outFeatures, { seed: deriveSeed(options.seed, 1) });
    sg.nn.replaceModules(model, (m) => (m === oldHead ? head : null));
    const alpha = options.loraAlpha ?? LORA_ALPHA_PER_RANK * (options.loraRank ?? 0);
    if (mode !== 'full') model.freeze();
    head.unfreeze();
    if (options.int8Base) await sg.nn.quantize(model, { skip: (layer) => layer === head });
    if (mode === 'lora') sg.nn.addLoRA(model, { rank: options.loraRank!, alpha, seed: deriveSeed(options.seed, 2) }, (layer) => layer === head);
    model.train();
    const trainable = model.parameters().filter((p) => p.requiresGrad);
    // an int8 base holds its weights as buffers: counted with the parameters they were
    const int8Layers = sg.nn.findModules(model, (m): m is sg.nn.QuantizedLinear | sg.nn.QuantizedConv2d => m instanceof sg.nn.QuantizedLinear || m instanceof sg.nn.QuantizedConv2d);
    const totalParams = countParams(model.parameters()) + int8Layers.reduce((n, l) => n + l.storedParameterCount, 0);
    const trainableParams = countParams(trainable);

    const lr = options.lr ?? (options.optimizer === 'sgd' ? OPTIMIZERS.sgd.defaultLr : ADAM_LR[mode]);
    const opt = OPTIMIZERS[options.optimizer].build(sg, trainable, lr);
    const what = mode === 'lora' ? `LoRA rank ${options.loraRank} (alpha ${alpha}) over the frozen${options.int8Base ? ' int8' : ''} model` : mode === 'frozen-backbone' ? 'the new head over the frozen backbone' : 'every layer';
    log(
      `finetune ${source.name} from ${options.checkpoint} on digits ${formatDigits(options.digits)} (${train.count} train / ${test.count} test): ` +
        `a new head, training ${what}; ${trainableParams} of ${totalParams} parameters trainable (${pct(trainableParams / totalParams)}); ` +
        `${options.optimizer} lr ${lr}, batch ${options.batchSize}, ${options.epochs} epochs; before: ${pct(baseTestAccuracy)} on these digits`,
    );

    const fit = await fitEpochs({ model, opt, train: trainLoader, test: testLoader, epochs: options.epochs, recipe, seed: options.seed, quiet: options.quiet, maxSteps: options.maxSteps });
    const { last, seconds } = fit;
    const testAccuracy = fit.steps > 0 ? fit.testAccuracy : baseTestAccuracy;

    // the adapters folded into the weights: what is saved is the plain model, and it must classify as the adapted one did
    sg.nn.mergeLoRA(model);
    const mergedTestAccuracy = await evaluate(model, testLoader);
    if (options.out) {
      const extra = { model: source.name, hidden: source.hidden, digits: options.digits, finetunedFrom: options.checkpoint, mode, testAccuracy: mergedTestAccuracy };
      await sg.saveCheckpoint(options.out, { model }, { epoch: options.epochs, step: opt.stepCount, extra });
      log(`saved the adapted model${mode === 'lora' ? ' (LoRA merged)' : ''} to ${options.out}`);
    }
    console.log(`test accuracy ${pct(testAccuracy)} on digits ${formatDigits(options.digits)} (${mode}, ${trainableParams} of ${totalParams} parameters trained, ${seconds.toFixed(1)} s)`);
    if (options.json) {
      printJsonLine({
        command: 'finetune',
        model: source.name,
        config: {
          checkpoint: options.checkpoint, digits: formatDigits(options.digits), mode, epochs: options.epochs, batch_size: options.batchSize, lr, optimizer: options.optimizer, seed: options.seed,
          ...(mode === 'lora' && { lora_rank: options.loraRank, lora_alpha: alpha, int8_base: options.int8Base ?? false }),
          ...(options.maxSteps !== undefined && { max_steps: options.maxSteps }),
        },
        metrics: {
          test_accuracy: testAccuracy, merged_test_accuracy: mergedTestAccuracy, base_test_accuracy: baseTestAccuracy,
          trainable_params: trainableParams, total_params: totalParams, trainable_fraction: trainableParams / totalParams,
          train_loss: last?.loss ?? null, samples_per_second: last ? last.samples / last.seconds : null, seconds,
        },
      });
    }
    return { testAccuracy, mode };
  } finally {
    sg.destroy();
  }
}
