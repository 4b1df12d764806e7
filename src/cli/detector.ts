// `shadergrad train --model detector`: the grid detector of src/models/detector.ts on 64×64 canvases of
// 2–5 MNIST digits (src/data/digit-canvases.ts). Every epoch is STEPS_PER_EPOCH batches of canvases drawn
// afresh from the training digits (a seeded stream per epoch); after each, mAP@0.5 on TEST_CANVASES fixed
// canvases made of the held-out digits only.
import cliProgress from 'cli-progress';
import { deriveSeed } from '../core/random.js';
import { CANVAS_SIZE, digitCanvasBatch, type DigitCanvasBatch } from '../data/digit-canvases.js';
import { Detector, detectionLoss, detectionTargets } from '../models/detector.js';
import { checkWritableFilePath } from '../node/files.js';
import { loadMnist } from '../node/mnist-files.js';
import * as sg from '../node/index.js';
import { CosineAnnealingLR } from '../optim/schedulers.js';
import { detectImages, meanAveragePrecision, type Detection } from '../train/detection.js';
import { trainLoop } from '../train/loop.js';
import { writeDetectionsPng } from './detections-png.js';
import { printJsonLine } from './json-line.js';
import { MODELS, type TrainCommandOptions } from './models.js';

/** Optimizer steps per epoch (each on `batchSize` new canvases). */
export const STEPS_PER_EPOCH = 100;
/** Held-out canvases scored after every epoch, and the seed of their stream (over the test digits). */
export const TEST_CANVASES = 500;
export const TEST_CANVAS_SEED = 7;
/** Canvases drawn in the --out PNG. */
const PNG_CANVASES = 8;

export interface DetectorTrainOptions extends TrainCommandOptions {
  batchSize: number;
  lr: number;
  /** Write a PNG of the first held-out canvases with their predicted (and true) boxes here. */
  out?: string;
  /** Stop after this many optimizer steps (in the middle of an epoch if need be), then evaluate and end. */
  maxSteps?: number;
}

export interface DetectorTrainResult {
  map50: number;
  perClass: (number | null)[];
  epochs: { epoch: number; loss: number; map50: number; seconds: number }[];
}

