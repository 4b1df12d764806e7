// Terminal table and result files (JSON + markdown) of a bench run. Node-only (writes files); the
// meaning of the numbers lives in summary.ts, which browser pages can import.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { median, type CaseResult, type Entry } from './harness.js';
import type { Peaks } from './peak.js';
import { fmt, fmtMs, percentOfPeak, rateOf } from './summary.js';

export { slug } from './summary.js';

function statusOf(e: Entry): string {
  return e.status === 'ok' ? (e.note ? `ok (${e.note})` : 'ok') : `${e.status}${e.note ? ': ' + e.note : ''}`;
}

export function printTable(results: CaseResult[], peaks: Peaks | null, log: (line: string) => void): void {
  const known = peaks?.known ? [`% ${peaks.known.name}`] : [];
  const head = ['family', 'case', 'variant', 'ms', 'rate', 'unit', 'range', 'GPU rate', 'n', '% peak', ...known, 'TF.js rate', 'ours/TF', 'status'];
  const rows: string[][] = [head];
  for (const r of results) {
    const peerMs = r.peer?.status === 'ok' && r.peer.wallMs.length ? median(r.peer.wallMs) : NaN;
    const peerRate = rateOf(r, peerMs);
    const line = (e: Entry, isPeer: boolean) => {
      const ms = e.wallMs.length ? median(e.wallMs) : NaN;
      const rate = rateOf(r, ms);
      const rangeLo = rateOf(r, Math.max(...e.wallMs));
      const rangeHi = rateOf(r, Math.min(...e.wallMs));
      const gpu = rateOf(r, e.gpuMs.length ? median(e.gpuMs) : NaN);
      const pct = percentOfPeak(rate, peaks);
      rows.push([
        r.family, r.case, e.name, fmtMs(ms), fmt(rate?.value ?? NaN), rate?.unit ?? (Number.isFinite(ms) ? 'ms only' : ''),
        rangeLo && rangeHi && e.wallMs.length > 1 ? `${fmt(rangeLo.value)}-${fmt(rangeHi.value)}` : '',
        fmt(gpu?.value ?? NaN), String(e.wallMs.length), fmt(pct.measured, 1), ...(known.length ? [fmt(pct.known, 2)] : []),
        isPeer ? '' : fmt(peerRate?.value ?? NaN), isPeer || !(ms > 0) ? '' : fmt(peerMs / ms), statusOf(e),
      ]);
    };
    for (const e of r.entries) line(e, false);
    if (r.peer) line(r.peer, true);
  }
  const widths = head.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const left = new Set([0, 1, 2, 5, head.length - 1]);
  for (const row of rows) log(row.map((cell, i) => (left.has(i) ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd());
  log('ms: median wall time per op (samples = reps ops + a small wait, alternating rounds); rate: GB/s (minimum traffic) or GFLOP/s from that median;');
  log('range: rate of the slowest-fastest sample; GPU rate: timestamp queries (raw-kernel families only); % peak: of the measured copy / FMA peak; ours/TF: TF.js ms / our ms; * = default variant.');

  const steps = results.flatMap((r) => r.entries.filter((e) => e.step).map((e) => ({ r, e })));
  if (steps.length) {
    log('');
    log('training steps: ms/step, submits/step, dispatches/step, CPU ms of the synchronous part of a step, CPU µs per dispatch; TF.js ms/step and CPU ms of its synchronous minimize');
    for (const { r, e } of steps) {
      const s = e.step!;
      const peer = r.peer?.status === 'ok' && r.peer.wallMs.length ? median(r.peer.wallMs) : NaN;
      log(`  ${r.case}: ${fmtMs(median(e.wallMs))} ms/step, ${s.submits} submits, ${s.dispatches} dispatches, CPU ${fmt(s.cpuMs)} ms = ${fmt(s.cpuUsPerDispatch, 1)} µs/dispatch; TF.js ${fmtMs(peer)} ms/step, CPU ${fmt(r.peer?.step?.cpuMs ?? NaN)} ms`);
    }
  }
}

export function writeJson(path: string, data: unknown): void {
  writeText(path, JSON.stringify(data, null, 1) + '\n');
}

export function writeText(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
