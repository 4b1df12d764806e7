// The detection canvases (src/data/digit-canvases.ts): the same (split, seed, index) gives the same canvas,
// other seeds other canvases; every canvas holds 2–5 digits whose boxes are the tight boxes of their ink,
// overlap by IoU ≤ 0.1 and sit one centre to a grid cell; every ink pixel of the canvas lies in a box;
// and a canvas takes its digits from the split it is given (the trainer gives the test split for test canvases).
import { beforeAll, describe, expect, test } from 'vitest';
import {
  boxIou, CANVAS_SIZE, centreCell, digitCanvas, digitCanvasBatch, GRID, INK_THRESHOLD, MAX_DIGITS, MAX_OVERLAP_IOU, MIN_DIGITS, type DigitCanvas,
} from '../../src/data/digit-canvases.js';
import { selectDigits, type Mnist } from '../../src/data/mnist.js';
import { loadMnist } from '../../src/node/mnist-files.js';

let mnist: Mnist;
beforeAll(async () => {
  mnist = await loadMnist();
});

const ink = (c: DigitCanvas, x: number, y: number) => c.pixels[y * CANVAS_SIZE + x] > INK_THRESHOLD;

describe('digit canvases', () => {
  test('deterministic: the same seed and index give the same pixels and boxes; another seed or index does not', () => {
    const a = digitCanvas(mnist.train, 3, 17);
    const b = digitCanvas(mnist.train, 3, 17);
    expect(Array.from(b.pixels)).toEqual(Array.from(a.pixels));
    expect(b.boxes).toEqual(a.boxes);
    expect(Array.from(digitCanvas(mnist.train, 4, 17).pixels)).not.toEqual(Array.from(a.pixels));
    expect(Array.from(digitCanvas(mnist.train, 3, 18).pixels)).not.toEqual(Array.from(a.pixels));
    const batch = digitCanvasBatch(mnist.train, 3, 15, 4);
    expect(Array.from(batch.images.subarray(2 * CANVAS_SIZE * CANVAS_SIZE, 3 * CANVAS_SIZE * CANVAS_SIZE))).toEqual(Array.from(a.pixels));
    expect(batch.boxes[2]).toEqual(a.boxes);
  });

  test('300 canvases: 2–5 digits, tight ink boxes, limited overlap, one centre a cell, all ink boxed, pixels in [0, 1]', () => {
    const counts = new Array(MAX_DIGITS + 1).fill(0);
    for (let i = 0; i < 300; i++) {
      const c = digitCanvas(i % 2 ? mnist.test : mnist.train, 11, i);
      counts[c.boxes.length]++;
      expect(c.boxes.length).toBeGreaterThanOrEqual(MIN_DIGITS);
      expect(c.pixels.every((v) => v >= 0 && v <= 1)).toBe(true);
      const cells = new Set(c.boxes.map((b) => centreCell(b).join(',')));
      expect(cells.size).toBe(c.boxes.length);
      for (const b of c.boxes) {
        expect(b.x0).toBeGreaterThanOrEqual(0);
        expect(b.y0).toBeGreaterThanOrEqual(0);
        expect(b.x1).toBeLessThanOrEqual(CANVAS_SIZE);
        expect(b.y1).toBeLessThanOrEqual(CANVAS_SIZE);
        expect(b.cls).toBeGreaterThanOrEqual(0);
        expect(b.cls).toBeLessThan(10);
        // tight: ink on each of the box's four edge lines
        const row = (y: number) => Array.from({ length: b.x1 - b.x0 }, (_, k) => ink(c, b.x0 + k, y)).some(Boolean);
        const col = (x: number) => Array.from({ length: b.y1 - b.y0 }, (_, k) => ink(c, x, b.y0 + k)).some(Boolean);
        expect([row(b.y0), row(b.y1 - 1), col(b.x0), col(b.x1 - 1)]).toEqual([true, true, true, true]);
        for (const o of c.boxes) if (o !== b) expect(boxIou(b, o)).toBeLessThanOrEqual(MAX_OVERLAP_IOU);
      }
      for (let y = 0; y < CANVAS_SIZE; y++)
        for (let x = 0; x < CANVAS_SIZE; x++)
          if (ink(c, x, y)) expect(c.boxes.some((b) => x >= b.x0 && x < b.x1 && y >= b.y0 && y < b.y1), `ink at (${x}, ${y}) of canvas ${i} outside every box`).toBe(true);
    }
    // every count occurs (uniform 2..5 draws)
    for (let k = MIN_DIGITS; k <= MAX_DIGITS; k++) expect(counts[k]).toBeGreaterThan(30);
    expect(GRID * 8).toBe(CANVAS_SIZE);
  });

  test('a canvas takes its digits from the split it is given', () => {
    const threes = selectDigits(mnist.test, [3]);
    for (let i = 0; i < 20; i++) expect(digitCanvas(threes, 0, i).boxes.every((b) => b.cls === 3)).toBe(true);
    // the same canvas index over the two splits draws different digits
    expect(Array.from(digitCanvas(mnist.test, 0, 0).pixels)).not.toEqual(Array.from(digitCanvas(mnist.train, 0, 0).pixels));
  });

  test('bad input is refused by name', () => {
    expect(() => digitCanvas({ images: new Float32Array(0), labels: new Int32Array(0), count: 0 }, 0, 0)).toThrow(/split holds no digits/);
    expect(() => digitCanvas(mnist.train, 0, -1)).toThrow(/index must be a non-negative integer/);
    expect(() => digitCanvas(mnist.train, 0.5, 0)).toThrow(/seed/);
  });
});
