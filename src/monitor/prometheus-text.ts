// Reading Prometheus' text exposition format (what GET /metrics returns) in a browser: the samples, and
// from the difference of two scrapes a rate, a histogram's mean and its quantiles (as PromQL's
// histogram_quantile: linear within the bucket that holds the rank). Used by demos/monitor/.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Every sample of the text (comments and blank lines skipped). */
export function parsePrometheusText(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    out.push({ name: m[1], labels, value: m[3] === '+Inf' ? Infinity : Number(m[3]) });
  }
  return out;
}

/** Sum of the samples named `name` whose labels include `match`. */
export function total(samples: Sample[], name: string, match: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
}

/** A histogram's cumulative buckets (upper bound → count), summed over the series matching `match`. */
export function buckets(samples: Sample[], name: string, match: Record<string, string> = {}): Map<number, number> {
  const b = new Map<number, number>();
  for (const s of samples)
    if (s.name === `${name}_bucket` && Object.entries(match).every(([k, v]) => s.labels[k] === v)) {
      const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
      b.set(le, (b.get(le) ?? 0) + s.value);
    }
  return b;
}

/** The q-quantile of the observations between two scrapes of a histogram; null when there were none. */
export function quantileBetween(before: Map<number, number>, after: Map<number, number>, q: number): number | null {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counts = bounds.map((le) => (after.get(le) ?? 0) - (before.get(le) ?? 0));
  const n = counts[counts.length - 1] ?? 0;
  if (!(n > 0)) return null;
  const rank = q * n;
  for (let i = 0; i < bounds.length; i++) {
    if (counts[i] >= rank) {
      const lo = i === 0 ? 0 : bounds[i - 1];
      const hi = bounds[i];
      if (hi === Infinity) return lo; // beyond the last finite bound: PromQL answers that bound too
      const below = i === 0 ? 0 : counts[i - 1];
      return lo + ((hi - lo) * (rank - below)) / Math.max(counts[i] - below, 1e-12);
    }
  }
  return bounds[bounds.length - 2] ?? null;
}
