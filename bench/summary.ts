// What a bench run means, without I/O (browser-safe): rates from medians, best variant per case, % of
// peak, the markdown summary and the results file name. report.ts prints and writes; pages may reuse this.
import { median, type CaseResult, type Entry } from './harness.js';
import type { Peaks } from './peak.js';

/** One bench run as written to bench/results/*.json. */
export interface RunRecord {
  date: string;
  device: string;
  features: string[];
  peer: string | null;
  /** Filters and options that make this run differ from the default suite (empty: the full suite). */
  filters: Record<string, string | number | boolean>;
  options: unknown;
  peaks: Peaks | null;
  results: CaseResult[];
}

export interface Rate {
  value: number;
  unit: 'GB/s' | 'GFLOP/s';
}

/** GB/s when the case counts bytes (memory-bound ops), else GFLOP/s when it counts FLOPs, else null (ms only). */
export function rateOf(r: CaseResult, ms: number): Rate | null {
  if (!(ms > 0)) return null;
  if (r.bytes && r.bytes > 0) return { value: r.bytes / (ms * 1e6), unit: 'GB/s' };
  if (r.flops > 0) return { value: r.flops / (ms * 1e6), unit: 'GFLOP/s' };
  return null;
}

export function medianMs(e: Entry | undefined): number {
  return e && e.status === 'ok' && e.wallMs.length ? median(e.wallMs) : NaN;
}

/** The fastest validated entry (median wall time). */
export function bestEntry(r: CaseResult): Entry | undefined {
  let best: Entry | undefined;
  for (const e of r.entries) if (medianMs(e) < (medianMs(best) || Infinity)) best = e;
  return best;
}

/** % of the measured peak (copy GB/s or FMA GFLOP/s) and of the device's known vendor peak. */
export function percentOfPeak(rate: Rate | null, peaks: Peaks | null): { measured: number; known: number } {
  if (!rate || !peaks) return { measured: NaN, known: NaN };
  const measured = rate.unit === 'GB/s' ? peaks.copyGBs : peaks.fmaGflops;
  const known = peaks.known ? (rate.unit === 'GB/s' ? peaks.known.memGBs : peaks.known.fp32Tflops * 1000) : NaN;
  return { measured: (100 * rate.value) / measured, known: (100 * rate.value) / known };
}

/** Default suite → `<device>-<date>`; anything filtered or non-default → `<device>-<date>-partial-<what>`. */
export function resultBaseName(deviceSlug: string, date: string, filters: Record<string, string | number | boolean>): string {
  const parts = Object.entries(filters)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => (v === true ? k : `${k}-${v}`));
  const tag = slug(parts.join('-')).slice(0, 60).replace(/-$/, '');
  return parts.length ? `${deviceSlug}-${date}-partial${tag ? '-' + tag : ''}` : `${deviceSlug}-${date}`;
}

export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 48).replace(/-$/, '');
}

export const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
export const fmtMs = (x: number) => (Number.isFinite(x) ? x.toPrecision(3) : '-');

/** One summary row per case: the best variant against the peer. `ratio` = TF.js ms / our ms (above 1: we are faster). */
export interface SummaryRow {
  family: string;
  case: string;
  variant: string;
  ms: number;
  rate: Rate | null;
  peerMs: number;
  peerRate: Rate | null;
  ratio: number;
  pctPeak: number;
  pctKnown: number;
  status: string;
  step?: Entry['step'];
  peerStep?: Entry['step'];
}

