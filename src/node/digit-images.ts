// Digits from PNG files for `shadergrad classify --images`: one 28×28 digit, or a grid of them (as
// `shadergrad sample` writes: 28×28 tiles side by side, no borders, read row by row). MNIST's convention:
// light ink on a dark background, gray levels 0..255 → [0, 1] (colour is reduced to its luminance,
// transparency composited over black).
import { readFile } from 'node:fs/promises';
import { PNG } from 'pngjs';
import { ValueError } from '../core/errors.js';
import { MNIST_PIXELS } from '../data/mnist.js';

export const DIGIT_SIDE = 28;

/** The digits of a PNG grid of 28×28 tiles, row-major, as [count · 784] values in [0, 1]. */
export function digitsFromPng(bytes: Uint8Array, file: string): { pixels: Float32Array; count: number; columns: number; rows: number } {
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes));
  } catch (e) {
    throw new ValueError(`--images ${file}: not a readable PNG (${(e as Error).message})`);
  }
  const { width, height, data } = png;
  if (width === 0 || height === 0 || width % DIGIT_SIDE !== 0 || height % DIGIT_SIDE !== 0)
    throw new ValueError(`--images ${file}: ${width}x${height} pixels is not one 28x28 digit or a grid of them (width and height must be multiples of 28)`);
  const [columns, rows] = [width / DIGIT_SIDE, height / DIGIT_SIDE];
  const count = columns * rows;
  const pixels = new Float32Array(count * MNIST_PIXELS);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < columns; c++)
      for (let y = 0; y < DIGIT_SIDE; y++)
        for (let x = 0; x < DIGIT_SIDE; x++) {
          const i = 4 * ((r * DIGIT_SIDE + y) * width + c * DIGIT_SIDE + x);
          const luminance = 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
          pixels[(r * columns + c) * MNIST_PIXELS + y * DIGIT_SIDE + x] = (luminance * (data[i + 3] / 255)) / 255;
        }
  return { pixels, count, columns, rows };
}

export async function readDigitImages(file: string) {
  return digitsFromPng(await readFile(file), file);
}
