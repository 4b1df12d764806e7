// `train --model detector --out FILE`: a PNG (pngjs) of held-out canvases side by side, magnified ZOOM
// times: the true boxes in grey, the predicted boxes (score ≥ SHOWN_SCORE, after NMS) in one colour per
// class, each with its class digit above its top-left corner in a 3×5 pixel font.
import { writeFile } from 'node:fs/promises';
import { PNG } from 'pngjs';
import { CANVAS_SIZE, type DigitCanvasBatch } from '../data/digit-canvases.js';
import type { Detection } from '../train/detection.js';

const ZOOM = 4;
const GAP = 8;
/** Predicted boxes drawn: the ones a reader would call detections. */
export const SHOWN_SCORE = 0.5;

/** 3×5 glyphs of 0..9, rows top to bottom, 3 bits a row (4 = left column). */
const FONT = [
  [7, 5, 5, 5, 7], [2, 6, 2, 2, 7], [7, 1, 7, 4, 7], [7, 1, 7, 1, 7], [5, 5, 7, 1, 1],
  [7, 4, 7, 1, 7], [7, 4, 7, 5, 7], [7, 1, 1, 1, 1], [7, 5, 7, 5, 7], [7, 5, 7, 1, 7],
];
/** A colour per class (Tableau 10). */
const COLOURS: [number, number, number][] = [
  [78, 121, 167], [242, 142, 43], [225, 87, 89], [118, 183, 178], [89, 161, 79],
  [237, 201, 72], [176, 122, 161], [255, 157, 167], [156, 117, 95], [186, 176, 172],
];

export async function writeDetectionsPng(path: string, canvases: DigitCanvasBatch, detections: Detection[][], count: number): Promise<void> {
  const n = Math.min(count, canvases.count);
  const side = CANVAS_SIZE * ZOOM;
  const png = new PNG({ width: n * side + (n + 1) * GAP, height: side + 2 * GAP });
  const set = (x: number, y: number, [r, g, b]: [number, number, number]) => {
    if (x < 0 || y < 0 || x >= png.width || y >= png.height) return;
    const i = 4 * (y * png.width + x);
    png.data[i] = r; png.data[i + 1] = g; png.data[i + 2] = b; png.data[i + 3] = 255;
  };
  for (let y = 0; y < png.height; y++) for (let x = 0; x < png.width; x++) set(x, y, [255, 255, 255]);
  const rect = (ox: number, x0: number, y0: number, x1: number, y1: number, colour: [number, number, number]) => {
    const [a, b, c, d] = [x0, y0, x1, y1].map((v) => Math.round(v * ZOOM));
    for (let t = 0; t < 2; t++) {
      for (let x = a; x <= c; x++) { set(ox + x, GAP + b + t, colour); set(ox + x, GAP + d - t, colour); }
      for (let y = b; y <= d; y++) { set(ox + a + t, GAP + y, colour); set(ox + c - t, GAP + y, colour); }
    }
  };
  for (let k = 0; k < n; k++) {
    const ox = GAP + k * (side + GAP);
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++) {
        const v = Math.round(255 * canvases.images[k * CANVAS_SIZE * CANVAS_SIZE + Math.floor(y / ZOOM) * CANVAS_SIZE + Math.floor(x / ZOOM)]);
        set(ox + x, GAP + y, [v, v, v]);
      }
    for (const b of canvases.boxes[k]) rect(ox, b.x0, b.y0, b.x1, b.y1, [110, 110, 110]);
    for (const d of detections[k].filter((d) => d.score >= SHOWN_SCORE)) {
      const colour = COLOURS[d.cls % COLOURS.length];
      rect(ox, d.x0, d.y0, d.x1, d.y1, colour);
      // the class digit, 2× scaled, just above the box (inside it when the box touches the top)
      const tx = ox + Math.round(d.x0 * ZOOM);
      const ty = GAP + Math.max(0, Math.round(d.y0 * ZOOM) - 12);
      FONT[d.cls % 10].forEach((row, r) => {
        for (let c = 0; c < 3; c++) if (row & (4 >> c)) for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) set(tx + 2 * c + dx, ty + 2 * r + dy, colour);
      });
    }
  }
  await writeFile(path, PNG.sync.write(png));
}
