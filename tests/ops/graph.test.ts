// Graph ops: every row of tests/ops/rows/graph.ts against its float64 reference and central differences,
// then every bad input.
import '../helpers/matchers.js';
import { describe, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { useGpu } from '../helpers/gpu.js';
import { runBadInputs, runRows } from '../helpers/opcheck.js';
import { badInputs, rows } from './rows/graph.js';

useGpu();
runRows(rows);
describe('bad inputs', () => runBadInputs(badInputs));

// Ties: PyTorch's scatter_reduce 'amax' (include_self=False) shares the gradient evenly among the rows
// that reach the maximum. The expected values are PyTorch 1.13's, printed by:
//   src = torch.tensor([[1., 2.], [1., 5.], [0., 5.], [3., 5.]], requires_grad=True); idx = torch.tensor([0, 0, 0, 2])
//   out = torch.zeros(3, 2).scatter_reduce(0, idx[:, None].expand(4, 2), src, 'amax', include_self=False)
//   out.backward(torch.tensor([[1., 2.], [3., 4.], [5., 6.]])); src.grad
test('segmentMax: tied maxima share the gradient evenly (PyTorch scatter_reduce amax)', async () => {
  const src = sg.tensor([[1, 2], [1, 5], [0, 5], [3, 5]], undefined, { requiresGrad: true });
  const index = sg.tensor(Int32Array.from([0, 0, 0, 2]), [4], { dtype: 'int32' });
  const out = sg.segmentMax(src, index, 3);
  out.mul(sg.tensor([[1, 2], [3, 4], [5, 6]])).sum().backward();
  expect(await out.array()).toEqual([[1, 5], [0, 0], [3, 5]]);
  expect(await src.grad!.array()).toEqual([[0.5, 0], [0.5, 1], [0, 1], [5, 6]]);
});

test('segmentSum: a 100k-edge sum over 1000 segments matches float64 (hub segments of ~100 rows)', async () => {
  const E = 100_003;
  const idx = Int32Array.from({ length: E }, (_, e) => (e * 7919) % 1000);
  const vals = Float32Array.from({ length: E * 2 }, (_, k) => Math.sin(k));
  const out = await sg.segmentSum(sg.tensor(vals, [E, 2]), sg.tensor(idx, [E], { dtype: 'int32' }), 1000).data();
  const want = new Float64Array(2000);
  idx.forEach((s, e) => ((want[s * 2] += vals[e * 2]), (want[s * 2 + 1] += vals[e * 2 + 1])));
  expect(Array.from(out)).toBeAllClose(Array.from(want), { rtol: 1e-4, atol: 1e-4 });
});
