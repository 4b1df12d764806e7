// Semantic segmentation: per-pixel cross-entropy training of a model whose forward maps images
// [N, 1, H, W] to logits [N, classes, H, W] (the U-Net), and the scores of its predicted masks:
// per-class intersection over union, their mean (mIoU) and pixel accuracy.
import { ShapeError, ValueError } from '../core/errors.js';
import { deriveSeed, permutation } from '../core/random.js';
import type { ShapesData } from '../data/shapes.js';
import type { Module } from '../nn/module.js';
import { crossEntropy } from '../ops/loss.js';
import { Adam } from '../optim/optimizers.js';
import { CosineAnnealingLR } from '../optim/schedulers.js';
import { tensor } from '../tensor/creation.js';
import { noGrad, type Tensor } from '../tensor/tensor.js';

export interface SegmentationScores {
  /** IoU of each class: |pred = c and truth = c| / |pred = c or truth = c|; NaN where neither has the class. */
  iou: number[];
  /** Mean of the IoUs over the classes present in the prediction or the truth. */
  meanIoU: number;
  /** Share of pixels whose predicted class is the true one. */
  pixelAccuracy: number;
}

/** Scores predicted class ids against the true ones (same length, ids in [0, classes)). */
export function segmentationScores(pred: ArrayLike<number>, truth: ArrayLike<number>, classes: number): SegmentationScores {
  if (pred.length !== truth.length) throw new ShapeError(`segmentationScores: ${pred.length} predicted pixels for ${truth.length} true ones`);
  if (!Number.isInteger(classes) || classes < 1) throw new ValueError(`segmentationScores: classes must be a positive integer, got ${classes}`);
  const inter = new Float64Array(classes);
  const predCount = new Float64Array(classes);
  const truthCount = new Float64Array(classes);
  let correct = 0;
  for (let i = 0; i < pred.length; i++) {
    const p = pred[i];
    const t = truth[i];
    for (const [what, c] of [['predicted', p], ['true', t]] as const)
      if (!Number.isInteger(c) || c < 0 || c >= classes) throw new ValueError(`segmentationScores: ${what} class ${c} at pixel ${i} is outside [0, ${classes})`);
    predCount[p]++;
    truthCount[t]++;
    if (p === t) {
      inter[p]++;
      correct++;
    }
  }
  const iou = Array.from(inter, (n, c) => {
    const union = predCount[c] + truthCount[c] - n;
    return union === 0 ? NaN : n / union;
  });
  const present = iou.filter((v) => !Number.isNaN(v));
  return { iou, meanIoU: present.length ? present.reduce((a, b) => a + b, 0) / present.length : NaN, pixelAccuracy: pred.length ? correct / pred.length : NaN };
}

type Segmenter = Module & { forward(x: Tensor): Tensor };

/** Images i of `data` (listed in `idx`) as tensors: x [n, 1, S, S] and the masks [n, S, S]. */
function batchOf(data: ShapesData, idx: ArrayLike<number>): { x: Tensor; y: Tensor } {
  const plane = data.size * data.size;
  const images = new Float32Array(idx.length * plane);
  const masks = new Int32Array(idx.length * plane);
  for (let k = 0; k < idx.length; k++) {
    images.set(data.images.subarray(idx[k] * plane, (idx[k] + 1) * plane), k * plane);
    masks.set(data.masks.subarray(idx[k] * plane, (idx[k] + 1) * plane), k * plane);
  }
  return { x: tensor(images, [idx.length, 1, data.size, data.size]), y: tensor(masks, [idx.length, data.size, data.size], { dtype: 'int32' }) };
}

/** The predicted class of every pixel of every image (eval mode), in batches. */
export async function predictMasks(model: Segmenter, data: ShapesData, batchSize = 50): Promise<Int32Array> {
  model.eval();
  const out = new Int32Array(data.count * data.size * data.size);
  for (let start = 0; start < data.count; start += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, data.count - start) }, (_, k) => start + k);
    const { x } = batchOf(data, idx);
    const pred = await noGrad(() => model.forward(x).argmax(1)).data();
    out.set(Int32Array.from(pred), start * data.size * data.size);
  }
  return out;
}

export interface SegmentationTrainingOptions {
  epochs: number;
  batchSize: number;
  /** Adam's learning rate, annealed to 0 by a cosine over the epochs. */
  lr: number;
  /** Seed of the data order (a new permutation each epoch). */
  seed: number;
  /** After each step, with the epoch, the step within it, the steps per epoch and the loss. */
  onStep?: (epoch: number, step: number, steps: number, loss: number) => void;
  /** After each epoch (the model is in training mode again afterwards). */
  onEpoch?: (epoch: number, meanLoss: number) => Promise<void> | void;
}

/** Trains `model` by per-pixel cross-entropy on `train` with Adam and a cosine schedule; returns the last epoch's mean loss. */
export async function trainSegmenter(model: Segmenter, train: ShapesData, o: SegmentationTrainingOptions): Promise<number> {
  const opt = new Adam(model.parameters(), { lr: o.lr });
  const schedule = new CosineAnnealingLR(opt, o.epochs);
  // whole batches only (the rest of an epoch's permutation waits for a later epoch): one batch shape, one plan
  const steps = Math.floor(train.count / o.batchSize);
  if (steps < 1) throw new ValueError(`trainSegmenter: ${train.count} training images make no batch of ${o.batchSize}`);
  let meanLoss = NaN;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    model.train();
    const order = permutation(train.count, deriveSeed(o.seed, epoch));
    let sum = 0;
    for (let s = 0; s < steps; s++) {
      const { x, y } = batchOf(train, order.subarray(s * o.batchSize, (s + 1) * o.batchSize));
      const loss = crossEntropy(model.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step({ alsoRealize: [loss] });
      const l = await loss.item();
      if (!Number.isFinite(l)) throw new ValueError(`trainSegmenter: the loss is ${l} at step ${s + 1} of epoch ${epoch}`);
      sum += l;
      o.onStep?.(epoch, s + 1, steps, l);
    }
    schedule.step();
    meanLoss = sum / steps;
    await o.onEpoch?.(epoch, meanLoss);
  }
  return meanLoss;
}
