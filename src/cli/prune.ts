// `shadergrad prune`: magnitude pruning of a trained MNIST model, then fine-tuning with the masks held.
// Unstructured (default): global over every Linear and Conv2d weight; with fine-tuning epochs the sparsity
// rises along Zhu & Gupta's cubic schedule over the first half of the steps (masks recomputed every
// PRUNE_EVERY steps), then the pruned model trains on at the final sparsity. --structured removes that
// fraction of each conv layer's output channels (smallest L1 filters) and really shrinks the layers.
import { ValueError } from '../core/errors.js';
import { DataLoader } from '../data/dataloader.js';
import { mnistDataset } from '../data/mnist.js';
import { stat } from 'node:fs/promises';
import { checkWritableFilePath } from '../node/files.js';
import { loadMnist } from '../node/mnist-files.js';
import * as sg from '../node/index.js';
import { evaluate } from '../train/loop.js';
import { countParams, fitEpochs, openMnistCheckpoint, pct, type RunOptions } from './fit.js';
import { printJsonLine } from './json-line.js';
import { OPTIMIZERS } from './models.js';

export interface PruneOptions extends RunOptions {
  checkpoint: string;
  /** Fraction of the weights (or, structured, of each conv's channels) to remove. */
  sparsity: number;
  finetuneEpochs: number;
  structured: boolean;
  /** Unstructured: the fraction in each layer instead of over all layers together. */
  perLayer: boolean;
  out?: string;
}

/** Steps between mask updates while the schedule raises the sparsity. */
const PRUNE_EVERY = 10;
/** Fine-tuning's learning rate: a fifth of training's (the weights start trained). */
const FINETUNE_LR_FACTOR = 0.2;

/** Each Conv2d of the model with the layer that consumes its channels (the next Conv2d or Linear). */
function convPairs(layers: sg.prune.PruneTarget[]): [sg.nn.Conv2d, sg.nn.Conv2d | sg.nn.Linear][] {
  const pairs: [sg.nn.Conv2d, sg.nn.Conv2d | sg.nn.Linear][] = [];
  layers.forEach((l, i) => l instanceof sg.nn.Conv2d && i + 1 < layers.length && pairs.push([l, layers[i + 1]]));
  return pairs;
}

export async function prune(options: PruneOptions): Promise<void> {
  if (!(options.sparsity >= 0 && options.sparsity < 1)) throw new ValueError(`--sparsity must be in [0, 1), got ${options.sparsity}`);
  if (options.structured && options.perLayer) throw new ValueError('--per-layer is for unstructured pruning; --structured already takes the fraction per layer');
  const { source } = await openMnistCheckpoint(options.checkpoint, '--checkpoint');
  if (options.out) await checkWritableFilePath(options.out, '--out');
  const log = (line: string) => !options.quiet && console.log(line);
  const [mnist] = await Promise.all([loadMnist(), sg.init()]);
  try {
    const { sampleShape, recipe } = source.entry;
    const trainLoader = new DataLoader(mnistDataset(mnist.train, sampleShape), { batchSize: options.batchSize, shuffle: true, seed: options.seed });
    const testLoader = new DataLoader(mnistDataset(mnist.test, sampleShape), { batchSize: 500 });
    sg.manualSeed(options.seed);
    const model = source.build(sg);
    const beforeTestAccuracy = await evaluate(model, testLoader);
    const paramsBefore = countParams(model.parameters());
    sg.prune.removeMasks(sg.prune.pruneTargets(model)); // a checkpoint pruned before: its zeros stay, as weights

    const steps = options.finetuneEpochs * trainLoader.length;
    const gradual = !options.structured && steps > 0;
    if (options.structured) {
      // each conv's channels, first to last (the next pair then sees the shrunk layer)
      const count = convPairs(sg.prune.pruneTargets(model)).length;
      for (let k = 0; k < count; k++) {
        const [conv, next] = convPairs(sg.prune.pruneTargets(model))[k];
        await sg.prune.pruneConvChannels(model, conv, next, { amount: options.sparsity });
      }
    } else if (!gradual) {
      await sg.prune.magnitudePrune(sg.prune.pruneTargets(model), { amount: options.sparsity, perLayer: options.perLayer });
    }
    const prunedTestAccuracy = await evaluate(model, testLoader);
    const layers = sg.prune.pruneTargets(model);
    log(
      `prune ${source.name} from ${options.checkpoint} (${pct(beforeTestAccuracy)} held out): ` +
        (options.structured ? `${pct(options.sparsity)} of each conv's channels removed, ${countParams(model.parameters())} of ${paramsBefore} parameters left`
          : `${pct(options.sparsity)} of the weights ${options.perLayer ? 'in each layer' : 'over all layers'}${gradual ? `, rising over the first ${Math.ceil(steps / 2)} of ${steps} fine-tuning steps` : ''}`) +
        (gradual ? '' : `; ${pct(prunedTestAccuracy)} before fine-tuning`),
    );

    let testAccuracy = prunedTestAccuracy;
    let seconds = 0;
    if (steps > 0) {
      const lr = options.lr ?? OPTIMIZERS[options.optimizer].defaultLr * FINETUNE_LR_FACTOR;
      const opt = OPTIMIZERS[options.optimizer].build(sg, model.parameters(), lr);
      const schedule = { final: options.sparsity, begin: 0, end: Math.max(1, Math.ceil(steps / 2)) };
      const afterStep = async (step: number) => {
        if (!gradual || (step % PRUNE_EVERY !== 0 && step !== schedule.end) || step > schedule.end) return;
        await sg.prune.magnitudePrune(layers, { amount: sg.prune.polynomialSparsity(step, schedule), perLayer: options.perLayer });
      };
      const fit = await fitEpochs({ model, opt, train: trainLoader, test: testLoader, epochs: options.finetuneEpochs, recipe, seed: options.seed, quiet: options.quiet, afterStep });
      testAccuracy = fit.testAccuracy;
      seconds = fit.seconds;
    }
    sg.prune.applyMasks(layers); // the saved weights are the zeros the masks say
    const sparsity = options.structured ? 1 - countParams(model.parameters()) / paramsBefore : await sg.prune.sparsity(layers);
    let sizeBytes: number | null = null;
    if (options.out) {
      const extra = { model: source.name, hidden: source.hidden, prunedFrom: options.checkpoint, sparsity, structured: options.structured, testAccuracy };
      await sg.saveCheckpoint(options.out, { model }, { epoch: options.finetuneEpochs, step: 0, extra });
      sizeBytes = (await stat(options.out)).size;
      log(`saved to ${options.out} (${sizeBytes} bytes)`);
    }
    console.log(`test accuracy ${pct(testAccuracy)} at sparsity ${pct(sparsity)} (unpruned ${pct(beforeTestAccuracy)}; ${options.finetuneEpochs} fine-tuning epoch${options.finetuneEpochs === 1 ? '' : 's'})`);
    if (options.json)
      printJsonLine({
        command: 'prune',
        model: source.name,
        config: { checkpoint: options.checkpoint, sparsity: options.sparsity, finetune_epochs: options.finetuneEpochs, structured: options.structured, per_layer: options.perLayer, batch_size: options.batchSize, optimizer: options.optimizer, seed: options.seed },
        metrics: {
          test_accuracy: testAccuracy, sparsity, before_test_accuracy: beforeTestAccuracy, pruned_test_accuracy_before_finetune: gradual ? null : prunedTestAccuracy,
          params: countParams(model.parameters()), params_before: paramsBefore, size_bytes: sizeBytes, seconds,
        },
      });
  } finally {
    sg.destroy();
  }
}
