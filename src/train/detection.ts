// Post-processing of a grid detector, on the CPU (a few hundred cells a canvas): decode the head's raw
// outputs into scored boxes, class-wise non-max suppression, and mAP@0.5 as PASCAL VOC scores it
// (all-point interpolated AP per class, averaged over the classes that have ground truth).
// Browser-safe: the detection page runs the same code.
import { ValueError } from '../core/errors.js';
import { boxIou, type LabelledBox } from '../data/digit-canvases.js';
import type { Module } from '../nn/module.js';
import { tensor } from '../tensor/creation.js';
import { noGrad, type Tensor } from '../tensor/tensor.js';

export { boxIou };

/** A predicted box (pixels, as LabelledBox) with its score: objectness × the class's probability. */
export interface Detection extends LabelledBox {
  score: number;
}

/** Channels of a grid cell's prediction: objectness, the class logits, then tx, ty, tw, th. */
export const headChannels = (classes: number): number => 1 + classes + 4;

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

export interface DecodeOptions {
  /** Keep cells whose score is at least this (default 0.05: low, as mAP wants the whole ranking). */
  minScore?: number;
  /** Pixels per side of the input image. */
  imageSize: number;
}

/**
 * The detections of one image from its head output `out`, [channels, S, S] row-major (one image of
 * the model's [N, channels, S, S]). Per cell (row i, column j): objectness p = σ(o), class = argmax of the
 * logits with probability q (softmax), centre ((j + σ(tx)) / S, (i + σ(ty)) / S) and size (σ(tw)², σ(th)²),
 * all relative to the image (the model regresses √size, see src/models/detector.ts). Score = p·q.
 */
export function decodeGrid(out: ArrayLike<number>, classes: number, grid: number, o: DecodeOptions): Detection[] {
  const channels = headChannels(classes);
  if (out.length !== channels * grid * grid) throw new ValueError(`decodeGrid: expected ${channels}×${grid}×${grid} = ${channels * grid * grid} values, got ${out.length}`);
  const minScore = o.minScore ?? 0.05;
  const cells = grid * grid;
  const at = (c: number, cell: number) => out[c * cells + cell];
  const dets: Detection[] = [];
  for (let cell = 0; cell < cells; cell++) {
    const p = sigmoid(at(0, cell));
    let best = 0;
    for (let k = 1; k < classes; k++) if (at(1 + k, cell) > at(1 + best, cell)) best = k;
    let z = 0;
    for (let k = 0; k < classes; k++) z += Math.exp(at(1 + k, cell) - at(1 + best, cell));
    const score = p / z;
    if (score < minScore) continue;
    const i = Math.floor(cell / grid);
    const j = cell % grid;
    const cx = ((j + sigmoid(at(1 + classes, cell))) / grid) * o.imageSize;
    const cy = ((i + sigmoid(at(2 + classes, cell))) / grid) * o.imageSize;
    const w = sigmoid(at(3 + classes, cell)) ** 2 * o.imageSize;
    const h = sigmoid(at(4 + classes, cell)) ** 2 * o.imageSize;
    dets.push({ x0: cx - w / 2, y0: cy - h / 2, x1: cx + w / 2, y1: cy + h / 2, cls: best, score });
  }
  return dets;
}

/**
 * Class-wise greedy non-max suppression: within each class, highest score first, a box is kept unless it
 * overlaps a kept box of its class by IoU > iouThreshold. Returns the kept boxes, highest score first.
 */
export function nonMaxSuppression(dets: readonly Detection[], iouThreshold = 0.5): Detection[] {
  if (!(iouThreshold >= 0 && iouThreshold <= 1)) throw new ValueError(`nonMaxSuppression: iouThreshold must be in [0, 1], got ${iouThreshold}`);
  const sorted = [...dets].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const d of sorted) if (!kept.some((k) => k.cls === d.cls && boxIou(k, d) > iouThreshold)) kept.push(d);
  return kept;
}

/**
 * VOC's all-point interpolated average precision from detections marked true/false positive (any order)
 * and the number of ground-truth boxes: the area under the precision-recall curve after precision is made
 * monotone (each recall level gets the best precision at that recall or beyond).
 */
