// A procedural segmentation data set: grayscale images of circles, squares and triangles on noisy
// backgrounds, with a class per pixel (0 background, 1 circle, 2 square, 3 triangle).
//
// Each image comes from its own seed, deriveSeed(deriveSeed(seed, split), index), so image i is the same
// whatever the count, and the train and held-out splits (split 0 and 1) share no image. One image:
//   - background: a level in [0.1, 0.5] plus a linear ramp of up to ±0.15 across the image;
//   - 1 to 3 shapes (classes drawn uniformly), each a level in [0.55, 1.0] (the same range for every
//     class: only the geometry tells them apart), painted in order, a later one covering an earlier one:
//     circles of radius r, axis-aligned squares of half-side r, triangles (equilateral, any rotation)
//     of circumradius 1.25 r, with r in [size/8, size/4]; centres keep the shape mostly inside;
//   - noise on every pixel: uniform in ±0.1 plus uniform in ±0.1 (triangular, platform-independent:
//     integer PRNG, no transcendental functions), the result clamped to [0, 1].
// A pixel belongs to a shape when its centre does. Only Math.cos/sin enter (the triangle's corners), so
// masks are bit-identical wherever those agree to the last bit.
import { ValueError } from '../core/errors.js';
import { deriveSeed, Random } from '../core/random.js';

export const SHAPE_CLASSES = ['background', 'circle', 'square', 'triangle'] as const;
export const NUM_SHAPE_CLASSES = SHAPE_CLASSES.length;

export interface ShapesOptions {
  /** Images to make. */
  count: number;
  /** Side of the square images in pixels (default 64). */
  size?: number;
  /** Base seed of the data set (default 0). */
  seed?: number;
  /** 'train' (split 0) or 'test' (split 1, held out): different images from the same base seed. */
  split: 'train' | 'test';
}

export interface ShapesData {
  count: number;
  size: number;
  /** [count, size, size] grey levels in [0, 1]. */
  images: Float32Array;
  /** [count, size, size] class ids. */
  masks: Int32Array;
}

/** Is (px, py) inside the triangle with these corners (same side of all three edges)? */
function inTriangle(px: number, py: number, c: number[]): boolean {
  const side = (ax: number, ay: number, bx: number, by: number) => (bx - ax) * (py - ay) - (by - ay) * (px - ax);
  const d1 = side(c[0], c[1], c[2], c[3]);
  const d2 = side(c[2], c[3], c[4], c[5]);
  const d3 = side(c[4], c[5], c[0], c[1]);
  return (d1 >= 0 && d2 >= 0 && d3 >= 0) || (d1 <= 0 && d2 <= 0 && d3 <= 0);
}

/** Paints image `index` of the split into `image` and `mask` (size*size each). */
function drawImage(rnd: Random, size: number, image: Float32Array, mask: Int32Array): void {
  const level = 0.1 + 0.4 * rnd.next();
  const rampX = 0.3 * (rnd.next() - 0.5);
  const rampY = 0.3 * (rnd.next() - 0.5);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      image[y * size + x] = level + rampX * (x / (size - 1) - 0.5) * 2 + rampY * (y / (size - 1) - 0.5) * 2;
      mask[y * size + x] = 0;
    }
  const shapes = 1 + rnd.int(3);
  for (let s = 0; s < shapes; s++) {
    const cls = 1 + rnd.int(3);
    const r = size / 8 + (size / 8) * rnd.next();
    const cx = r * 0.5 + (size - r) * rnd.next();
    const cy = r * 0.5 + (size - r) * rnd.next();
    const value = 0.55 + 0.45 * rnd.next();
    const angle = 2 * Math.PI * rnd.next();
    const corners = [0, 1, 2].flatMap((k) => [cx + 1.25 * r * Math.cos(angle + (2 * Math.PI * k) / 3), cy + 1.25 * r * Math.sin(angle + (2 * Math.PI * k) / 3)]);
    const inside = (px: number, py: number) =>
      cls === 1 ? (px - cx) ** 2 + (py - cy) ** 2 <= r * r : cls === 2 ? Math.abs(px - cx) <= r && Math.abs(py - cy) <= r : inTriangle(px, py, corners);
    const reach = Math.ceil(1.25 * r) + 1;
    for (let y = Math.max(0, Math.floor(cy - reach)); y < Math.min(size, Math.ceil(cy + reach)); y++)
      for (let x = Math.max(0, Math.floor(cx - reach)); x < Math.min(size, Math.ceil(cx + reach)); x++)
        if (inside(x + 0.5, y + 0.5)) {
          image[y * size + x] = value;
          mask[y * size + x] = cls;
        }
  }
  for (let i = 0; i < size * size; i++) image[i] = Math.min(1, Math.max(0, image[i] + 0.1 * (rnd.next() - 0.5) * 2 + 0.1 * (rnd.next() - 0.5) * 2));
}

/** `count` images of a split, each from its own seed (see the file comment). */
export function shapesDataset(o: ShapesOptions): ShapesData {
  const size = o.size ?? 64;
  if (!Number.isInteger(o.count) || o.count < 0) throw new ValueError(`shapesDataset: count must be an integer >= 0, got ${o.count}`);
  if (!Number.isInteger(size) || size < 8) throw new ValueError(`shapesDataset: size must be an integer >= 8, got ${size}`);
  if (o.split !== 'train' && o.split !== 'test') throw new ValueError(`shapesDataset: split must be 'train' or 'test', got ${JSON.stringify(o.split)}`);
  const splitSeed = deriveSeed(o.seed ?? 0, o.split === 'train' ? 0 : 1);
  const images = new Float32Array(o.count * size * size);
  const masks = new Int32Array(o.count * size * size);
  const plane = size * size;
  for (let i = 0; i < o.count; i++) drawImage(new Random(deriveSeed(splitSeed, i)), size, images.subarray(i * plane, (i + 1) * plane), masks.subarray(i * plane, (i + 1) * plane));
  return { count: o.count, size, images, masks };
}
