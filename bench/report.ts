// Terminal table and JSON file of a bench run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { median, type CaseResult, type Entry } from './harness.js';

const gflops = (flops: number, ms: number) => (flops > 0 ? flops / (ms * 1e6) : NaN);
const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const fmtMs = (x: number) => (Number.isFinite(x) ? x.toPrecision(3) : '-');

/** Median GFLOP/s from per-op milliseconds (the median of times, converted). */
function rate(flops: number, ms: number[]): number {
  return ms.length ? gflops(flops, median(ms)) : NaN;
}

export function printTable(results: CaseResult[], log: (line: string) => void): void {
  const head = ['case', 'variant', 'ms', 'GFLOP/s', 'range', 'GPU GFLOP/s', 'n', 'TF.js GFLOP/s', 'ours/TF', 'status'];
  const rows: string[][] = [head];
  for (const r of results) {
    const peer = r.peer ? rate(r.flops, r.peer.wallMs) : NaN;
    for (const e of r.entries) {
      const ours = rate(r.flops, e.wallMs);
      const range = e.wallMs.length ? `${fmt(gflops(r.flops, Math.max(...e.wallMs)))}-${fmt(gflops(r.flops, Math.min(...e.wallMs)))}` : '-';
      rows.push([r.case, e.name, fmtMs(median(e.wallMs)), fmt(ours), range, fmt(rate(r.flops, e.gpuMs)), String(e.wallMs.length), fmt(peer), fmt(ours / peer), statusOf(e)]);
    }
    if (r.peer) rows.push([r.case, r.peer.name, fmtMs(median(r.peer.wallMs)), fmt(peer), '', '', String(r.peer.wallMs.length), '', '', statusOf(r.peer)]);
  }
  const widths = head.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows) log(row.map((cell, i) => (i < 2 || i === head.length - 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
  log('ms: median per op; GFLOP/s: from that median (0 FLOPs, e.g. a training step, shows only ms); samples are (reps ops + one readback), wall clock; GPU: timestamp queries; * = the default variant.');
}

function statusOf(e: Entry): string {
  return e.status === 'ok' ? 'ok' : `${e.status}${e.note ? ': ' + e.note : ''}`;
}

export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 48).replace(/-$/, '');
}

export function writeJson(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(data, null, 1) + '\n');
}
