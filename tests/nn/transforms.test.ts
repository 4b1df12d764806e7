// GPU augmentation: the affine resampling kernel against hand-made expectations (identity, a quarter
// turn, an integer shift, zeros outside), seeded reproducibility, colour jitter and mixup blends.
import '../helpers/matchers.js';
import { describe, expect, test } from 'vitest';
import { ColorJitter, Mixup, RandomAffine, affineResample, softCrossEntropy } from '../../src/data/transforms.js';
import { useGpu } from '../helpers/gpu.js';

const sg = useGpu();
const img = Float32Array.from({ length: 2 * 1 * 3 * 4 }, (_, i) => i + 1); // [2, 1, 3, 4]

describe('affineResample', () => {
  test('identity, integer shift (zeros outside), a quarter turn of a square image', async () => {
    const x = sg.tensor(img, [2, 1, 3, 4]);
    const id = sg.tensor([1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0], [2, 6]);
    expect(Array.from(await affineResample(x, id).data())).toEqual(Array.from(img));
    // sample 0 read one pixel to the right (content moves left), sample 1 one row down (content moves up)
    const shift = sg.tensor([1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1], [2, 6]);
    const s = await affineResample(x, shift).data();
    expect(Array.from(s.slice(0, 4))).toEqual([2, 3, 4, 0]);
    expect(Array.from(s.slice(12, 24))).toEqual([17, 18, 19, 20, 21, 22, 23, 24, 0, 0, 0, 0]);
    // 3x3: output (x, y) reads input (y, -x) about the centre: a clockwise quarter turn
    const sq = sg.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);
    const turn = await affineResample(sq, sg.tensor([0, 1, 0, -1, 0, 0], [1, 6])).data();
    expect(turn).toBeAllClose([7, 4, 1, 8, 5, 2, 9, 6, 3]);
  });

  test('RandomAffine is reproducible from its seed and differs between batches', async () => {
    const x = sg.tensor(img, [2, 1, 3, 4]);
    const opts = { degrees: 20, scale: [0.8, 1.2] as [number, number], translate: [0.1, 0.1] as [number, number] };
    const a = new RandomAffine(opts, 5);
    const b = new RandomAffine(opts, 5);
    const a1 = await a.apply(x).data();
    expect(Array.from(await b.apply(x).data())).toEqual(Array.from(a1));
    expect(Array.from(await a.apply(x).data())).not.toEqual(Array.from(a1));
  });
});

describe('colour jitter and mixup', () => {
  test('ColorJitter with zero ranges is the identity (clamped to [0, 1]); with ranges it stays in [0, 1]', async () => {
    const x = sg.tensor(Float32Array.from({ length: 32 }, (_, i) => (i % 9) / 8), [2, 1, 4, 4]);
    expect(await new ColorJitter({}).apply(x).data()).toBeAllClose(await x.data());
    const y = await new ColorJitter({ brightness: 0.5, contrast: 0.5 }, 3).apply(x).data();
    expect(Math.min(...y)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...y)).toBeLessThanOrEqual(1);
  });

  test('Mixup blends samples and one-hot targets with the same λ and permutation', async () => {
    const x = sg.tensor(img, [2, 1, 3, 4]);
    const labels = sg.tensor([3, 7], [2], { dtype: 'int32' });
    const { x: mx, targets, lambda, perm } = new Mixup(0.4, 2).apply(x, labels, 10);
    expect(lambda).toBeGreaterThan(0);
    expect(lambda).toBeLessThan(1);
    const want = new Float64Array(24);
    for (let n = 0; n < 2; n++) for (let k = 0; k < 12; k++) want[n * 12 + k] = lambda * img[n * 12 + k] + (1 - lambda) * img[perm[n] * 12 + k];
    expect(await mx.data()).toBeAllClose(want);
    const t = await targets.data();
    expect(t[3]).toBeCloseTo(lambda + (perm[0] === 0 ? 1 - lambda : 0), 5);
    expect(Array.from(t.slice(0, 10)).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const loss = await softCrossEntropy(sg.zeros([2, 10]), targets).item();
    expect(loss).toBeCloseTo(Math.log(10), 4);
  });
});
