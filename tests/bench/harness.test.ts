// Bench harness logic that needs no GPU: statistics, filters, file naming, markdown, % of peak, the chart.
import { describe, expect, test } from 'vitest';
import { PNG } from 'pngjs';
import { matches, median, newEntry, runCase, type BenchContext, type BenchFamily, type CaseResult } from '../../bench/harness.js';
import { knownPeak, type Peaks } from '../../bench/peak.js';
import { bestEntry, markdownSummary, percentOfPeak, rateOf, resultBaseName, type RunRecord } from '../../bench/summary.js';
// @ts-expect-error: a plain .mjs script without type declarations
import { chartRows, chartSize, renderChart } from '../../scripts/bench-chart.mjs';

const entry = (name: string, wallMs: number[], status: 'ok' | 'WRONG' = 'ok') => ({ ...newEntry(name, status), wallMs, reps: 1 });
const peaks: Peaks = { copyGBs: 4, copyGBsMedian: 3, fmaGflops: 50, fmaGflopsMedian: 40, timing: 'gpu', known: null, copyBytes: 1, fmaFlops: 1 };
const results: CaseResult[] = [
  { family: 'matmul', case: '1024x1024x1024', flops: 2 * 1024 ** 3, entries: [entry('naive', [400, 500, 450]), entry('subgroup*', [200, 100, 150]), entry('bad', [1], 'WRONG')], peer: entry('tfjs', [300]) },
  { family: 'elementwise', case: 'add 16M', flops: 16e6, bytes: 192e6, entries: [entry('elementwise*', [48])], peer: entry('tfjs', [96]) },
];
const record: RunRecord = { date: '2026-11-25T10:00:00Z', device: 'llvmpipe test', features: [], peer: 'tfjs', filters: {}, options: {}, peaks, results };

describe('bench statistics and filters', () => {
  test('median of odd, even and empty samples', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
  test('filters are case-insensitive substrings; no filter matches everything', () => {
    expect(matches('SOFT', 'softmax')).toBe(true);
    expect(matches('conv', 'softmax')).toBe(false);
    expect(matches(undefined, 'anything')).toBe(true);
  });
  test('best entry is the fastest validated one; rates prefer bytes (GB/s) over FLOPs', () => {
    expect(bestEntry(results[0])!.name).toBe('subgroup*');
    expect(rateOf(results[0], 100)).toEqual({ value: (2 * 1024 ** 3) / 1e8, unit: 'GFLOP/s' });
    expect(rateOf(results[1], 48)).toEqual({ value: 4, unit: 'GB/s' });
    expect(percentOfPeak({ value: 2, unit: 'GB/s' }, peaks).measured).toBe(50);
    expect(percentOfPeak({ value: 5, unit: 'GFLOP/s' }, peaks).measured).toBe(10);
  });
  test('known peaks: the H100 entry by adapter description, nothing for lavapipe', () => {
    expect(knownPeak('NVIDIA H100 80GB HBM3')?.fp32Tflops).toBe(66.9);
    expect(knownPeak('llvmpipe (LLVM 15.0.6, 256 bits)')).toBeNull();
    expect(percentOfPeak({ value: 669, unit: 'GFLOP/s' }, { ...peaks, known: knownPeak('H100')! }).known).toBeCloseTo(1);
  });
  test('a family without the requested dtype reports unsupported, never a number', async () => {
    let ran = false;
    const fam: BenchFamily = { name: 'x', cases: () => [{ name: 'c' }], run: async () => ((ran = true), results[0]) };
    const ctx = { options: { quick: true, rounds: 1, budgetMs: 1, sampleMs: 1, dtype: 'f16' } } as unknown as BenchContext;
    const r = await runCase(fam, ctx, { name: 'c' });
    expect(ran).toBe(false);
    expect(r.entries.map((e) => [e.status, e.wallMs.length])).toEqual([['unsupported', 0]]);
  });
});

describe('bench result files', () => {
  test('the full suite and filtered runs get different names', () => {
    expect(resultBaseName('llvmpipe', '2026-11-25', {})).toBe('llvmpipe-2026-11-25');
    expect(resultBaseName('llvmpipe', '2026-11-25', { quick: true })).toBe('llvmpipe-2026-11-25-partial-quick');
    expect(resultBaseName('llvmpipe', '2026-11-25', { shape: '1024x1024', kernel: 'matmul' })).toBe('llvmpipe-2026-11-25-partial-kernel-matmul-shape-1024x1024');
    expect(resultBaseName('d', 'x', { dtype: 'f16' })).not.toBe(resultBaseName('d', 'x', {}));
  });
  test('markdown summary: one row per case with best variant, ms, rate, TF.js and ratio', () => {
    const md = markdownSummary(record);
    expect(md).toContain('| family | case | best variant | ms | rate | % peak | TF.js ms | TF.js rate | ratio | notes |');
    expect(md).toContain('| matmul | 1024x1024x1024 | subgroup* | 150 | 14.32 GFLOP/s | 28.6 | 300 | 7.16 GFLOP/s | 2.00× | bad: WRONG |');
    expect(md).toContain('| elementwise | add 16M | elementwise* | 48.0 | 4.00 GB/s | 100.0 | 96.0 | 2.00 GB/s | 2.00× |  |');
    expect(md).toContain('Full default suite.');
  });
  test('chart: a PNG of the documented size, one row per case', () => {
    expect(chartRows(record).length).toBe(2);
    const png = PNG.sync.read(renderChart(record));
    expect([png.width, png.height]).toEqual([chartSize(2).width, chartSize(2).height]);
    // bars are drawn: some pixels carry our colour
    let blue = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i] === 46 && png.data[i + 1] === 110 && png.data[i + 2] === 200) blue++;
    expect(blue).toBeGreaterThan(1000);
  });
});
