// `shadergrad train --model unet`: semantic segmentation of the procedural shapes images
// (src/data/shapes.ts: circles, squares, triangles on noisy backgrounds) by a U-Net, trained with
// per-pixel cross-entropy; reports the held-out mean IoU, the IoU of each class and pixel accuracy.
// `--out FILE.png` writes a picture of a few held-out images: input | truth | prediction per row.
import cliProgress from 'cli-progress';
import { writeFile } from 'node:fs/promises';
import { NUM_SHAPE_CLASSES, SHAPE_CLASSES, shapesDataset, type ShapesData } from '../data/shapes.js';
import { checkWritableFilePath } from '../node/files.js';
import * as sg from '../node/index.js';
import { encodePng } from '../node/summary-writer.js';
import { predictMasks, segmentationScores, trainSegmenter } from '../train/segmentation.js';
import { printJsonLine } from './json-line.js';
import { MODELS, type TrainCommandOptions } from './models.js';

/** The run `train --model unet` makes when the command line does not say otherwise (chosen by measurement: README). */
// (256 held-out images: whole batches of 16, so evaluation runs the training batch's shapes and reuses their pipelines)
export const SEGMENTATION_DEFAULTS = { size: 32, trainImages: 2000, testImages: 256, batchSize: 16, lr: 5e-3 };

export interface SegmentationTrainOptions extends TrainCommandOptions {
  model: 'unet';
  /** Default SEGMENTATION_DEFAULTS.batchSize. */
  batchSize?: number;
  lr?: number;
  /** Write input | truth | prediction of the first held-out images here (PNG). */
  out?: string;
}

/** Class colours of the picture: background black, circle red, square green, triangle blue. */
const PALETTE = [[0, 0, 0], [230, 60, 50], [60, 190, 80], [70, 110, 240]];
const PICTURE_ROWS = 6;
const PICTURE_SCALE = 4;

/** RGB bytes of rows of [input | truth | prediction] panels, each pixel PICTURE_SCALE times larger, 2 px gaps. */
function picture(data: ShapesData, pred: Int32Array): { width: number; height: number; channels: 3; data: Uint8Array } {
  const s = data.size;
  const rows = Math.min(PICTURE_ROWS, data.count);
  const panel = s * PICTURE_SCALE;
  const width = 3 * panel + 4;
  const height = rows * panel + 2 * (rows - 1);
  const out = new Uint8Array(width * height * 3).fill(255);
  for (let r = 0; r < rows; r++)
    for (let y = 0; y < panel; y++)
      for (let x = 0; x < panel; x++) {
        const k = r * s * s + Math.floor(y / PICTURE_SCALE) * s + Math.floor(x / PICTURE_SCALE);
        const grey = Math.round(255 * data.images[k]);
        const colours = [[grey, grey, grey], PALETTE[data.masks[k]], PALETTE[pred[k]]];
        colours.forEach((c, p) => out.set(c, ((r * (panel + 2) + y) * width + p * (panel + 2) + x) * 3));
      }
  return { width, height, channels: 3, data: out };
}

export async function trainSegmentation(o: SegmentationTrainOptions): Promise<void> {
  for (const [flag, path] of [['--checkpoint', o.checkpoint], ['--out', o.out]] as const) if (path) await checkWritableFilePath(path, flag);
  const entry = MODELS[o.model];
  const d = SEGMENTATION_DEFAULTS;
  const config = { size: d.size, train_images: d.trainImages, test_images: d.testImages, epochs: o.epochs, batch_size: o.batchSize ?? d.batchSize, lr: o.lr ?? d.lr, hidden: o.hidden ?? entry.defaultHidden, optimizer: 'adam', seed: o.seed };
  const log = (line: string) => !o.quiet && !o.json && console.log(line);
  const start = performance.now();
  await sg.init();
  try {
    const train = shapesDataset({ count: d.trainImages, size: d.size, seed: o.seed, split: 'train' });
    const test = shapesDataset({ count: d.testImages, size: d.size, seed: o.seed, split: 'test' });
    sg.manualSeed(o.seed);
    const model = entry.build(sg, { hidden: config.hidden, seed: o.seed }) as sg.nn.Module & { forward(x: sg.Tensor): sg.Tensor };
    log(`unet: ${entry.description} (hidden ${config.hidden}), adam lr ${config.lr} (cosine to 0), batch ${config.batch_size}, seed ${o.seed}; ` +
      `shapes ${d.size}x${d.size}: ${d.trainImages} train / ${d.testImages} held-out images`);
    const bar = o.quiet || o.json || !process.stderr.isTTY ? null : new cliProgress.SingleBar(
      { format: 'epoch {epoch} |{bar}| {value}/{total} steps | loss {loss} | {rate} images/s', barsize: 24, hideCursor: true, clearOnComplete: true, stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    let epochStart = performance.now();
    let lastLoss = NaN;
    let pred: Int32Array = new Int32Array(0);
    await trainSegmenter(model, train, {
      epochs: o.epochs, batchSize: config.batch_size, lr: config.lr, seed: o.seed,
      onStep: (epoch, step, steps, loss) => {
        if (step === 1) {
          epochStart = performance.now();
          bar?.start(steps, 0, { epoch: `${epoch}/${o.epochs}`, loss: '-', rate: '-' });
        }
        bar?.update(step, { epoch: `${epoch}/${o.epochs}`, loss: loss.toFixed(4), rate: ((step * config.batch_size * 1000) / (performance.now() - epochStart)).toFixed(1) });
      },
      onEpoch: async (epoch, loss) => {
        bar?.stop();
        const seconds = (performance.now() - epochStart) / 1000;
        pred = await predictMasks(model, test, config.batch_size);
        const r = segmentationScores(pred, test.masks, NUM_SHAPE_CLASSES);
        lastLoss = loss;
        log(`epoch ${epoch}/${o.epochs}  loss ${loss.toFixed(4)}  held-out mIoU ${r.meanIoU.toFixed(4)}  pixel acc ${(100 * r.pixelAccuracy).toFixed(2)}%  ${seconds.toFixed(1)} s`);
      },
    });
    const r = segmentationScores(pred, test.masks, NUM_SHAPE_CLASSES);
    const seconds = (performance.now() - start) / 1000;
    log(`held-out mIoU ${r.meanIoU.toFixed(4)} (${SHAPE_CLASSES.map((c, i) => `${c} ${r.iou[i].toFixed(3)}`).join(', ')}), pixel accuracy ${(100 * r.pixelAccuracy).toFixed(2)}%, ${o.epochs} epochs, ${seconds.toFixed(1)} s`);
    if (o.checkpoint) {
      await sg.save(model.stateDict(), o.checkpoint);
      log(`saved ${o.checkpoint}`);
    }
    if (o.out) {
      await writeFile(o.out, encodePng('--out', picture(test, pred)));
      log(`wrote ${o.out}: input | truth | prediction of the first ${Math.min(PICTURE_ROWS, test.count)} held-out images (black background, red circle, green square, blue triangle)`);
    }
    const metrics = {
      test_miou: r.meanIoU,
      ...Object.fromEntries(SHAPE_CLASSES.map((c, i) => [`test_iou_${c}`, r.iou[i]])),
      test_pixel_accuracy: r.pixelAccuracy,
      train_loss: lastLoss,
      seconds,
    };
    if (o.json) printJsonLine({ command: 'train', model: o.model, config, ...(o.checkpoint && { weights: o.checkpoint }), ...(o.out && { picture: o.out }), metrics });
    else if (o.quiet) console.log(`test_miou ${r.meanIoU.toFixed(4)}`);
  } finally {
    sg.destroy();
  }
}
