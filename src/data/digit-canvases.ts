// Detection data: seeded canvases composed from real MNIST digits, with the boxes and classes of the digits
// drawn on them. Browser-safe (it takes a split that the caller loaded; src/node/mnist-files.ts in Node).
//
// HOW A CANVAS IS MADE (all randomness from one seeded Random, so the same (split, seed, index) gives the
// same canvas on every machine):
//   - a 64×64 black canvas (CANVAS_SIZE); the detector sees it as an 8×8 grid of 8-pixel cells (GRID);
//   - 2–5 digits (uniform), each one digit of the given split picked uniformly (a TEST canvas is made
//     from the test split, the digits MNIST holds out: src/data/mnist.ts — the train/test split of the
//     digits themselves carries over), scaled by a factor in [0.65, 1.0] (bilinear; a 28×28 MNIST image
//     becomes 18–28 px, its ink 12–20 px), placed at a uniform position where the whole scaled image fits;
//   - a placement is redrawn (up to 50 tries per digit, then the digit is dropped and another one drawn,
//     at most 5 extra draws per canvas; tests check every canvas keeps at least 2) when its ink box overlaps an earlier one by IoU > MAX_OVERLAP_IOU, or when its box
//     centre falls in a grid cell that already holds a centre: every cell holds at most one object, so a
//     one-box-per-cell detector can represent every canvas exactly;
//   - digits are composed by the maximum of their pixels (ink over ink stays ink, values in [0, 1]).
// The box of a digit is the tight bounding box of its ink on the canvas: the pixels of its scaled image
// above INK_THRESHOLD, in pixel units [x0, y0, x1, y1) (x1, y1 exclusive: one past the last ink pixel).
import { ValueError } from '../core/errors.js';
import { deriveSeed, Random } from '../core/random.js';
import { MNIST_COLS, MNIST_PIXELS, MNIST_ROWS, type MnistSplit } from './mnist.js';

export const CANVAS_SIZE = 64;
/** Cells per side of the detector's grid (8-pixel cells on a 64-pixel canvas). */
export const GRID = 8;
export const CELL = CANVAS_SIZE / GRID;
export const MIN_DIGITS = 2;
export const MAX_DIGITS = 5;
export const SCALE_RANGE: readonly [number, number] = [0.65, 1.0];
/** Ink boxes of two digits on one canvas overlap by at most this IoU. */
export const MAX_OVERLAP_IOU = 0.1;
/** A scaled pixel counts as ink above this value (MNIST's background is exactly 0, its strokes near 1). */
export const INK_THRESHOLD = 0.2;
const TRIES_PER_DIGIT = 50;

/** An axis-aligned box in pixels, [x0, y0) to [x1, y1) exclusive, and its class. */
export interface LabelledBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  cls: number;
}

export interface DigitCanvas {
  /** [CANVAS_SIZE * CANVAS_SIZE] row-major, values in [0, 1]. */
  pixels: Float32Array;
  boxes: LabelledBox[];
}

export interface DigitCanvasBatch {
  /** [count, 1, CANVAS_SIZE, CANVAS_SIZE] */
  images: Float32Array;
  /** Boxes of each canvas. */
  boxes: LabelledBox[][];
  count: number;
}

/** Intersection over union of two pixel boxes (0 when either is empty). */
export function boxIou(a: Omit<LabelledBox, 'cls'>, b: Omit<LabelledBox, 'cls'>): number {
  const iw = Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0));
  const ih = Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));
  const inter = iw * ih;
  const union = (a.x1 - a.x0) * (a.y1 - a.y0) + (b.x1 - b.x0) * (b.y1 - b.y0) - inter;
  return union > 0 ? inter / union : 0;
}

/** The cell [row, col] of a grid×grid grid over an imageSize canvas holding a box's centre. */
export function centreCell(b: Omit<LabelledBox, 'cls'>, grid = GRID, imageSize = CANVAS_SIZE): [number, number] {
  const cell = (v: number) => Math.min(grid - 1, Math.floor((v * grid) / imageSize));
  return [cell((b.y0 + b.y1) / 2), cell((b.x0 + b.x1) / 2)];
}

