// Message passing on a generated stochastic-block-model graph (src/data/sbm.ts: 10k nodes, ≥ 100k
// directed edges, repeated ties kept): segment sum of gathered source rows into their targets,
// `segmentSum(h.gather(src), dst, N)` through the public API (validated against a float64 loop first),
// next to TF.js's tf.unsortedSegmentSum(tf.gather(h, src), dst, N) (TF.js has no graph ops of its own).
import * as sg from '../../src/index.js';
import { uniformArray } from '../../src/core/random.js';
import { stochasticBlockModel } from '../../src/data/sbm.js';
import { runGraphCase } from '../public-api-case.js';
import type { BenchFamily } from '../harness.js';

export interface GraphCase {
  name: string;
  blocks: number;
  nodesPerBlock: number;
  degree: number;
  features: number;
}

const sbm = (blocks: number, nodesPerBlock: number, degree: number, features: number): GraphCase => ({
  name: `sbm ${blocks * nodesPerBlock} nodes, ${blocks * nodesPerBlock * degree} edges, F=${features}`,
  blocks, nodesPerBlock, degree, features,
});

/** out[dst[e]] += h[src[e]] in float64. */
export function messagePassingReference(h: Float32Array, F: number, src: Int32Array, dst: Int32Array, N: number): Float64Array {
  const out = new Float64Array(N * F);
  src.forEach((s, e) => {
    for (let f = 0; f < F; f++) out[dst[e] * F + f] += h[s * F + f];
  });
  return out;
}

export const graphFamily: BenchFamily<GraphCase> = {
  name: 'graph',
  cases: (quick) => (quick ? [sbm(10, 1000, 10, 16)] : [sbm(10, 1000, 10, 16), sbm(10, 1000, 10, 64)]),
  async run(ctx, c) {
    const g = stochasticBlockModel({ blocks: c.blocks, nodesPerBlock: c.nodesPerBlock, degree: c.degree, pIn: 0.8, features: c.blocks, noise: 1, seed: 5 });
    const N = g.numNodes;
    const E = g.edgeIndex.length / 2;
    const src = g.edgeIndex.subarray(0, E);
    const dst = g.edgeIndex.subarray(E);
    const data = uniformArray(N * c.features, 11, -1, 1);
    const h = sg.tensor(data, [N, c.features]);
    const srcT = sg.tensor(src, [E], { dtype: 'int32' });
    const dstT = sg.tensor(dst, [E], { dtype: 'int32' });
    try {
      return await runGraphCase(ctx, {
        family: 'graph',
        case: c.name,
        // gather reads E rows and writes them; the segment sum reads them again and writes N rows
        bytes: (3 * E + N) * c.features * 4 + 3 * E * 4,
        variant: 'gather + segment-sum (CSR, one invocation per output)*',
        ours: () => sg.segmentSum(h.gather(srcT), dstT, N),
        want: messagePassingReference(data, c.features, src, dst, N),
        rtol: 1e-4,
        atol: 1e-4,
        peer: (tf) => {
          const th = tf.tensor2d(data, [N, c.features]);
          const ts = tf.tensor1d(src, 'int32');
          const td = tf.tensor1d(dst, 'int32');
          return { make: () => tf.unsortedSegmentSum(tf.gather(th, ts), td, N), dispose: () => (th.dispose(), ts.dispose(), td.dispose()) };
        },
      });
    } finally {
      h.dispose();
    }
  },
};
