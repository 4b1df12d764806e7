// Mixed numeric/categorical tables for TabularNet: a seeded held-out split, standardisation fitted on the
// training rows only, and categorical columns coded as embedding indices (the training split's levels;
// index 0 is kept for a level seen only in the held-out rows).
import { ValueError } from '../core/errors.js';
import { permutation } from '../core/random.js';
import { checkOptions, SEED } from '../core/options.js';

/** One row: column name → value (as the @stdlib Boston housing JSON). */
export type TableRow = Record<string, number>;

export interface TableSpec {
  numeric: readonly string[];
  categorical: readonly string[];
  target: string;
}

/** Boston housing (Harrison & Rubinfeld 1978): the Charles River dummy and the highway-access index are categories. */
export const HOUSING_SPEC: TableSpec = {
  numeric: ['crim', 'zn', 'indus', 'nox', 'rm', 'age', 'dis', 'tax', 'ptratio', 'b', 'lstat'],
  categorical: ['chas', 'rad'],
  target: 'medv',
};

/** One split, ready for the net: standardised numeric columns and category indices, both row-major. */
export interface EncodedSplit {
  rows: number;
  /** [rows, numeric.length], standardised with the training split's mean and standard deviation. */
  numeric: Float64Array;
  /** [rows, categorical.length]: index into that column's levels + 1 (0: a level the training split lacks). */
  categories: Int32Array;
  /** The target in its own units. */
  target: Float64Array;
}

export interface EncodedTable {
  train: EncodedSplit;
  test: EncodedSplit;
  /** Per categorical column, its training levels in ascending order (embedding rows = levels + 1). */
  levels: number[][];
  /** The training split's target mean and standard deviation (the net learns the standardised target). */
  targetMean: number;
  targetStd: number;
}

/**
 * Held-out split: a seeded permutation of the rows (core/random.ts `permutation(n, seed)`); its first
 * round(testFraction · n) rows are the test split, the rest train. Same rows, seed and fraction → same split.
 */
export function encodeTable(rows: readonly TableRow[], spec: TableSpec, options: { testFraction?: number; seed?: number } = {}): EncodedTable {
  checkOptions('encodeTable', options, { testFraction: 'any', seed: SEED });
  const { testFraction = 0.2, seed = 0 } = options;
  if (!(testFraction > 0 && testFraction < 1)) throw new ValueError(`encodeTable: testFraction must be in (0, 1), got ${testFraction}`);
  const nTest = Math.round(testFraction * rows.length);
  if (nTest < 1 || rows.length - nTest < 2) throw new ValueError(`encodeTable: ${rows.length} rows are too few for a test fraction of ${testFraction}`);
  for (const [i, row] of rows.entries())
    for (const col of [...spec.numeric, ...spec.categorical, spec.target])
      if (!Number.isFinite(row[col])) throw new ValueError(`encodeTable: row ${i} column '${col}' must be a finite number, got ${row[col]}`);
  const order = permutation(rows.length, seed);
  const testRows = Array.from(order.subarray(0, nTest), (i) => rows[i]);
  const trainRows = Array.from(order.subarray(nTest), (i) => rows[i]);
  const moments = spec.numeric.map((col) => meanStd(trainRows.map((r) => r[col])));
  const levels = spec.categorical.map((col) => [...new Set(trainRows.map((r) => r[col]))].sort((a, b) => a - b));
  const encode = (part: TableRow[]): EncodedSplit => ({
    rows: part.length,
    numeric: Float64Array.from(part.flatMap((r) => spec.numeric.map((col, j) => (r[col] - moments[j].mean) / moments[j].std))),
    categories: Int32Array.from(part.flatMap((r) => spec.categorical.map((col, j) => levels[j].indexOf(r[col]) + 1))),
    target: Float64Array.from(part, (r) => r[spec.target]),
  });
  const t = meanStd(trainRows.map((r) => r[spec.target]));
  return { train: encode(trainRows), test: encode(testRows), levels, targetMean: t.mean, targetStd: t.std };
}

/** Mean and (population) standard deviation; a constant column gets std 1 so it standardises to 0. */
function meanStd(v: number[]): { mean: number; std: number } {
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  const std = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length);
  return { mean, std: std > 0 ? std : 1 };
}

/** Root mean squared error of predictions against targets. */
export function rmse(prediction: ArrayLike<number>, target: ArrayLike<number>): number {
  if (prediction.length !== target.length || target.length === 0)
    throw new ValueError(`rmse: ${prediction.length} predictions for ${target.length} targets`);
  let s = 0;
  for (let i = 0; i < target.length; i++) s += (prediction[i] - target[i]) ** 2;
  return Math.sqrt(s / target.length);
}
