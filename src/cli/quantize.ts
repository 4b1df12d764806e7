// `shadergrad quantize`: post-training int8 quantization of a trained MNIST model (a `train --checkpoint`
// file): weights per output channel, activations by a scale per layer calibrated on a few training batches
// (static, the default) or per row at run time (dynamic); accuracy on the held-out digits, file size and
// the latency of one batch, float next to int8. The int8 file is a checkpoint (weights stored as I8) that
// classify and serve read.
import { stat } from 'node:fs/promises';
import { checkpointBytes } from '../io/checkpoint.js';
import { DataLoader } from '../data/dataloader.js';
import { mnistDataset } from '../data/mnist.js';
import { checkWritableFilePath } from '../node/files.js';
import { loadMnist } from '../node/mnist-files.js';
import * as sg from '../node/index.js';
import { evaluate } from '../train/loop.js';
import { fitEpochs, openMnistCheckpoint, pct } from './fit.js';
import { OPTIMIZERS } from './models.js';
import { printJsonLine } from './json-line.js';

export interface QuantizeOptions {
  checkpoint: string;
  out: string;
  activations: sg.nn.ActivationScaling;
  /** Training batches (of 64) that calibrate static activation scales. */
  calibrationBatches: number;
  /** Epochs of quantization-aware training (fake-quantized weights and inputs) before converting; 0: none. */
  qatEpochs: number;
  /** Digits in the batch whose latency is timed. */
  batchSize: number;
  quiet: boolean;
  json: boolean;
}

/** QAT fine-tunes at a tenth of training's learning rate: the weights start trained. */
const QAT_LR_FACTOR = 0.1;

/** Timed runs of one batch after a warm-up (the first compiles its pipelines). */
const TIMED_RUNS = 10;

/** Median milliseconds of forward + readback of `x` through `model`. */
async function msPerBatch(model: sg.nn.Module, x: sg.Tensor): Promise<number> {
  await sg.noGrad(() => model.forward(x)).data();
  const times: number[] = [];
  for (let i = 0; i < TIMED_RUNS; i++) {
    const t0 = performance.now();
    await sg.noGrad(() => model.forward(x)).data();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

export async function quantizeCommand(options: QuantizeOptions): Promise<void> {
  const { source } = await openMnistCheckpoint(options.checkpoint, '--checkpoint');
  await checkWritableFilePath(options.out, '--out');
  const log = (line: string) => !options.quiet && console.log(line);
  const [mnist] = await Promise.all([loadMnist(), sg.init()]);
  try {
    const shape = source.entry.sampleShape;
    const testLoader = new DataLoader(mnistDataset(mnist.test, shape), { batchSize: 500 });
    const timed = [...new DataLoader(mnistDataset(mnist.test, shape), { batchSize: options.batchSize })][0];
    const x = sg.tensor(timed.x, timed.xShape);

    const float = source.build(sg);
    const floatTestAccuracy = await evaluate(float, testLoader);
    float.eval();
    const floatMs = await msPerBatch(float, x);
    const floatSizeBytes = (await checkpointBytes({ model: float }, { epoch: 0, step: 0, extra: { model: source.name, hidden: source.hidden } })).byteLength;

    const model = source.build(sg);
    if (options.qatEpochs > 0) {
      sg.nn.prepareQAT(model);
      const opt = OPTIMIZERS.adam.build(sg, model.parameters(), OPTIMIZERS.adam.defaultLr * QAT_LR_FACTOR);
      const train = new DataLoader(mnistDataset(mnist.train, shape), { batchSize: 64, shuffle: true, seed: 0 });
      log(`quantization-aware training: ${options.qatEpochs} epoch${options.qatEpochs === 1 ? '' : 's'}, Adam lr ${OPTIMIZERS.adam.defaultLr * QAT_LR_FACTOR}`);
      await fitEpochs({ model, opt, train, test: testLoader, epochs: options.qatEpochs, recipe: source.entry.recipe, seed: 0, quiet: options.quiet });
      model.eval();
    }
    const calibration = options.activations === 'static'
      ? [...new DataLoader(mnistDataset(mnist.train, shape), { batchSize: 64, shuffle: true, seed: 0 })].slice(0, options.calibrationBatches).map((b) => sg.tensor(b.x, b.xShape))
      : undefined;
    await sg.nn.quantize(model, { activations: options.activations, calibration });
    const testAccuracy = await evaluate(model, testLoader);
    model.eval();
    const ms = await msPerBatch(model, x);
    const extra = { model: source.name, hidden: source.hidden, quantized: { activations: options.activations }, quantizedFrom: options.checkpoint, testAccuracy };
    await sg.saveCheckpoint(options.out, { model }, { epoch: 0, step: 0, extra });
    const sizeBytes = (await stat(options.out)).size;
    log(
      `quantize ${source.name} from ${options.checkpoint}: int8 weights per output channel, ${options.activations} activation scales` +
        `${calibration ? ` (calibrated on ${calibration.length} batches of 64)` : ''}; saved ${options.out}`,
    );
    console.log(
      `test accuracy ${pct(testAccuracy)} int8, ${pct(floatTestAccuracy)} float32; ${sizeBytes} bytes vs ${floatSizeBytes} (${(sizeBytes / floatSizeBytes).toFixed(2)}×); ` +
        `${ms.toFixed(1)} vs ${floatMs.toFixed(1)} ms per batch of ${options.batchSize}`,
    );
    if (options.json)
      printJsonLine({
        command: 'quantize',
        model: source.name,
        config: { checkpoint: options.checkpoint, out: options.out, activations: options.activations, calibration_batches: calibration?.length ?? 0, qat_epochs: options.qatEpochs, batch_size: options.batchSize },
        metrics: {
          test_accuracy: testAccuracy, float_test_accuracy: floatTestAccuracy, size_bytes: sizeBytes, float_size_bytes: floatSizeBytes,
          ms_per_batch: ms, float_ms_per_batch: floatMs,
        },
      });
  } finally {
    sg.destroy();
  }
}
