// `npm run bench -- --json`: the run's last stdout line, one JSON object (the CLI's --json convention):
// per case the best validated variant and TF.js's median ms, and their ratio (TF.js ms / ours: > 1 = faster).
import type { RunRecord } from './summary.js';
import { bestEntry, medianMs } from './summary.js';

export function benchJsonLine(record: RunRecord, out: string, seconds: number) {
  const results = record.results.map((r) => {
    const best = bestEntry(r);
    const ours = medianMs(best);
    const peer = medianMs(r.peer);
    return { family: r.family, case: r.case, variant: best?.name ?? null, ms: nullIfNaN(ours), tfjs_ms: nullIfNaN(peer), speedup_vs_tfjs: nullIfNaN(peer / ours) };
  });
  const speedups = results.map((r) => r.speedup_vs_tfjs).filter((x): x is number => x !== null && x > 0);
  const bad = record.results.flatMap((r) => r.entries).filter((e) => e.status === 'WRONG' || e.status === 'error').length;
  return {
    command: 'bench',
    config: { device: record.device, peer: record.peer, filters: record.filters },
    out,
    results,
    metrics: {
      cases: record.results.length,
      wrong_or_error: bad,
      geomean_speedup_vs_tfjs: speedups.length ? Math.exp(speedups.reduce((s, x) => s + Math.log(x), 0) / speedups.length) : null,
      seconds,
    },
  };
}

const nullIfNaN = (x: number) => (Number.isFinite(x) ? x : null);
