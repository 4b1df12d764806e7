// Ordinary least squares in float64, the tabular baseline: the design matrix of an EncodedSplit (intercept,
// standardised numeric columns, one-hot categories with the first training level dropped so the columns
// stay independent of the intercept), solved by the normal equations XᵀX w = Xᵀy.
import { ValueError } from '../core/errors.js';
import type { EncodedSplit } from './tabular.js';

/** Row-major [rows, 1 + numeric + Σ(levels - 1)] design matrix of a split. */
export function designMatrix(split: EncodedSplit, levels: number[][]): { x: Float64Array; cols: number } {
  const nNum = split.numeric.length / split.rows;
  const cols = 1 + nNum + levels.reduce((s, l) => s + l.length - 1, 0);
  const x = new Float64Array(split.rows * cols);
  for (let i = 0; i < split.rows; i++) {
    const row = i * cols;
    x[row] = 1;
    for (let j = 0; j < nNum; j++) x[row + 1 + j] = split.numeric[i * nNum + j];
    let at = row + 1 + nNum;
    for (const [c, l] of levels.entries()) {
      const index = split.categories[i * levels.length + c]; // 1 = first level (dropped), 0 = unseen: all zeros
      if (index >= 2) x[at + index - 2] = 1;
      at += l.length - 1;
    }
  }
  return { x, cols };
}

/** The least-squares weights of y ≈ X w (X row-major [rows, cols]). */
export function leastSquares(x: Float64Array, y: Float64Array, cols: number): Float64Array {
  const rows = y.length;
  if (x.length !== rows * cols) throw new ValueError(`leastSquares: X has ${x.length} values, expected ${rows} rows x ${cols} columns`);
  if (rows < cols) throw new ValueError(`leastSquares: ${rows} rows are fewer than the ${cols} columns`);
  const a = new Float64Array(cols * cols);
  const b = new Float64Array(cols);
  for (let r = 0; r < rows; r++)
    for (let i = 0; i < cols; i++) {
      const xi = x[r * cols + i];
      b[i] += xi * y[r];
      for (let j = 0; j < cols; j++) a[i * cols + j] += xi * x[r * cols + j];
    }
  return solve(a, b, cols);
}

/** Solves the n x n system A w = b by Gaussian elimination with partial pivoting (A, b are overwritten). */
export function solve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const scale = Math.max(...a.map(Math.abs));
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i * n + k]) > Math.abs(a[p * n + k])) p = i;
    if (!(Math.abs(a[p * n + k]) > 1e-12 * scale)) throw new ValueError(`solve: the ${n} x ${n} system is singular (column ${k} has no pivot)`);
    if (p !== k) {
      for (let j = 0; j < n; j++) [a[k * n + j], a[p * n + j]] = [a[p * n + j], a[k * n + j]];
      [b[k], b[p]] = [b[p], b[k]];
    }
    for (let i = k + 1; i < n; i++) {
      const f = a[i * n + k] / a[k * n + k];
      for (let j = k; j < n; j++) a[i * n + j] -= f * a[k * n + j];
      b[i] -= f * b[k];
    }
  }
  const w = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let j = i + 1; j < n; j++) s -= a[i * n + j] * w[j];
    w[i] = s / a[i * n + i];
  }
  return w;
}

/** X w for row-major X. */
export function predictLinear(x: Float64Array, w: Float64Array, cols: number): Float64Array {
  const out = new Float64Array(x.length / cols);
  for (let r = 0; r < out.length; r++) for (let j = 0; j < cols; j++) out[r] += x[r * cols + j] * w[j];
  return out;
}
