// One tiny case through each bench family without the peer (--no-peer semantics): validated, then timed.
import { describe, expect, test } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { runtime } from '../../src/runtime/runtime.js';
import type { BenchContext, BenchFamily, CaseResult } from '../../bench/harness.js';
import { matmulFamily } from '../../bench/families/matmul.js';
import { softmaxFamily } from '../../bench/families/softmax.js';
import { reduceFamily } from '../../bench/families/reduce.js';
import { elementwiseFamily } from '../../bench/families/elementwise.js';
import { optimFamily } from '../../bench/families/optim.js';
import { mlpStepFamily } from '../../bench/families/mlp-step.js';
import { lenetStepFamily } from '../../bench/families/lenet-step.js';
import { graphFamily } from '../../bench/families/graph.js';
import { measurePeaks } from '../../bench/peak.js';

useGpu();
const ctx = (): BenchContext => ({ rt: runtime(), peer: null, options: { quick: true, rounds: 2, budgetMs: 500, sampleMs: 5 }, log: () => {} });

const tiny: [BenchFamily<any>, object][] = [
  [matmulFamily, { name: '16x24x8', M: 16, K: 24, N: 8 }],
  [softmaxFamily, { name: '5x37', rows: 5, cols: 37 }],
  [reduceFamily, { name: 'sum-axis0 9x13', op: 'sum', axis: 0, rows: 9, cols: 13 }],
  [reduceFamily, { name: 'argmax-axis1 9x13', op: 'argmax', axis: 1, rows: 9, cols: 13 }],
  [elementwiseFamily, { name: 'chain6 1000', op: 'chain6', n: 1000 }],
  [optimFamily, { name: 'adam 1000', n: 1000 }],
  [mlpStepFamily, { name: 'mlp 8-6-3', batch: 4, sizes: [8, 6, 3] }],
  [lenetStepFamily, { name: 'lenet5-b2', batch: 2 }],
  [graphFamily, { name: 'sbm 60 nodes', blocks: 3, nodesPerBlock: 20, degree: 4, features: 5 }],
];

describe('bench families: a tiny case each, checked then timed (no peer)', () => {
  test.each(tiny.map(([f, c]) => [`${f.name} ${(c as { name: string }).name}`, f, c] as const))('%s', async (_, family, c) => {
    const r: CaseResult = await family.run(ctx(), c as { name: string });
    const ok = r.entries.filter((e) => e.status === 'ok');
    expect(r.entries.filter((e) => e.status === 'WRONG' || e.status === 'error')).toEqual([]);
    expect(ok.length).toBeGreaterThan(0);
    for (const e of ok) expect(e.wallMs.length).toBeGreaterThan(0);
    expect(r.peer).toBeUndefined();
    if (family.name.endsWith('-step')) expect(ok[0].step!.dispatches).toBeGreaterThan(0);
  });

  test('peak micro-benchmarks give positive copy GB/s and FMA GFLOP/s', async () => {
    const p = await measurePeaks(runtime(), { quick: true, floats: 1 << 16 });
    expect(p.copyGBs).toBeGreaterThan(0);
    expect(p.fmaGflops).toBeGreaterThan(0);
  });
});
