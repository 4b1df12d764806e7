// The transfer task's class subsets: --digits parsing and the selection of a split's samples by class.
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from 'commander';
import { formatDigits, parseDigits } from '../../src/cli/digits.js';
import { MNIST_PIXELS, selectDigits, type MnistSplit } from '../../src/data/mnist.js';

describe('--digits', () => {
  test('ranges and single digits, sorted without repeats; written back in the same form', () => {
    expect(parseDigits('0-4')).toEqual([0, 1, 2, 3, 4]);
    expect(parseDigits('7,1,3-5,4')).toEqual([1, 3, 4, 5, 7]);
    expect(parseDigits(' 9 ')).toEqual([9]);
    expect(formatDigits([1, 3, 4, 5, 7])).toBe('1,3-5,7');
    expect(formatDigits(parseDigits('5-9'))).toBe('5-9');
  });

  test('anything else is refused, naming the form expected', () => {
    for (const bad of ['', '10', '4-2', 'a', '1-', '-3', '1,,2', '0-10'])
      expect(() => parseDigits(bad), bad).toThrow(InvalidArgumentError);
  });

  test('selectDigits keeps the samples of those classes, pixels and labels together, in order', () => {
    const labels = Int32Array.from([3, 0, 5, 3, 9, 5]);
    const images = new Float32Array(labels.length * MNIST_PIXELS);
    labels.forEach((_, i) => images.fill(i / 10, i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS)); // sample i's pixels are i/10
    const split: MnistSplit = { images, labels, count: labels.length };
    const sub = selectDigits(split, [3, 5]);
    expect(sub.count).toBe(4);
    expect(Array.from(sub.labels)).toEqual([3, 5, 3, 5]);
    expect([0, 1, 2, 3].map((r) => sub.images[r * MNIST_PIXELS + 100])).toEqual([0, 2, 3, 5].map((i) => Math.fround(i / 10)));
    expect(selectDigits(split, [1]).count).toBe(0);
    expect(() => selectDigits(split, [10])).toThrow(/digits must be integers 0\.\.9, got 10/);
  });
});
