import { describe, expect, test } from 'vitest';
import { DataLoader, TensorDataset } from '../../src/data/dataloader.js';

/** n samples of shape [2, 3]; sample i holds i*10 + 0..5, its label is i. */
function ramp(n: number): TensorDataset {
  const x = new Float32Array(n * 6).map((_, k) => Math.floor(k / 6) * 10 + (k % 6));
  return new TensorDataset({ x, sampleShape: [2, 3], y: Int32Array.from({ length: n }, (_, i) => i) });
}

const epochLabels = (loader: DataLoader, e: number): number[] => [...loader.epoch(e)].flatMap((b) => [...b.y]);

describe('TensorDataset', () => {
  test('getBatch gathers the right rows with the batch dimension first', () => {
    const b = ramp(10).getBatch([7, 2, 7]);
    expect(b.xShape).toEqual([3, 2, 3]);
    expect(b.yShape).toEqual([3]);
    expect([...b.y]).toEqual([7, 2, 7]);
    expect([...b.x]).toEqual([70, 71, 72, 73, 74, 75, 20, 21, 22, 23, 24, 25, 70, 71, 72, 73, 74, 75]);
  });

  test('per-sample targets (e.g. next-token ids) keep their shape', () => {
    const ds = new TensorDataset({ x: new Float32Array(8), sampleShape: [4], y: Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), targetShape: [4] });
    const b = ds.getBatch([1]);
    expect(b.yShape).toEqual([1, 4]);
    expect([...b.y]).toEqual([5, 6, 7, 8]);
  });

  test('rejects mismatched sizes and bad indices, naming the problem', () => {
    expect(() => new TensorDataset({ x: new Float32Array(7), sampleShape: [2, 3], y: new Int32Array(1) })).toThrow(/not a multiple of sampleShape \[2,3\]/);
    expect(() => new TensorDataset({ x: new Float32Array(12), sampleShape: [6], y: new Int32Array(3) })).toThrow(/2 samples .* y has 3 values/);
    expect(() => ramp(4).getBatch([4])).toThrow(/index 4 out of range \[0, 4\)/);
  });
});

describe('DataLoader', () => {
  test('without shuffle: every sample once, in order, last batch short', () => {
    const loader = new DataLoader(ramp(10), { batchSize: 4 });
    const batches = [...loader];
    expect(loader.length).toBe(3);
    expect(batches.map((b) => b.xShape[0])).toEqual([4, 4, 2]);
    expect(batches.flatMap((b) => [...b.y])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // contents follow the labels
    for (const b of batches) for (let r = 0; r < b.y.length; r++) expect(b.x[r * 6 + 5]).toBe(b.y[r] * 10 + 5);
  });

  test('dropLast drops only the short final batch', () => {
    const loader = new DataLoader(ramp(10), { batchSize: 4, dropLast: true, shuffle: true, seed: 1 });
    expect(loader.length).toBe(2);
    expect(loader.samplesPerEpoch).toBe(8);
    const batches = [...loader];
    expect(batches.map((b) => b.y.length)).toEqual([4, 4]);
    expect(new Set(batches.flatMap((b) => [...b.y])).size).toBe(8);
    expect([...new DataLoader(ramp(8), { batchSize: 4, dropLast: true })].length).toBe(2);
  });

  test('shuffle: a permutation, reproducible from the seed, different per epoch and per seed', () => {
    const a = new DataLoader(ramp(100), { batchSize: 16, shuffle: true, seed: 5 });
    const e0 = epochLabels(a, 0);
    expect([...e0].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(e0).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    // a fresh loader with the same seed repeats every epoch exactly
    const b = new DataLoader(ramp(100), { batchSize: 16, shuffle: true, seed: 5 });
    expect(epochLabels(b, 0)).toEqual(e0);
    expect(epochLabels(b, 3)).toEqual(epochLabels(a, 3));
    expect(epochLabels(a, 1)).not.toEqual(e0);
    expect(epochLabels(new DataLoader(ramp(100), { batchSize: 16, shuffle: true, seed: 6 }), 0)).not.toEqual(e0);
  });

  test('plain iteration walks epochs 0, 1, 2, ...', () => {
    const loader = new DataLoader(ramp(50), { batchSize: 8, shuffle: true, seed: 9 });
    const first = [...loader].flatMap((b) => [...b.y]);
    const second = [...loader].flatMap((b) => [...b.y]);
    expect(first).toEqual(epochLabels(loader, 0));
    expect(second).toEqual(epochLabels(loader, 1));
    expect(loader.nextEpoch).toBe(2);
  });

  test('async iteration yields the same batches', async () => {
    const loader = new DataLoader(ramp(20), { batchSize: 6, shuffle: true, seed: 2 });
    const labels: number[] = [];
    for await (const b of loader) labels.push(...b.y);
    expect(labels).toEqual(epochLabels(loader, 0));
  });

  test('rejects a bad batch size', () => {
    expect(() => new DataLoader(ramp(4), { batchSize: 0 })).toThrow(/batchSize must be a positive integer/);
  });
});
