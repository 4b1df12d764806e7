// Node: a minimal line chart written as PNG (pngjs): several series over a shared x axis, auto-scaled y.
import { writeFile } from 'node:fs/promises';
import { PNG } from 'pngjs';
import { toRgba, type GrayImage } from '../vis/feature-maps.js';

export interface LineSeries {
  values: ArrayLike<number>;
  /** RGB 0..255 */
  color: [number, number, number];
}

/** Draws the series (equal lengths, one point per x) on a white canvas with a light grid; returns the PNG bytes. */
export function lineChartPng(series: LineSeries[], width = 900, height = 360): Buffer {
  const png = new PNG({ width, height });
  png.data.fill(255);
  const set = (x: number, y: number, [r, g, b]: [number, number, number]) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const i = (y * width + x) * 4;
    png.data[i] = r;
    png.data[i + 1] = g;
    png.data[i + 2] = b;
    png.data[i + 3] = 255;
  };
  for (let y = 0; y < height; y += 40) for (let x = 0; x < width; x++) set(x, y, [230, 230, 230]);
  const all = series.flatMap((s) => Array.from(s.values));
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const n = Math.max(...series.map((s) => s.values.length));
  const px = (i: number) => Math.round(10 + (i / Math.max(n - 1, 1)) * (width - 20));
  const py = (v: number) => Math.round(height - 10 - ((v - lo) / (hi - lo || 1)) * (height - 20));
  for (const s of series)
    for (let i = 1; i < s.values.length; i++) {
      // a segment from point i-1 to i, stepped along its longer axis
      const [x0, y0, x1, y1] = [px(i - 1), py(s.values[i - 1]), px(i), py(s.values[i])];
      const steps = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
      for (let k = 0; k <= steps; k++) set(Math.round(x0 + ((x1 - x0) * k) / steps), Math.round(y0 + ((y1 - y0) * k) / steps), s.color);
    }
  return PNG.sync.write(png);
}

export async function writeLineChart(path: string, series: LineSeries[], width?: number, height?: number): Promise<void> {
  await writeFile(path, lineChartPng(series, width, height));
}

/** A grayscale image (values in [0, 1], see src/vis/feature-maps.ts) as PNG bytes. */
export function grayImagePng(image: GrayImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  png.data.set(toRgba(image));
  return PNG.sync.write(png);
}
