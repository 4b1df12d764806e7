// The dynamic batcher with a fake model (no GPU): what goes into each batch, padding, splitting of
// large requests, the wait bound, and failures reaching exactly the requests of the failed batch.
import { describe, expect, test } from 'vitest';
import { DynamicBatcher, paddedSize, paddedSizes } from '../../src/serve/batcher.js';

const IN = 3;
const CLASSES = 2;

/** A batcher whose "model" answers row r of a batch with probabilities [x, -x] for its first value x. */
function fake(maxBatch: number, maxWaitMs = 5, fail = (_rows: number[]) => false) {
  const batches: { padded: number; firsts: number[] }[] = [];
  const b = new DynamicBatcher({
    maxBatch,
    maxWaitMs,
    inputSize: IN,
    classes: CLASSES,
    exclusive: (work) => work(),
    run: async (pixels, count) => {
      await new Promise((r) => setTimeout(r, 2));
      const firsts = Array.from({ length: count }, (_, i) => pixels[i * IN]);
      if (fail(firsts)) throw new Error('device lost');
      const probabilities = new Float32Array(count * CLASSES);
      firsts.forEach((x, i) => probabilities.set([x, -x], i * CLASSES));
      batches.push({ padded: count, firsts });
      return { probabilities, classes: Int32Array.from(firsts, (x) => (x > 0 ? 0 : 1)) };
    },
  });
  const submit = (...firsts: number[]) => b.submit(Float32Array.from(firsts.flatMap((x) => [x, 0, 0])), firsts.length);
  return { b, batches, submit };
}

describe('DynamicBatcher', () => {
  test('padded sizes are powers of two', () => {
    expect([1, 2, 3, 5, 32, 33].map(paddedSize)).toEqual([1, 2, 4, 8, 32, 64]);
    expect(paddedSizes(32)).toEqual([1, 2, 4, 8, 16, 32]);
    expect(paddedSizes(20)).toEqual([1, 2, 4, 8, 16, 32]);
  });

  test('requests sent together share a batch; each gets its own rows back', async () => {
    const { submit, batches } = fake(8);
    const [a, b, c] = await Promise.all([submit(1, 2), submit(3), submit(4, 5, 6)]);
    expect(Array.from(a.probabilities)).toEqual([1, -1, 2, -2]);
    expect(Array.from(b.probabilities)).toEqual([3, -3]);
    expect(Array.from(c.probabilities)).toEqual([4, -4, 5, -5, 6, -6]);
    expect(batches).toHaveLength(1);
    expect(batches[0].firsts.slice(0, 6)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(batches[0].padded).toBe(8); // 6 real rows padded with zeros to 8
    expect(batches[0].firsts.slice(6)).toEqual([0, 0]);
  });

  test('a request larger than maxBatch is split over batches and answered whole', async () => {
    const { submit, batches } = fake(4);
    const rows = Array.from({ length: 10 }, (_, i) => i + 1);
    const p = await submit(...rows);
    expect(Array.from(p.classes)).toEqual(rows.map(() => 0));
    expect(Array.from(p.probabilities).filter((_, i) => i % 2 === 0)).toEqual(rows);
    expect(batches.map((b) => b.padded)).toEqual([4, 4, 2]);
  });

  test('a lone request waits at most about maxWaitMs; one arriving while a batch runs goes right after it', async () => {
    const { submit, batches } = fake(64, 30);
    const t0 = performance.now();
    await submit(1);
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(25);
    expect(waited).toBeLessThan(1000);
    const first = submit(2);
    await new Promise((r) => setTimeout(r, 35)); // the batch of [2] is running now
    const during = [submit(3), submit(4)];
    await Promise.all([first, ...during]);
    expect(batches.slice(1).map((b) => b.firsts)).toEqual([[2], [3, 4]]);
  });

  test('a failed batch rejects its requests (the rest of a split one too) and the next batch goes on', async () => {
    const { submit, b } = fake(4, 5, (firsts) => firsts.includes(13));
    const results = await Promise.allSettled([submit(11, 12, 13, 14, 15, 16), submit(21)]);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: { message: 'device lost' } });
    expect(results[1].status).toBe('fulfilled');
    expect(b.waiting).toBe(0);
    expect(Array.from((await submit(31)).probabilities)).toEqual([31, -31]);
  });
});
