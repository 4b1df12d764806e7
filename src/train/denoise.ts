// Denoising: the corruption (additive Gaussian noise, clipped to the pixel range) and the score (PSNR).
import { ValueError } from '../core/errors.js';
import { randn } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';

/** x + σ·N(0, 1), clipped to [0, 1] (seeded: the same seed gives the same noise). */
export function addGaussianNoise(x: Tensor, sigma: number, seed: number): Tensor {
  return x.add(randn(x.shape, { seed }).mul(sigma)).maximum(0).minimum(1);
}

/**
 * Peak signal-to-noise ratio in dB of `images` against `reference` ([count · pixels] each, peak 1):
 * 10·log10(1 / MSE) per image, averaged over the images (an exact copy counts as 100 dB).
 */
export function psnrDb(images: ArrayLike<number>, reference: ArrayLike<number>, pixels: number): number {
  if (images.length !== reference.length || images.length % pixels !== 0 || images.length === 0)
    throw new ValueError(`psnrDb: ${images.length} and ${reference.length} values are not the same whole number of images of ${pixels} pixels`);
  const count = images.length / pixels;
  let sum = 0;
  for (let i = 0; i < count; i++) {
    let se = 0;
    for (let p = i * pixels; p < (i + 1) * pixels; p++) se += (images[p] - reference[p]) ** 2;
    sum += se === 0 ? 100 : 10 * Math.log10(pixels / se);
  }
  return sum / count;
}
