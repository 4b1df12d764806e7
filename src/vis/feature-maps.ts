// Seeing what a convolutional network learned: its first layer's filters and the feature maps each
// convolution produces for one input, tiled into grayscale images. Browser-safe (the MNIST page draws
// them on a canvas; `shadergrad visualize` writes them as PNGs).
import { ValueError } from '../core/errors.js';
import { Conv2d } from '../nn/conv.js';
import type { Module } from '../nn/module.js';
import { noGrad } from '../graph/autograd.js';
import type { Tensor } from '../tensor/tensor.js';

/** A grayscale image, row-major, values in [0, 1]. */
export interface GrayImage {
  width: number;
  height: number;
  data: Float32Array;
}

/** Every Conv2d of `model` with its dotted state-dict path, in forward-declaration order. */
export function convLayers(model: Module, prefix = ''): { name: string; conv: Conv2d }[] {
  const out: { name: string; conv: Conv2d }[] = [];
  for (const [key, child] of model.namedChildren()) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (child instanceof Conv2d) out.push({ name, conv: child });
    out.push(...convLayers(child, name));
  }
  return out;
}

export interface FeatureMaps {
  /** The layer's dotted path in the model (as in its state dict). */
  layer: string;
  /** [channels, height, width] of the layer's output for the one input. */
  shape: [number, number, number];
  data: Float32Array;
}

/**
 * Runs `model` on one input `x` [1, ...] (no gradients) and returns what every Conv2d produced, in the
 * order they ran. The convolutions' forwards are wrapped for the one call and restored after it.
 */
export async function featureMaps(model: Module & { forward(x: Tensor): Tensor }, x: Tensor): Promise<FeatureMaps[]> {
  if (x.shape[0] !== 1) throw new ValueError(`featureMaps: x must hold one input ([1, C, H, W]), got a batch of ${x.shape[0]}`);
  const layers = convLayers(model);
  if (layers.length === 0) throw new ValueError(`featureMaps: ${model.constructor.name} has no Conv2d layer`);
  const captured: { layer: string; y: Tensor }[] = [];
  const restore = layers.map(({ name, conv }) => {
    const own = Object.getOwnPropertyDescriptor(conv, 'forward');
    const forward = conv.forward;
    conv.forward = (input: Tensor) => {
      const y = forward.call(conv, input);
      captured.push({ layer: name, y });
      return y;
    };
    return () => (own ? Object.defineProperty(conv, 'forward', own) : delete (conv as { forward?: unknown }).forward);
  });
  try {
    noGrad(() => model.forward(x));
  } finally {
    for (const r of restore) r();
  }
  return Promise.all(
    captured.map(async ({ layer, y }) => ({ layer, shape: [y.shape[1], y.shape[2], y.shape[3]] as [number, number, number], data: await y.data() as Float32Array })),
  );
}

export interface TileOptions {
  /** Tiles per row (default: the square root of the count, rounded up). */
  columns?: number;
  /** Pixels between tiles (default 1), drawn at `background`. */
  gap?: number;
  /** Gray of the gaps (default 1, white). */
  background?: number;
  /**
   * 'each': every tile scaled from its own min (black) to its max (white), for feature maps;
   * 'symmetric': all tiles on one scale with 0 at mid-gray (±max|v|), for filters, so signs compare.
   */
  normalize?: 'each' | 'symmetric';
}

/** `count` tiles of h×w from `data` (tile-major) laid out in a grid, as one grayscale image. */
export function tileImages(data: ArrayLike<number>, [count, h, w]: [number, number, number], o: TileOptions = {}): GrayImage {
  if (data.length !== count * h * w) throw new ValueError(`tileImages: ${data.length} values do not make ${count} tiles of ${h}x${w}`);
  const cols = Math.max(1, Math.min(count, o.columns ?? Math.ceil(Math.sqrt(count))));
  const rows = Math.ceil(count / cols);
  const gap = o.gap ?? 1;
  const width = cols * w + (cols - 1) * gap;
  const height = rows * h + (rows - 1) * gap;
  const img = new Float32Array(width * height).fill(o.background ?? 1);
  let bound = 0;
  for (let i = 0; i < data.length; i++) bound = Math.max(bound, Math.abs(data[i]));
  for (let t = 0; t < count; t++) {
    const base = t * h * w;
    let lo = -bound;
    let hi = bound;
    if (o.normalize !== 'symmetric') {
      lo = Infinity;
      hi = -Infinity;
      for (let i = 0; i < h * w; i++) [lo, hi] = [Math.min(lo, data[base + i]), Math.max(hi, data[base + i])];
    }
    const span = hi - lo || 1;
    const [ox, oy] = [(t % cols) * (w + gap), Math.floor(t / cols) * (h + gap)];
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img[(oy + y) * width + ox + x] = hi === lo ? 0.5 : (data[base + y * w + x] - lo) / span;
  }
  return { width, height, data: img };
}

/** The first Conv2d's filters [O, C, kH, kW] as a grid: one row per filter, one column per input channel, on one signed scale. */
export async function firstLayerFilters(model: Module): Promise<{ layer: string; image: GrayImage; shape: number[] }> {
  const first = convLayers(model)[0];
  if (!first) throw new ValueError(`firstLayerFilters: ${model.constructor.name} has no Conv2d layer`);
  const w = first.conv.weight;
  const [O, C, KH, KW] = w.shape;
  const image = tileImages(await w.data(), [O * C, KH, KW], { columns: C === 1 ? Math.ceil(Math.sqrt(O)) : C, normalize: 'symmetric' });
  return { layer: first.name, image, shape: w.shape };
}

/** `image` enlarged `scale` times by repeating pixels (small tiles become visible). */
export function upscale(image: GrayImage, scale: number): GrayImage {
  if (!Number.isInteger(scale) || scale < 1) throw new ValueError(`upscale: scale must be a positive integer, got ${scale}`);
  const width = image.width * scale;
  const height = image.height * scale;
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = image.data[Math.floor(y / scale) * image.width + Math.floor(x / scale)];
  return { width, height, data };
}

/** RGBA bytes of `image` (gray, opaque): what a canvas's ImageData and a PNG encoder take. */
export function toRgba(image: GrayImage): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(image.width * image.height * 4);
  for (let i = 0; i < image.data.length; i++) {
    const v = Math.round(255 * Math.min(1, Math.max(0, image.data[i])));
    out.set([v, v, v, 255], 4 * i);
  }
  return out;
}
