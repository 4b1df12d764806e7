// Elementwise: a single add / mul over 16M elements (memory bound: GB/s), and a chain of six ops that our
// planner fuses into one kernel while TF.js runs one kernel per op. Through the public API.
import * as sg from '../../src/index.js';
import { uniformArray } from '../../src/core/random.js';
import { runGraphCase } from '../public-api-case.js';
import type { BenchFamily } from '../harness.js';

export interface ElementwiseCase {
  name: string;
  op: 'add' | 'mul' | 'chain6';
  n: number;
}

const M = 1 << 20;
const ec = (op: ElementwiseCase['op'], n: number): ElementwiseCase => ({ name: `${op} ${n / M}M`, op, n });

/** The chain: ((x*y + 0.5).tanh() * x - y).exp() .. six ops; the same formula for the reference and TF.js. */
export function elementwiseReference(op: ElementwiseCase['op'], x: Float32Array, y: Float32Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    if (op === 'add') out[i] = x[i] + y[i];
    else if (op === 'mul') out[i] = x[i] * y[i];
    else out[i] = Math.exp(Math.tanh(x[i] * y[i] + 0.5) * x[i] - y[i]);
  }
  return out;
}

export const elementwiseFamily: BenchFamily<ElementwiseCase> = {
  name: 'elementwise',
  cases: (quick) => (quick ? [ec('add', 4 * M), ec('chain6', 4 * M)] : [ec('add', 16 * M), ec('mul', 16 * M), ec('chain6', 4 * M), ec('chain6', 16 * M)]),
  async run(ctx, c) {
    const xd = uniformArray(c.n, 3);
    const yd = uniformArray(c.n, 5);
    const x = sg.tensor(xd, [c.n]);
    const y = sg.tensor(yd, [c.n]);
    const ours = () => (c.op === 'add' ? x.add(y) : c.op === 'mul' ? x.mul(y) : x.mul(y).add(0.5).tanh().mul(x).sub(y).exp());
    try {
      return await runGraphCase(ctx, {
        family: 'elementwise',
        case: c.name,
        bytes: 3 * c.n * 4,
        flops: c.op === 'chain6' ? 6 * c.n : c.n,
        // the planner fuses any elementwise chain into one generated kernel (src/kernels/elementwise.ts)
        variant: c.op === 'chain6' ? 'fused chain*' : 'elementwise*',
        ours,
        want: elementwiseReference(c.op, xd, yd),
        rtol: 1e-5,
        atol: 1e-6,
        peer: (tf) => {
          const tx = tf.tensor1d(xd);
          const ty = tf.tensor1d(yd);
          const make = () =>
            c.op === 'add' ? tf.add(tx, ty) : c.op === 'mul' ? tf.mul(tx, ty) : tf.tidy(() => tf.exp(tf.sub(tf.mul(tf.tanh(tf.add(tf.mul(tx, ty), 0.5)), tx), ty)));
          return { make, dispose: () => tf.dispose([tx, ty]) };
        },
      });
    } finally {
      x.dispose();
      y.dispose();
    }
  },
};