/** Trains the detector, prints each epoch's loss and held-out mAP@0.5, and saves weights (--checkpoint) and a PNG (--out). */
export async function trainDetector(o: DetectorTrainOptions): Promise<DetectorTrainResult> {
  if (o.checkpoint) await checkWritableFilePath(o.checkpoint, '--checkpoint');
  if (o.out) await checkWritableFilePath(o.out, '--out');
  const entry = MODELS.detector;
  const width = o.hidden ?? entry.defaultHidden;
  const start = performance.now();
  const [mnist] = await Promise.all([loadMnist(), sg.init()]);
  const log = (line: string) => !o.quiet && !o.json && console.log(line);
  try {
    sg.manualSeed(o.seed);
    const model = new Detector({ width });
    const opt = new sg.optim.Adam(model.parameters(), { lr: o.lr });
    const schedule = new CosineAnnealingLR(opt, o.epochs);
    const test = digitCanvasBatch(mnist.test, TEST_CANVAS_SEED, 0, TEST_CANVASES);
    const config = { ...(o.maxSteps !== undefined && { max_steps: o.maxSteps }), epochs: o.epochs, steps_per_epoch: STEPS_PER_EPOCH, batch_size: o.batchSize, lr: o.lr, optimizer: 'adam', schedule: 'cosine', hidden: width, seed: o.seed, test_canvases: TEST_CANVASES };
    log(`detector: ${entry.description}; adam lr ${o.lr} (cosine), batch ${o.batchSize}, ${STEPS_PER_EPOCH} steps an epoch of fresh canvases from the ${mnist.train.count} training digits; ${TEST_CANVASES} held-out canvases (${test.boxes.flat().length} digits) from the ${mnist.test.count} test digits`);
    const result: DetectorTrainResult = { map50: 0, perClass: [], epochs: [] };
    let lastDetections: Detection[][] = [];
    let steps = 0;
    const stepsLeft = () => (o.maxSteps ?? Infinity) - steps;
    for (let epoch = 1; epoch <= o.epochs && stepsLeft() > 0; epoch++) {
      const bar = o.quiet || o.json || !process.stderr.isTTY ? null : new cliProgress.SingleBar(
        { format: `epoch ${epoch}/${o.epochs} |{bar}| {value}/{total} steps | loss {loss} | {rate} canvases/s`, barsize: 24, hideCursor: true, clearOnComplete: true, stream: process.stderr },
        cliProgress.Presets.shades_classic,
      );
      bar?.start(STEPS_PER_EPOCH, 0, { loss: '-', rate: '-' });
      const stream = deriveSeed(o.seed, epoch);
      function* batches(): Generator<DigitCanvasBatch> {
        for (let s = 0; s < STEPS_PER_EPOCH; s++) yield digitCanvasBatch(mnist.train, stream, s * o.batchSize, o.batchSize);
      }
      model.train();
      const stats = await trainLoop({
        optimizer: opt,
        batches: batches(),
        record: (b) => ({ loss: detectionLoss(model.forward(sg.tensor(b.images, [b.count, 1, CANVAS_SIZE, CANVAS_SIZE])), detectionTargets(b.boxes)), samples: b.count }),
        epoch,
        keepGoing: () => stepsLeft() > 0,
        onStep: (r) => {
          steps++;
          bar?.update(r.running.steps, { loss: r.running.loss.toFixed(4), rate: Math.round(r.running.samples / r.running.seconds) });
        },
      });
      bar?.stop();
      schedule.step();
      lastDetections = await detectImages(model, test.images, test.count, { imageSize: CANVAS_SIZE });
      const { map, perClass } = meanAveragePrecision(lastDetections, test.boxes, model.classes);
      result.map50 = map;
      result.perClass = perClass;
      result.epochs.push({ epoch, loss: stats.loss, map50: map, seconds: stats.seconds });
      if (stepsLeft() <= 0) log(`stopped after --max-steps ${o.maxSteps} (${stats.steps} of epoch ${epoch}'s ${STEPS_PER_EPOCH} steps)`);
      log(`epoch ${epoch}/${o.epochs}  loss ${stats.loss.toFixed(4)}  test mAP@0.5 ${map.toFixed(4)}  ${Math.round(stats.samples / stats.seconds)} canvases/s  ${stats.seconds.toFixed(1)} s`);
    }
    const seconds = (performance.now() - start) / 1000;
    log(`per-class AP@0.5: ${result.perClass.map((ap, c) => `${c}: ${ap === null ? '-' : ap.toFixed(3)}`).join('  ')}`);
    if (o.checkpoint) {
      await sg.save(model.stateDict(), o.checkpoint);
      log(`saved ${o.checkpoint}`);
    }
    if (o.out) {
      await writeDetectionsPng(o.out, test, lastDetections, PNG_CANVASES);
      log(`wrote ${o.out} (${PNG_CANVASES} held-out canvases: predicted boxes in colour, true boxes in grey)`);
    }
    const perClassMetrics = Object.fromEntries(result.perClass.map((ap, c) => [`test_ap50_${c}`, ap]));
    const metrics = { test_map50: result.map50, ...perClassMetrics, train_loss: result.epochs.at(-1)?.loss ?? null, seconds };
    if (o.json) printJsonLine({ command: 'train', model: 'detector', config, ...(o.checkpoint && { weights: o.checkpoint }), ...(o.out && { image: o.out }), metrics });
    else console.log(`test mAP@0.5 ${result.map50.toFixed(4)} (${TEST_CANVASES} held-out canvases, ${o.epochs} epoch${o.epochs === 1 ? '' : 's'}, ${seconds.toFixed(1)} s)`);
    return result;
  } finally {
    sg.destroy();
  }
}
