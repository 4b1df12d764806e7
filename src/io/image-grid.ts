// A grid of small grayscale images in one picture (torchvision.utils.make_grid's layout), for an image
// summary of a batch of inputs. Browser-safe.
import { ShapeError, ValueError } from '../core/errors.js';
import type { ImagePixels } from './tfevents.js';

export interface ImageGridOptions {
  /** Images per row (default 8). */
  columns?: number;
  /** Pixels between and around the images (default 2). */
  padding?: number;
  /** Value of the padding pixels, in [0, 1] (default 0). */
  padValue?: number;
}

/** `images` [count, height, width] (values in [0, 1]) laid out `columns` per row: one grayscale image. */
export function imageGrid(images: ArrayLike<number>, [count, height, width]: [number, number, number], { columns = 8, padding = 2, padValue = 0 }: ImageGridOptions = {}): ImagePixels {
  for (const [name, v] of [['count', count], ['height', height], ['width', width], ['columns', columns]] as const)
    if (!Number.isSafeInteger(v) || v < 1) throw new ValueError(`imageGrid: ${name} must be a positive integer, got ${v}`);
  if (!Number.isSafeInteger(padding) || padding < 0) throw new ValueError(`imageGrid: padding must be a non-negative integer, got ${padding}`);
  if (!(padValue >= 0 && padValue <= 1)) throw new ValueError(`imageGrid: padValue must lie in [0, 1], got ${padValue}`);
  if (images.length !== count * height * width) throw new ShapeError(`imageGrid: images hold ${images.length} values; [${count}, ${height}, ${width}] needs ${count * height * width}`);
  const cols = Math.min(columns, count);
  const rows = Math.ceil(count / cols);
  const W = cols * (width + padding) + padding;
  const H = rows * (height + padding) + padding;
  const data = new Float32Array(W * H).fill(padValue);
  for (let n = 0; n < count; n++) {
    const top = padding + Math.floor(n / cols) * (height + padding);
    const left = padding + (n % cols) * (width + padding);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) data[(top + y) * W + left + x] = images[(n * height + y) * width + x];
  }
  return { width: W, height: H, channels: 1, data };
}
