// The grid detector (src/models/detector.ts): forward shapes; the loss against an independent float64
// reference and its gradient with respect to the head against central differences of that reference
// (awkward sizes: 1 image, 3×3 grids, an image with no box); bad input named; and a tiny convergence run
// that overfits a few canvases until decoding them gives their boxes back (mAP@0.5 on them).
import { expect, test } from 'vitest';
import { CANVAS_SIZE, digitCanvasBatch, GRID } from '../../src/data/digit-canvases.js';
import { Detector, detectionLoss, detectionLossReference, detectionTargets } from '../../src/models/detector.js';
import { loadMnist } from '../../src/node/mnist-files.js';
import { detectImages, meanAveragePrecision } from '../../src/train/detection.js';
import { useGpu } from '../helpers/gpu.js';
import '../helpers/matchers.js';

const sg = useGpu();

/** Two 24-pixel images on a 3×3 grid: the first with three boxes (one touching the far corner), the second with none. */
const boxes = [
  [
    { x0: 1, y0: 2, x1: 9, y1: 7, cls: 4 },
    { x0: 10, y0: 9, x1: 15, y1: 20, cls: 0 },
    { x0: 17, y0: 16, x1: 24, y1: 24, cls: 9 },
  ],
  [],
];

test('forward: [N, 1, 64, 64] → [N, 15, 8, 8] for N = 1 and 3; other widths and class counts', async () => {
  sg.manualSeed(0);
  const d = new Detector();
  expect(d.forward(sg.randn([1, 1, CANVAS_SIZE, CANVAS_SIZE], { seed: 1 })).shape).toEqual([1, 15, GRID, GRID]);
  const y = d.forward(sg.randn([3, 1, CANVAS_SIZE, CANVAS_SIZE], { seed: 2 }));
  expect(y.shape).toEqual([3, 15, GRID, GRID]);
  expect((await y.data()).every(Number.isFinite)).toBe(true);
  expect(new Detector({ width: 4, classes: 3, inChannels: 2 }).forward(sg.randn([2, 2, 40, 24], { seed: 3 })).shape).toEqual([2, 8, 5, 3]);
  expect(() => d.forward(sg.randn([1, 1, 60, 64], { seed: 4 }))).toThrow(/Detector: input must be \[N, C, H, W\] with H and W multiples of 8, got shape \[1, 1, 60, 64\]/);
  expect(() => new Detector({ width: 0 })).toThrow(/width/);
  expect(() => new Detector({ widht: 8 } as never)).toThrow(/widht/);
});

test('targets: the cell of each centre, offsets in the cell, √ of the relative size; two centres in a cell refused', () => {
  const t = detectionTargets(boxes, 3, 24);
  expect(t.positives).toBe(3);
  expect(Array.from(t.objectness)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1, ...new Array(9).fill(0)]);
  expect(t.classes[0]).toBe(4);
  expect(t.classes[8]).toBe(9);
  // the first box: centre (5, 4.5) in cell (0, 0) of 8 px → offsets 0.625, 0.5625; size 8×5 of 24
  expect(Array.from(t.boxes.subarray(0, 4))).toBeAllClose([0.625, 0.5625, Math.sqrt(8 / 24), Math.sqrt(5 / 24)], { rtol: 1e-6 });
  expect(() => detectionTargets([[{ x0: 0, y0: 0, x1: 4, y1: 4, cls: 1 }, { x0: 1, y0: 1, x1: 5, y1: 5, cls: 2 }]], 3, 24)).toThrow(/image 0 has two box centres in cell \(0, 0\)/);
});

test('loss equals its float64 reference, and its gradient central differences of the reference', async () => {
  const shape = [2, 15, 3, 3];
  const t = detectionTargets(boxes, 3, 24);
  const raw = sg.randn(shape, { seed: 5 });
  const host = Float64Array.from(await raw.data());
  const out = sg.tensor(Float32Array.from(host), shape, { requiresGrad: true });
  const loss = detectionLoss(out, t);
  loss.backward();
  expect(await loss.item()).toBeCloseTo(detectionLossReference(host, shape, t), 4);
  const grad = Float64Array.from(await out.grad!.data());
  const h = 1e-5;
  const numeric = Array.from(host, (_, i) => {
    const up = host.slice(); up[i] += h;
    const down = host.slice(); down[i] -= h;
    return (detectionLossReference(up, shape, t) - detectionLossReference(down, shape, t)) / (2 * h);
  });
  expect(grad).toBeAllClose(numeric, { rtol: 1e-3, atol: 1e-5 });
  // the empty second image still trains objectness (towards 0) and nothing else
  const second = (c: number) => grad[(15 + c) * 9 + 4];
  expect(second(0)).toBeGreaterThan(0);
  expect([1, 5, 11, 14].map(second)).toEqual([0, 0, 0, 0]);
  // N = 1
  const one = sg.tensor(Float32Array.from(host.subarray(0, 135)), [1, 15, 3, 3]);
  expect(await detectionLoss(one, detectionTargets(boxes.slice(0, 1), 3, 24)).item()).toBeCloseTo(detectionLossReference(host.subarray(0, 135), [1, 15, 3, 3], detectionTargets(boxes.slice(0, 1), 3, 24)), 4);
});

test('loss refuses shapes that do not match the targets, by name', () => {
  const t = detectionTargets(boxes, 3, 24);
  expect(() => detectionLoss(sg.zeros([2, 15, 4, 4]), t)).toThrow(/detectionLoss: targets hold 18 cells, out \[2, 15, 4, 4\] has 32/);
  expect(() => detectionLoss(sg.zeros([2, 15, 3]), t)).toThrow(/detectionLoss: out must be \[N, 1 \+ classes \+ 4, S, S\], got shape \[2, 15, 3\]/);
  expect(() => detectionLoss(sg.zeros([2, 15, 3, 4]), t)).toThrow(/got shape \[2, 15, 3, 4\]/);
});

test('convergence (tiny): a width-4 detector overfits 8 canvases until their boxes decode back at mAP@0.5 > 0.5', async () => {
  const { train } = await loadMnist();
  const batch = digitCanvasBatch(train, 1, 0, 8);
  const t = detectionTargets(batch.boxes);
  sg.manualSeed(0);
  const model = new Detector({ width: 4 });
  const before = meanAveragePrecision(await detectImages(model, batch.images, batch.count, { imageSize: CANVAS_SIZE }), batch.boxes, 10).map;
  const opt = new sg.optim.Adam(model.parameters(), { lr: 1e-2 });
  const x = sg.tensor(batch.images, [batch.count, 1, CANVAS_SIZE, CANVAS_SIZE]);
  const losses: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    opt.zeroGrad();
    const loss = detectionLoss(model.forward(x), t);
    loss.backward();
    opt.step();
    losses.push(await loss.item());
  }
  const after = meanAveragePrecision(await detectImages(model, batch.images, batch.count, { imageSize: CANVAS_SIZE }), batch.boxes, 10).map;
  console.log(`  loss ${losses[0].toFixed(3)} -> ${losses.at(-1)!.toFixed(3)} in ${STEPS} steps; mAP@0.5 on the 8 canvases ${before.toFixed(3)} -> ${after.toFixed(3)}`);
  expect(before).toBeLessThan(0.1);
  expect(losses.at(-1)!).toBeLessThan(losses[0] / 4);
  expect(after).toBeGreaterThan(0.5);
}, 120_000);

// measured: mAP@0.5 0.41 after 30 steps, 1.0 after 45 (loss 16 → 2.1), ~0.4 s a step on lavapipe under load
const STEPS = 45;
