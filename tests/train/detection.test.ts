// Detection post-processing (src/train/detection.ts) on hand-made boxes: IoU, grid decoding, class-wise
// NMS, VOC all-point AP and mAP@0.5, with the values worked out by hand in the comments.
import { describe, expect, test } from 'vitest';
import { averagePrecision, boxIou, decodeGrid, headChannels, meanAveragePrecision, nonMaxSuppression, type Detection } from '../../src/train/detection.js';

const box = (x0: number, y0: number, x1: number, y1: number, cls = 0, score = 1): Detection => ({ x0, y0, x1, y1, cls, score });
const logit = (p: number) => Math.log(p / (1 - p));

describe('IoU', () => {
  test('hand-made pairs', () => {
    expect(boxIou(box(0, 0, 10, 10), box(0, 0, 10, 10))).toBe(1);
    // 5×10 overlap of two 10×10 boxes: 50 / 150
    expect(boxIou(box(0, 0, 10, 10), box(5, 0, 15, 10))).toBeCloseTo(1 / 3, 12);
    // touching edges, disjoint, contained (4 / 100), an empty box
    expect(boxIou(box(0, 0, 10, 10), box(10, 0, 20, 10))).toBe(0);
    expect(boxIou(box(0, 0, 10, 10), box(30, 30, 40, 40))).toBe(0);
    expect(boxIou(box(0, 0, 10, 10), box(2, 2, 4, 4))).toBeCloseTo(0.04, 12);
    expect(boxIou(box(3, 3, 3, 3), box(3, 3, 3, 3))).toBe(0);
  });
});

describe('decodeGrid', () => {
  test('one confident cell of a 2×2 grid over a 16-pixel image, with its centre, size, class and score', () => {
    const classes = 3;
    const grid = 2;
    const c = headChannels(classes);
    expect(c).toBe(8);
    const out = new Float32Array(c * grid * grid).fill(-20);
    const cell = 1 * grid + 0; // row 1, column 0
    const set = (ch: number, v: number) => (out[ch * grid * grid + cell] = v);
    set(0, logit(0.8)); // objectness 0.8
    set(1, 0); set(2, Math.log(3)); set(3, 0); // class 1 with probability 3 / 5
    set(4, 0); set(5, logit(0.25)); // centre offsets 0.5, 0.25 → (0 + 0.5) / 2 · 16 = 4, (1 + 0.25) / 2 · 16 = 10
    set(6, logit(0.5)); set(7, logit(0.25)); // sizes 0.25 · 16 = 4 and 0.0625 · 16 = 1
    const dets = decodeGrid(out, classes, grid, { imageSize: 16 });
    expect(dets).toHaveLength(1);
    const [d] = dets;
    expect(d.cls).toBe(1);
    expect(d.score).toBeCloseTo(0.8 * 0.6, 6);
    for (const [k, v] of [['x0', 2], ['x1', 6], ['y0', 9.5], ['y1', 10.5]] as const) expect(d[k]).toBeCloseTo(v, 5);
    // minScore filters: 0.48 is kept at 0.4, dropped at 0.5
    expect(decodeGrid(out, classes, grid, { imageSize: 16, minScore: 0.5 })).toHaveLength(0);
    expect(() => decodeGrid(out.subarray(1), classes, grid, { imageSize: 16 })).toThrow(/expected 8×2×2 = 32 values, got 31/);
  });
});

describe('non-max suppression', () => {
  test('keeps the best of overlapping boxes of a class, keeps other classes and distant boxes, highest score first', () => {
    const dets = [
      box(0, 0, 10, 10, 0, 0.6),
      box(1, 0, 11, 10, 0, 0.9), // IoU 90/110 = 0.82 with the first: suppresses it
      box(1, 0, 11, 10, 1, 0.5), // same place, other class: kept
      box(5, 0, 15, 10, 0, 0.7), // IoU 60/140 = 0.43 with the 0.9 box (under 0.5): kept
      box(40, 40, 50, 50, 0, 0.2),
    ];
    const kept = nonMaxSuppression(dets, 0.5);
    expect(kept.map((d) => d.score)).toEqual([0.9, 0.7, 0.5, 0.2]);
    // a stricter threshold (0.3) also drops the 0.7 box (its IoU 0.43 with the 0.9 one)
    expect(nonMaxSuppression(dets, 0.3).map((d) => d.score)).toEqual([0.9, 0.5, 0.2]);
    expect(nonMaxSuppression([], 0.5)).toEqual([]);
    expect(() => nonMaxSuppression(dets, 1.5)).toThrow(/iouThreshold must be in \[0, 1\], got 1.5/);
  });
});