/** MNIST image `index` of `split` resized to size×size by bilinear sampling (pixel centres aligned). */
function scaledDigit(split: MnistSplit, index: number, size: number): Float32Array {
  const src = split.images.subarray(index * MNIST_PIXELS, (index + 1) * MNIST_PIXELS);
  const out = new Float32Array(size * size);
  const f = MNIST_ROWS / size;
  const at = (y: number, x: number) => (y < 0 || x < 0 || y >= MNIST_ROWS || x >= MNIST_COLS ? 0 : src[y * MNIST_COLS + x]);
  for (let y = 0; y < size; y++) {
    const sy = (y + 0.5) * f - 0.5;
    const y0 = Math.floor(sy);
    const wy = sy - y0;
    for (let x = 0; x < size; x++) {
      const sx = (x + 0.5) * f - 0.5;
      const x0 = Math.floor(sx);
      const wx = sx - x0;
      out[y * size + x] = (1 - wy) * ((1 - wx) * at(y0, x0) + wx * at(y0, x0 + 1)) + wy * ((1 - wx) * at(y0 + 1, x0) + wx * at(y0 + 1, x0 + 1));
    }
  }
  return out;
}

/** The tight ink box of a size×size image, relative to its corner; null when nothing is above the threshold. */
function inkBox(img: Float32Array, size: number): { x0: number; y0: number; x1: number; y1: number } | null {
  let x0 = size, y0 = size, x1 = -1, y1 = -1;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      if (img[y * size + x] > INK_THRESHOLD) {
        x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/** Canvas `index` of the stream `seed` over `split` (see the header for how it is made). */
export function digitCanvas(split: MnistSplit, seed: number, index: number): DigitCanvas {
  if (split.count === 0) throw new ValueError('digitCanvas: the split holds no digits');
  if (!Number.isInteger(seed)) throw new ValueError(`digitCanvas: seed must be an integer, got ${seed}`);
  if (!Number.isInteger(index) || index < 0) throw new ValueError(`digitCanvas: index must be a non-negative integer, got ${index}`);
  const rng = new Random(deriveSeed(seed, index));
  const want = MIN_DIGITS + rng.int(MAX_DIGITS - MIN_DIGITS + 1);
  const pixels = new Float32Array(CANVAS_SIZE * CANVAS_SIZE);
  const boxes: LabelledBox[] = [];
  const taken = new Set<number>();
  // a digit that finds no room is replaced by a fresh draw (up to MAX_DIGITS extra draws per canvas)
  for (let attempt = 0; boxes.length < want && attempt < want + MAX_DIGITS; attempt++) {
    const digit = rng.int(split.count);
    const scale = SCALE_RANGE[0] + (SCALE_RANGE[1] - SCALE_RANGE[0]) * rng.next();
    const size = Math.round(MNIST_ROWS * scale);
    const img = scaledDigit(split, digit, size);
    const ink = inkBox(img, size);
    if (!ink) continue;
    for (let t = 0; t < TRIES_PER_DIGIT; t++) {
      const ox = rng.int(CANVAS_SIZE - size + 1);
      const oy = rng.int(CANVAS_SIZE - size + 1);
      const box = { x0: ox + ink.x0, y0: oy + ink.y0, x1: ox + ink.x1, y1: oy + ink.y1, cls: split.labels[digit] };
      const [r, c] = centreCell(box);
      if (taken.has(r * GRID + c) || boxes.some((b) => boxIou(b, box) > MAX_OVERLAP_IOU)) continue;
      taken.add(r * GRID + c);
      boxes.push(box);
      for (let y = 0; y < size; y++)
        for (let x = 0; x < size; x++) {
          const p = (oy + y) * CANVAS_SIZE + ox + x;
          pixels[p] = Math.max(pixels[p], img[y * size + x]);
        }
      break;
    }
  }
  return { pixels, boxes };
}

/** Canvases first .. first+count-1 of the stream `seed`, as one batch [count, 1, 64, 64]. */
export function digitCanvasBatch(split: MnistSplit, seed: number, first: number, count: number): DigitCanvasBatch {
  const images = new Float32Array(count * CANVAS_SIZE * CANVAS_SIZE);
  const boxes: LabelledBox[][] = [];
  for (let i = 0; i < count; i++) {
    const c = digitCanvas(split, seed, first + i);
    images.set(c.pixels, i * CANVAS_SIZE * CANVAS_SIZE);
    boxes.push(c.boxes);
  }
  return { images, boxes, count };
}
