// Softmax over the last axis of large rows (a GPT-2 vocabulary, a wide hidden layer) and of many short
// rows (10 classes): `x.softmax(-1)` realized through the public API, next to TF.js's tf.softmax.
import * as sg from '../../src/index.js';
import { uniformArray } from '../../src/core/random.js';
import { runGraphCase } from '../public-api-case.js';
import type { BenchFamily } from '../harness.js';

export interface SoftmaxCase {
  name: string;
  rows: number;
  cols: number;
}

const sm = (rows: number, cols: number): SoftmaxCase => ({ name: `${rows}x${cols}`, rows, cols });

export function softmaxReference(x: Float32Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let c = 0; c < cols; c++) m = Math.max(m, x[r * cols + c]);
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(x[r * cols + c] - m);
    for (let c = 0; c < cols; c++) out[r * cols + c] = Math.exp(x[r * cols + c] - m) / s;
  }
  return out;
}

/** src/kernels/softmax.ts has one kernel: a workgroup per row, lanes = next power of two of cols, at most 64. */
function variantName(cols: number): string {
  let wg = 1;
  while (wg < cols && wg < 64) wg *= 2;
  return `row-per-workgroup wg${wg}*`;
}

export const softmaxFamily: BenchFamily<SoftmaxCase> = {
  name: 'softmax',
  cases: (quick) => (quick ? [sm(64, 50257), sm(8192, 10)] : [sm(64, 50257), sm(4096, 1024), sm(65536, 10)]),
  async run(ctx, c) {
    const n = c.rows * c.cols;
    const data = uniformArray(n, 7, -4, 4);
    const x = sg.tensor(data, [c.rows, c.cols]);
    try {
      return await runGraphCase(ctx, {
        family: 'softmax',
        case: c.name,
        bytes: 2 * n * 4,
        variant: variantName(c.cols),
        ours: () => x.softmax(-1),
        want: softmaxReference(data, c.rows, c.cols),
        rtol: 1e-4,
        atol: 1e-7,
        peer: (tf) => {
          const tx = tf.tensor2d(data, [c.rows, c.cols]);
          return { make: () => tf.softmax(tx), dispose: () => tx.dispose() };
        },
      });
    } finally {
      x.dispose();
    }
  },
};