describe('average precision (VOC all-point)', () => {
  test('perfect ranking is 1; a miss halves recall; a false positive ranked first costs its precision', () => {
    expect(averagePrecision([{ score: 0.9, tp: true }, { score: 0.8, tp: true }], 2)).toBeCloseTo(1, 12);
    // one of two found: recall reaches 0.5 at precision 1
    expect(averagePrecision([{ score: 0.9, tp: true }], 2)).toBeCloseTo(0.5, 12);
    // FP then TP then TP: precision 0, 1/2, 2/3 at recall 0, 0.5, 1 → monotone 2/3 everywhere → 2/3
    expect(averagePrecision([{ score: 0.9, tp: false }, { score: 0.8, tp: true }, { score: 0.7, tp: true }], 2)).toBeCloseTo(2 / 3, 12);
    // TP, FP, TP: recall 0.5 at precision 1, recall 1 at 2/3 → 0.5 + 0.5 · 2/3
    expect(averagePrecision([{ score: 0.9, tp: true }, { score: 0.8, tp: false }, { score: 0.7, tp: true }], 2)).toBeCloseTo(0.5 + 1 / 3, 12);
    // the order given does not matter: detections are ranked by score
    expect(averagePrecision([{ score: 0.7, tp: true }, { score: 0.9, tp: true }, { score: 0.8, tp: false }], 2)).toBeCloseTo(0.5 + 1 / 3, 12);
    expect(averagePrecision([], 3)).toBe(0);
    expect(() => averagePrecision([], 0)).toThrow(/no ground-truth boxes/);
  });

  test('mAP@0.5 over two images and two classes: IoU threshold, duplicates, the wrong class, absent classes', () => {
    const truths = [
      [box(0, 0, 10, 10, 0), box(20, 20, 30, 30, 1)],
      [box(0, 0, 10, 10, 0)],
    ];
    const predictions = [
      [
        box(0, 0, 10, 10, 0, 0.9), // TP for class 0
        box(1, 1, 11, 11, 0, 0.8), // duplicate of the same truth: FP
        box(20, 20, 30, 30, 0, 0.3), // right place, wrong class: FP for class 0
        box(22, 20, 32, 30, 1, 0.6), // IoU 80/120 = 0.67 ≥ 0.5: TP for class 1
      ],
      [box(5, 0, 15, 10, 0, 0.7)], // IoU 1/3 < 0.5: FP, the truth is missed
    ];
    const r = meanAveragePrecision(predictions, truths, 3);
    // class 0: TP(0.9), FP(0.8), FP(0.7), FP(0.3) over 2 truths → recall 0.5 at precision 1 → AP 0.5
    expect(r.perClass[0]).toBeCloseTo(0.5, 12);
    expect(r.perClass[1]).toBeCloseTo(1, 12);
    expect(r.perClass[2]).toBeNull();
    expect(r.map).toBeCloseTo(0.75, 12);
    // at IoU 0.3 the second image's box (IoU 1/3) counts: class 0 ranking TP, FP, TP, FP → 0.5 + 0.5 · 2/3
    expect(meanAveragePrecision(predictions, truths, 3, 0.3).perClass[0]).toBeCloseTo(0.5 + 1 / 3, 12);
    expect(meanAveragePrecision(truths.map((t) => t.map((b) => ({ ...b, score: 1 }))), truths, 3).map).toBe(1);
    expect(() => meanAveragePrecision([[]], truths, 3)).toThrow(/1 images of predictions but 2 of ground truth/);
  });
});
