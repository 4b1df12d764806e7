// Reductions of a large matrix through the public API: sum over the last axis (contiguous rows), sum
// over the first axis (strided columns), argmax over the last axis; next to TF.js's sum / argMax.
import * as sg from '../../src/index.js';
import { uniformArray } from '../../src/core/random.js';
import { runGraphCase } from '../public-api-case.js';
import type { BenchFamily } from '../harness.js';

export interface ReduceCase {
  name: string;
  op: 'sum' | 'argmax';
  axis: 0 | 1;
  rows: number;
  cols: number;
}

const rc = (op: ReduceCase['op'], axis: 0 | 1, rows: number, cols: number): ReduceCase => ({
  name: `${op}-axis${axis} ${rows}x${cols}`, op, axis, rows, cols,
});

export function reduceReference(x: Float32Array, c: ReduceCase): Float64Array {
  const outN = c.axis === 1 ? c.rows : c.cols;
  const len = c.axis === 1 ? c.cols : c.rows;
  const at = (o: number, k: number) => (c.axis === 1 ? x[o * c.cols + k] : x[k * c.cols + o]);
  const out = new Float64Array(outN);
  for (let o = 0; o < outN; o++) {
    if (c.op === 'sum') {
      let s = 0;
      for (let k = 0; k < len; k++) s += at(o, k);
      out[o] = s;
    } else {
      let best = 0;
      for (let k = 1; k < len; k++) if (at(o, k) > at(o, best)) best = k;
      out[o] = best;
    }
  }
  return out;
}

export const reduceFamily: BenchFamily<ReduceCase> = {
  name: 'reduce',
  cases: (quick) => {
    const n = quick ? 1024 : 4096;
    return [rc('sum', 1, n, n), rc('sum', 0, n, n), rc('argmax', 1, n, n)];
  },
  async run(ctx, c) {
    const n = c.rows * c.cols;
    const data = uniformArray(n, 11);
    const x = sg.tensor(data, [c.rows, c.cols]);
    const outN = c.axis === 1 ? c.rows : c.cols;
    try {
      return await runGraphCase(ctx, {
        family: 'reduce',
        case: c.name,
        bytes: n * 4 + outN * 4,
        flops: c.op === 'sum' ? n : 0,
        // src/kernels/reduce.ts: one kernel for every reduction, a workgroup per output with a tree in shared memory
        variant: 'workgroup-per-output tree*',
        ours: () => (c.op === 'sum' ? x.sum(c.axis) : x.argmax(c.axis)),
        want: reduceReference(data, c),
        // f32 sums of thousands of values in [-1, 1): absolute error grows with sqrt(length)
        rtol: 1e-4,
        atol: c.op === 'sum' ? 2e-4 * Math.sqrt(c.axis === 1 ? c.cols : c.rows) : 0,
        peer: (tf) => {
          const tx = tf.tensor2d(data, [c.rows, c.cols]);
          return { make: () => (c.op === 'sum' ? tf.sum(tx, c.axis) : tf.argMax(tx, c.axis)), dispose: () => tx.dispose() };
        },
      });
    } finally {
      x.dispose();
    }
  },
};