export function summaryRows(results: CaseResult[], peaks: Peaks | null): SummaryRow[] {
  return results.map((r) => {
    const best = bestEntry(r);
    const ms = medianMs(best);
    const peerMs = medianMs(r.peer);
    const rate = rateOf(r, ms);
    const pct = percentOfPeak(rate, peaks);
    const bad = r.entries.filter((e) => e.status !== 'ok');
    return {
      family: r.family,
      case: r.case,
      variant: best?.name ?? '-',
      ms,
      rate,
      peerMs,
      peerRate: rateOf(r, peerMs),
      ratio: peerMs / ms,
      pctPeak: pct.measured,
      pctKnown: pct.known,
      status: best ? (bad.length ? bad.map((e) => `${e.name}: ${e.status}`).join('; ') : 'ok') : bad.map((e) => `${e.status}${e.note ? ' (' + e.note + ')' : ''}`).join('; ') || 'no result',
      step: best?.step,
      peerStep: r.peer?.step,
    };
  });
}

const rateText = (r: Rate | null) => (r ? `${fmt(r.value)} ${r.unit}` : '-');

export function markdownSummary(run: RunRecord): string {
  const rows = summaryRows(run.results, run.peaks);
  const p = run.peaks;
  const known = p?.known ? ` Known peak (${p.known.name}): ${p.known.fp32Tflops} TFLOP/s FP32, ${p.known.memGBs} GB/s.` : '';
  const filters = Object.keys(run.filters).length ? `Partial run: ${Object.entries(run.filters).map(([k, v]) => `${k}=${v}`).join(', ')}.` : 'Full default suite.';
  const lines = [
    `# shadergrad bench: ${run.device}`,
    '',
    `${run.date}. Peer: ${run.peer ?? 'none'}. ${filters}`,
    '',
    p
      ? `Measured peaks (${p.timing === 'gpu' ? 'GPU timestamps' : 'wall clock'}, best sample): copy ${fmt(p.copyGBs)} GB/s (median ${fmt(p.copyGBsMedian)}), FMA ${fmt(p.fmaGflops)} GFLOP/s (median ${fmt(p.fmaGflopsMedian)}).${known}`
      : 'Peaks: not measured.',
    '',
    'ms: median wall time per op of the fastest validated variant (`*` = the default choice); ratio = TF.js ms / our ms (above 1: shadergrad is faster); % peak: of the measured copy bandwidth (GB/s rows) or FMA throughput (GFLOP/s rows).',
    '',
    `| family | case | best variant | ms | rate | % peak${p?.known ? ' | % known peak' : ''} | TF.js ms | TF.js rate | ratio | notes |`,
    `|---|---|---|---:|---:|---:|${p?.known ? '---:|' : ''}---:|---:|---:|---|`,
  ];
  for (const r of rows) {
    const cells = [r.family, r.case, r.variant.replace(/\|/g, '\\|'), fmtMs(r.ms), rateText(r.rate), fmt(r.pctPeak, 1)];
    if (p?.known) cells.push(fmt(r.pctKnown, 2));
    cells.push(fmtMs(r.peerMs), rateText(r.peerRate), Number.isFinite(r.ratio) ? `${fmt(r.ratio)}×` : '-', r.status === 'ok' ? '' : r.status.replace(/\|/g, '\\|'));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  const steps = rows.filter((r) => r.step);
  if (steps.length) {
    lines.push('', '## Training steps', '', 'CPU ms: the synchronous part of a step (forward graph, backward, optimizer, plan lookup, encoding, submit); per dispatch = CPU ms / dispatches. TF.js: the synchronous part of `optimizer.minimize`.', '');
    lines.push('| case | ms/step | submits/step | dispatches/step | CPU ms/step | CPU µs/dispatch | TF.js ms/step | TF.js CPU ms/step | ratio |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of steps) {
      const s = r.step!;
      lines.push(`| ${r.case} | ${fmtMs(r.ms)} | ${s.submits} | ${s.dispatches} | ${fmt(s.cpuMs)} | ${fmt(s.cpuUsPerDispatch, 1)} | ${fmtMs(r.peerMs)} | ${fmt(r.peerStep?.cpuMs ?? NaN)} | ${Number.isFinite(r.ratio) ? fmt(r.ratio) + '×' : '-'} |`);
    }
  }
  return lines.join('\n') + '\n';
}
