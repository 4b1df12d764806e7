// A single-stage grid detector (YOLO v1's idea, one box per cell) for the 64×64 digit canvases of
// src/data/digit-canvases.ts. The backbone halves the resolution three times (64 → 8), a last 3×3 conv sees
// 38 pixels around each cell, and a 1×1 head predicts per cell: objectness, 10 class logits and a box
// (tx, ty: the centre's offset in the cell through σ; tw, th: √(size / image) through σ). The loss and the
// targets it needs are here; decoding, NMS and mAP are in src/train/detection.ts.
import { ShapeError, ValueError } from '../core/errors.js';
import { checkOptions, POSITIVE_INT } from '../core/options.js';
import { CANVAS_SIZE, centreCell, GRID, type LabelledBox } from '../data/digit-canvases.js';
import { Conv2d } from '../nn/conv.js';
import { ReLU, Sequential } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { BatchNorm2d } from '../nn/norm.js';
import { MaxPool2d } from '../nn/pool.js';
import { crossEntropy } from '../ops/loss.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { headChannels } from '../train/detection.js';
import { shapeStr } from '../core/shape.js';

export interface DetectorOptions {
  /** Channels of the first conv; the later ones have 2×, 4×, 4× (default 8, the CLI's). */
  width?: number;
  classes?: number;
  inChannels?: number;
}

/** conv3x3 (no bias: BatchNorm's shift replaces it), BatchNorm, ReLU. */
const convBnRelu = (inC: number, outC: number) => [new Conv2d(inC, outC, 3, { padding: 1, bias: false }), new BatchNorm2d(outC), new ReLU()];

export class Detector extends Module {
  readonly backbone: Sequential;
  readonly head: Conv2d;
  readonly classes: number;
  /** Channels of the first conv (`--hidden`). */
  readonly width: number;
  /** Cells per side for a CANVAS_SIZE input (the backbone divides by 8). */
  readonly grid = GRID;
  constructor(options: DetectorOptions = {}) {
    super();
    checkOptions('Detector', options, { width: POSITIVE_INT, classes: POSITIVE_INT, inChannels: POSITIVE_INT });
    const w = (this.width = options.width ?? 8);
    this.classes = options.classes ?? 10;
    this.backbone = new Sequential(
      ...convBnRelu(options.inChannels ?? 1, w), new MaxPool2d(2),
      ...convBnRelu(w, 2 * w), new MaxPool2d(2),
      ...convBnRelu(2 * w, 4 * w), new MaxPool2d(2),
      ...convBnRelu(4 * w, 4 * w),
    );
    this.head = new Conv2d(4 * w, headChannels(this.classes), 1);
  }
  /** x [N, C, H, W] (H, W multiples of 8) → raw head outputs [N, 1 + classes + 4, H/8, W/8]. */
  forward(x: Tensor): Tensor {
    if (x.rank !== 4 || x.shape[2] % 8 !== 0 || x.shape[3] % 8 !== 0)
      throw new ShapeError(`Detector: input must be [N, C, H, W] with H and W multiples of 8, got shape ${shapeStr(x.shape)}`);
    return this.head.forward(this.backbone.forward(x));
  }
}

/** Loss weights: YOLO v1's 5 for the box and 0.5 for the objectness of empty cells. */
export const BOX_WEIGHT = 5;
export const NO_OBJECT_WEIGHT = 0.5;

/** What the loss compares the head with, per cell of every image (cell m = (n·S + i)·S + j). */
export interface DetectionTargets {
  /** [M] 1 where a box's centre falls in the cell, else 0. */
  objectness: Float32Array;
  /** [M] the class of the cell's box (0 for an empty cell: masked out). */
  classes: Int32Array;
  /** [M, 4] σ-space targets of the cell's box: centre offsets in the cell (0..1), √(width / image), √(height / image). */
  boxes: Float32Array;
  /** Cells with a box. */
  positives: number;
}

