import { describe, expect, test } from 'vitest';
import { isMnistTestIndex, MNIST_PIXELS, splitMnist } from '../../src/data/mnist.js';
import { loadMnist } from '../../src/node/mnist-files.js';

describe('MNIST (the mnist package, fixed split)', async () => {
  const m = await loadMnist();

  test('9,000 train and 1,000 test digits of 784 pixels', () => {
    expect(m.train.count).toBe(9000);
    expect(m.test.count).toBe(1000);
    expect(m.train.images.length).toBe(9000 * MNIST_PIXELS);
    expect(m.test.images.length).toBe(1000 * MNIST_PIXELS);
    expect(m.train.labels.length).toBe(9000);
    expect(m.test.labels.length).toBe(1000);
  });

  test('pixels in [0, 1], not blank, with real ink', () => {
    for (const split of [m.train, m.test]) {
      let min = Infinity;
      let max = -Infinity;
      for (const v of split.images) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      expect(min).toBe(0);
      expect(max).toBe(1);
      for (let i = 0; i < split.count; i += 97) {
        const ink = split.images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS).filter((v) => v > 0.5).length;
        expect(ink).toBeGreaterThan(10);
      }
    }
  });

  test('labels 0..9, every class in both splits, about 10% of each class held out', () => {
    const count = (labels: Int32Array) => labels.reduce((c, l) => (c[l]++, c), new Array(10).fill(0) as number[]);
    const train = count(m.train.labels);
    const test = count(m.test.labels);
    expect(train.reduce((a, b) => a + b)).toBe(9000);
    expect(test.reduce((a, b) => a + b)).toBe(1000);
    for (let c = 0; c < 10; c++) {
      expect(test[c]).toBeGreaterThan(80);
      expect(Math.abs(test[c] / (train[c] + test[c]) - 0.1)).toBeLessThan(0.002);
    }
  });

  test('train and test share no digit image', () => {
    const key = (images: Float32Array, i: number) => images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS).join(',');
    const train = new Set<string>();
    for (let i = 0; i < m.train.count; i++) train.add(key(m.train.images, i));
    let shared = 0;
    for (let i = 0; i < m.test.count; i++) if (train.has(key(m.test.images, i))) shared++;
    expect(shared).toBe(0);
  });

  test('the split rule: package sample g is a test digit iff g % 10 === 9, order kept', () => {
    // fake classes of constant images whose value encodes the sample's package index g
    const perClass = [3, 12, 0, 1, 5, 0, 0, 0, 0, 4];
    let g = 0;
    const perDigit = perClass.map((n) => {
      const a = new Float32Array(n * MNIST_PIXELS);
      for (let k = 0; k < n; k++, g++) a.fill(g / 1000, k * MNIST_PIXELS, (k + 1) * MNIST_PIXELS);
      return a;
    });
    const s = splitMnist(perDigit);
    const ids = (images: Float32Array, n: number) => Array.from({ length: n }, (_, i) => Math.round(images[i * MNIST_PIXELS] * 1000));
    const all = Array.from({ length: g }, (_, i) => i);
    expect(ids(s.test.images, s.test.count)).toEqual(all.filter(isMnistTestIndex));
    expect(ids(s.train.images, s.train.count)).toEqual(all.filter((i) => !isMnistTestIndex(i)));
    // g: class 0 = 0..2, class 1 = 3..14, class 3 = 15, class 4 = 16..20, class 9 = 21..24
    expect([...s.test.labels]).toEqual([1, 4]);
  });

  test('rejects malformed pixel data', () => {
    const good = Array.from({ length: 10 }, () => new Float32Array(MNIST_PIXELS));
    expect(() => splitMnist(good.slice(0, 9))).toThrow(/expected 10 digit arrays/);
    expect(() => splitMnist([...good.slice(0, 9), new Float32Array(5)])).toThrow(/digit 9 has 5 values/);
    const bad = good.map((a) => a.slice());
    bad[3][7] = 2;
    expect(() => splitMnist(bad)).toThrow(/digit 3 sample 0 pixel 7 is 2/);
  });
});