export function averagePrecision(scored: readonly { score: number; tp: boolean }[], groundTruth: number): number {
  if (groundTruth === 0) throw new ValueError('averagePrecision: no ground-truth boxes (AP is undefined)');
  const sorted = [...scored].sort((a, b) => b.score - a.score);
  const recall: number[] = [0];
  const precision: number[] = [0];
  let tp = 0;
  sorted.forEach((d, i) => {
    if (d.tp) tp++;
    recall.push(tp / groundTruth);
    precision.push(tp / (i + 1));
  });
  recall.push(1);
  precision.push(0);
  for (let i = precision.length - 2; i >= 0; i--) precision[i] = Math.max(precision[i], precision[i + 1]);
  let ap = 0;
  for (let i = 1; i < recall.length; i++) ap += (recall[i] - recall[i - 1]) * precision[i];
  return ap;
}

export interface MapResult {
  /** Mean of `perClass` over the classes with ground truth. */
  map: number;
  /** AP per class id; null for a class with no ground-truth box in the set. */
  perClass: (number | null)[];
}

/**
 * mAP at IoU `iouThreshold` (default 0.5) over a set of images: per class, the detections of all images
 * ranked by score; a detection is a true positive when its best-overlapping ground-truth box of its class
 * in its image (IoU ≥ threshold) has not been matched by a higher-scored detection, else a false positive.
 */
export function meanAveragePrecision(predictions: readonly Detection[][], truths: readonly LabelledBox[][], classes: number, iouThreshold = 0.5): MapResult {
  if (predictions.length !== truths.length) throw new ValueError(`meanAveragePrecision: ${predictions.length} images of predictions but ${truths.length} of ground truth`);
  const perClass: (number | null)[] = [];
  for (let c = 0; c < classes; c++) {
    const gt = truths.map((boxes) => boxes.filter((b) => b.cls === c));
    const total = gt.reduce((n, b) => n + b.length, 0);
    if (total === 0) {
      perClass.push(null);
      continue;
    }
    const ranked = predictions.flatMap((dets, img) => dets.filter((d) => d.cls === c).map((d) => ({ d, img }))).sort((a, b) => b.d.score - a.d.score);
    const matched = gt.map((boxes) => new Array<boolean>(boxes.length).fill(false));
    const scored = ranked.map(({ d, img }) => {
      let best = -1;
      let bestIou = iouThreshold;
      gt[img].forEach((g, k) => {
        const iou = boxIou(d, g);
        if (iou >= bestIou) [best, bestIou] = [k, iou];
      });
      // VOC: the best-overlapping box decides; if it is already taken, this detection is a duplicate
      const tp = best >= 0 && !matched[img][best];
      if (tp) matched[img][best] = true;
      return { score: d.score, tp };
    });
    perClass.push(averagePrecision(scored, total));
  }
  const present = perClass.filter((v): v is number => v !== null);
  return { map: present.length ? present.reduce((a, b) => a + b, 0) / present.length : 0, perClass };
}

/** What detectImages needs of a detector: forward to [N, 1 + classes + 4, S, S], its class count, eval/train. */
export interface GridDetector extends Module {
  readonly classes: number;
  forward(x: Tensor): Tensor;
}

/**
 * Detections of `count` images [count, C, size, size] (host pixels), NMS applied: the model in eval mode,
 * without gradients, `batch` images a forward; the model is left in the mode it was in.
 */
export async function detectImages(model: GridDetector, images: Float32Array, count: number, o: { imageSize: number; channels?: number; batch?: number; minScore?: number; nmsIou?: number }): Promise<Detection[][]> {
  const per = (o.channels ?? 1) * o.imageSize * o.imageSize;
  if (images.length !== count * per) throw new ValueError(`detectImages: ${count} images of ${per} values need ${count * per} values, got ${images.length}`);
  const batch = o.batch ?? 100;
  const wasTraining = model.training;
  model.eval();
  const out: Detection[][] = [];
  try {
    for (let first = 0; first < count; first += batch) {
      const n = Math.min(batch, count - first);
      const y = noGrad(() => model.forward(tensor(images.subarray(first * per, (first + n) * per), [n, o.channels ?? 1, o.imageSize, o.imageSize])));
      const [, channels, grid] = y.shape;
      const raw = (await y.data()) as Float32Array;
      y.dispose();
      const each = channels * grid * grid;
      for (let k = 0; k < n; k++)
        out.push(nonMaxSuppression(decodeGrid(raw.subarray(k * each, (k + 1) * each), model.classes, grid, { imageSize: o.imageSize, minScore: o.minScore }), o.nmsIou ?? 0.5));
    }
  } finally {
    if (wasTraining) model.train();
  }
  return out;
}