/** Encodes each image's boxes (pixels of an imageSize canvas) onto the S×S grid; two centres in one cell are refused. */
export function detectionTargets(boxes: readonly LabelledBox[][], grid = GRID, imageSize = CANVAS_SIZE): DetectionTargets {
  const m = boxes.length * grid * grid;
  const t: DetectionTargets = { objectness: new Float32Array(m), classes: new Int32Array(m), boxes: new Float32Array(4 * m), positives: 0 };
  const cellSize = imageSize / grid;
  boxes.forEach((image, n) => {
    for (const b of image) {
      const [i, j] = centreCell(b, grid, imageSize);
      const cell = (n * grid + i) * grid + j;
      if (t.objectness[cell]) throw new ValueError(`detectionTargets: image ${n} has two box centres in cell (${i}, ${j})`);
      t.objectness[cell] = 1;
      t.classes[cell] = b.cls;
      t.boxes.set([(b.x0 + b.x1) / 2 / cellSize - j, (b.y0 + b.y1) / 2 / cellSize - i, Math.sqrt((b.x1 - b.x0) / imageSize), Math.sqrt((b.y1 - b.y0) / imageSize)], 4 * cell);
      t.positives++;
    }
  });
  return t;
}

/**
 * The detection loss of raw head outputs `out` [N, 1 + C + 4, S, S], summed over cells and averaged over
 * images: BCE of the objectness logit (empty cells weighted NO_OBJECT_WEIGHT), cross-entropy of the class
 * logits on cells with a box, and BOX_WEIGHT × the squared error of σ(tx, ty, tw, th) on those cells.
 */
export function detectionLoss(out: Tensor, t: DetectionTargets): Tensor {
  const [n, channels, s, s2] = out.shape;
  if (out.rank !== 4 || s !== s2 || channels < 6) throw new ShapeError(`detectionLoss: out must be [N, 1 + classes + 4, S, S], got shape ${shapeStr(out.shape)}`);
  const m = n * s * s;
  if (t.objectness.length !== m) throw new ShapeError(`detectionLoss: targets hold ${t.objectness.length} cells, out ${shapeStr(out.shape)} has ${m}`);
  const classes = channels - 5;
  const cells = out.permute([0, 2, 3, 1]).reshape([m, channels]);
  const obj = cells.slice([0, 0], [m, 1]).reshape([m]);
  const logits = cells.slice([0, 1], [m, 1 + classes]);
  const box = cells.slice([0, 1 + classes], [m, channels]).sigmoid();
  const target = tensor(t.objectness, [m]);
  const weight = tensor(Float32Array.from(t.objectness, (p) => (p ? 1 : NO_OBJECT_WEIGHT)), [m]);
  // BCE with logits, stable: max(x, 0) − x·t + log(1 + e^−|x|)
  const bce = obj.relu().sub(obj.mul(target)).add(obj.abs().neg().exp().add(1).log());
  const objLoss = bce.mul(weight).sum();
  const clsLoss = crossEntropy(logits, tensor(t.classes, [m], { dtype: 'int32' }), { reduction: 'none' }).mul(target).sum();
  const err = box.sub(tensor(t.boxes, [m, 4]));
  const boxLoss = err.mul(err).mul(target.reshape([m, 1])).sum().mul(BOX_WEIGHT);
  return objLoss.add(clsLoss).add(boxLoss).div(n);
}

/** The same loss in float64 on the host, written independently of the ops above (tests compare the two). */
export function detectionLossReference(out: ArrayLike<number>, shape: number[], t: DetectionTargets): number {
  const [n, channels, s] = shape;
  const classes = channels - 5;
  const cells = s * s;
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  let total = 0;
  for (let img = 0; img < n; img++)
    for (let cell = 0; cell < cells; cell++) {
      const at = (c: number) => out[(img * channels + c) * cells + cell];
      const m = img * cells + cell;
      const p = t.objectness[m];
      const x = at(0);
      total += (p ? 1 : NO_OBJECT_WEIGHT) * -(p * Math.log(sig(x)) + (1 - p) * Math.log(1 - sig(x)));
      if (!p) continue;
      const zs = Array.from({ length: classes }, (_, k) => at(1 + k));
      const max = Math.max(...zs);
      total += max + Math.log(zs.reduce((a, z) => a + Math.exp(z - max), 0)) - zs[t.classes[m]];
      for (let k = 0; k < 4; k++) total += BOX_WEIGHT * (sig(at(1 + classes + k)) - t.boxes[4 * m + k]) ** 2;
    }
  return total / n;
}
