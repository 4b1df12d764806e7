// Drift statistics of a served model's inputs and predictions against its training data (browser-safe:
// pure arithmetic on arrays). `shadergrad serve` keeps one DriftMonitor per model name.
//
// - Inputs: each 28×28 digit becomes 16 features, the mean intensity of its 7×7 pixel blocks. The
//   reference (from the training digits) fixes, per feature, 10 bins at its deciles; the window's
//   population stability index per feature is PSI = Σ_bins (p_obs − p_ref)·ln(p_obs / p_ref), with both
//   proportions floored at 1e-4 (an empty bin would make PSI infinite). Rule of thumb (credit scoring,
//   where PSI comes from): < 0.1 stable, 0.1–0.25 moderate shift, > 0.25 a real shift.
// - Predictions: the window's predicted-class distribution against the training labels' class
//   distribution, as KL(obs ‖ ref) and Jensen–Shannon divergence (natural log; JS is at most ln 2).
// - Data quality: pixels outside [0, 1], blank digits (every pixel 0), per window.
// The window is the last `window` instances seen (a ring buffer), so an alert clears once the traffic is
// healthy again.
import { ValueError } from '../core/errors.js';

export const BLOCK = 7;
/** Bins per feature (at the reference's deciles). */
export const PSI_BINS = 10;
const FLOOR = 1e-4;

export interface DriftThresholds {
  /** Alert when any feature group's PSI exceeds this (0.25: "significant shift"). */
  psi: number;
  /** Alert when the predicted classes' JS divergence from the training labels exceeds this. */
  js: number;
  /** Alert when more than this fraction of the window's pixels is outside [0, 1]. */
  outOfRangeFraction: number;
  /** No alert (and `enough: false`) before this many instances are in the window: PSI of a handful is noise. */
  minCount: number;
}

export const DEFAULT_THRESHOLDS: DriftThresholds = { psi: 0.25, js: 0.1, outOfRangeFraction: 0.01, minCount: 100 };

/** What the monitor compares against: per-feature decile edges and the reference class distribution. */
export interface DriftReference {
  rows: number;
  cols: number;
  /** Per feature, up to PSI_BINS inner edges (ascending; the deciles, then just above the maximum); bin b holds [edges[b−1], edges[b]). */
  edges: number[][];
  /** Per feature, the reference's proportion in each bin. */
  expected: number[][];
  /** Proportion of each class in the reference labels. */
  classes: number[];
  /** How many reference samples it was computed from. */
  count: number;
}

/** Mean intensity of each BLOCK×BLOCK block of one image (row-major blocks), written into `out`. */
export function blockMeans(image: ArrayLike<number>, offset: number, rows: number, cols: number, out: Float64Array): void {
  const bc = cols / BLOCK;
  out.fill(0);
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < cols; x++) out[Math.floor(y / BLOCK) * bc + Math.floor(x / BLOCK)] += image[offset + y * cols + x];
  for (let f = 0; f < out.length; f++) out[f] /= BLOCK * BLOCK;
}

const binOf = (edges: number[], v: number) => {
  let b = 0;
  while (b < edges.length && v >= edges[b]) b++;
  return b;
};

/**
 * The reference from training images ([count, rows·cols] row-major) and their labels. Edges are the
 * features' deciles, de-duplicated (a feature that is 0 for most digits has fewer, wider bins).
 */
export function driftReference(images: ArrayLike<number>, labels: ArrayLike<number>, { rows = 28, cols = 28, classes = 10 } = {}): DriftReference {
  if (rows % BLOCK || cols % BLOCK) throw new ValueError(`driftReference: rows and cols must be multiples of ${BLOCK}, got ${rows}×${cols}`);
  const count = labels.length;
  if (count === 0 || images.length !== count * rows * cols)
    throw new ValueError(`driftReference: images has ${images.length} values for ${count} labels of ${rows}×${cols} (expected ${count * rows * cols}, count > 0)`);
  const nf = (rows / BLOCK) * (cols / BLOCK);
  const feats = Array.from({ length: nf }, () => new Float64Array(count));
  const one = new Float64Array(nf);
  for (let i = 0; i < count; i++) {
    blockMeans(images, i * rows * cols, rows, cols, one);
    for (let f = 0; f < nf; f++) feats[f][i] = one[f];
  }
  const edges = feats.map((v) => {
    const sorted = Float64Array.from(v).sort();
    const e: number[] = [];
    for (let q = 1; q < PSI_BINS; q++) {
      const x = sorted[Math.floor((q * count) / PSI_BINS)];
      if (e.length === 0 || x > e[e.length - 1]) e.push(x);
    }
    // bins are [lo, hi): an edge at the minimum would leave bin 0 empty; drop it
    if (e[0] === sorted[0]) e.shift();
    // and one bin above everything the reference holds: a value beyond the training range is drift even
    // for a feature that is constant there (a corner block is 0 in every training digit)
    const top = sorted[count - 1] + 1e-6;
    if (e.length === 0 || top > e[e.length - 1]) e.push(top);
    return e;
  });
  const expected = feats.map((v, f) => proportions(v, edges[f]));
  const classCounts = new Array(classes).fill(0);
  for (let i = 0; i < count; i++) {
    const c = labels[i];
    if (!(Number.isInteger(c) && c >= 0 && c < classes)) throw new ValueError(`driftReference: label ${i} is ${c}, not a class id in [0, ${classes})`);
    classCounts[c]++;
  }
  return { rows, cols, edges, expected, classes: classCounts.map((n) => n / count), count };
}

function proportions(values: ArrayLike<number>, edges: number[]): number[] {
  const p = new Array(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) p[binOf(edges, values[i])]++;
  return p.map((n) => n / values.length);
}

/** PSI of observed against expected proportions (both floored at 1e-4). */
export function psi(observed: number[], expected: number[]): number {
  let s = 0;
  for (let b = 0; b < expected.length; b++) {
    const o = Math.max(observed[b], FLOOR);
    const e = Math.max(expected[b], FLOOR);
    s += (o - e) * Math.log(o / e);
  }
  return s;
}

/** KL(p ‖ q), natural log, q floored at 1e-4 (terms with p = 0 are 0). */
export function klDivergence(p: number[], q: number[]): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) s += p[i] * Math.log(p[i] / Math.max(q[i], FLOOR));
  return s;
}

/** Jensen–Shannon divergence, natural log (0 ≤ JS ≤ ln 2). */
export function jsDivergence(p: number[], q: number[]): number {
  const m = p.map((x, i) => (x + q[i]) / 2);
  return (klDivergence(p, m) + klDivergence(q, m)) / 2;
}

/** The `drift` object of GET /v1/models/{name}/monitoring. */
export interface DriftReport {
  alert: boolean;
  /** Why the alert is on (empty when off). */
  reasons: string[];
  /** Instances in the window, and whether they are enough to judge (≥ minCount). */
  count: number;
  enough: boolean;
  window: number;
  inputs: { psi: number[]; maxPsi: number; meanPsi: number; feature: string };
  predictions: { observed: number[]; reference: number[]; kl: number; js: number };
  dataQuality: { outOfRangePixels: number; outOfRangeFraction: number; blankInstances: number; totalInstances: number };
  thresholds: DriftThresholds;
  reference: { count: number; source: string };
}

/** One instance as the monitor keeps it: its features, its predicted class and its data-quality counts. */
interface Seen {
  features: Float64Array;
  predicted: number;
  outOfRange: number;
  blank: boolean;
}

export class DriftMonitor {
  private readonly ring: Seen[] = [];
  private next = 0;
  private total = 0;

  constructor(
    readonly reference: DriftReference,
    readonly window = 1000,
    readonly thresholds: DriftThresholds = DEFAULT_THRESHOLDS,
    /** Where the reference came from, for the report. */
    readonly source = 'training digits',
  ) {
    if (!(Number.isInteger(window) && window > 0)) throw new ValueError(`DriftMonitor: window must be a positive integer, got ${window}`);
  }

  /** Records `count` instances ([count, rows·cols]) and their predicted classes. */
  observe(images: ArrayLike<number>, count: number, predicted: ArrayLike<number>): void {
    const { rows, cols } = this.reference;
    const px = rows * cols;
    if (images.length !== count * px || predicted.length !== count)
      throw new ValueError(`DriftMonitor.observe: ${images.length} values and ${predicted.length} classes for ${count} instances of ${px} pixels`);
    for (let i = 0; i < count; i++) {
      let outOfRange = 0;
      let blank = true;
      for (let p = i * px; p < (i + 1) * px; p++) {
        const v = images[p];
        if (!(v >= 0 && v <= 1)) outOfRange++;
        if (v !== 0) blank = false;
      }
      const features = new Float64Array(this.reference.edges.length);
      blockMeans(images, i * px, rows, cols, features);
      const seen: Seen = { features, predicted: predicted[i], outOfRange, blank };
      if (this.ring.length < this.window) this.ring.push(seen);
      else this.ring[this.next] = seen;
      this.next = (this.next + 1) % this.window;
      this.total++;
    }
  }

  report(): DriftReport {
    const ref = this.reference;
    const n = this.ring.length;
    const t = this.thresholds;
    const psis = ref.edges.map((edges, f) => (n ? psi(proportions(this.ring.map((s) => s.features[f]), edges), ref.expected[f]) : 0));
    const observed = new Array(ref.classes.length).fill(0);
    let outOfRange = 0;
    let blank = 0;
    for (const s of this.ring) {
      if (s.predicted >= 0 && s.predicted < observed.length) observed[s.predicted]++;
      outOfRange += s.outOfRange;
      if (s.blank) blank++;
    }
    const obs = observed.map((c) => (n ? c / n : 0));
    const kl = n ? klDivergence(obs, ref.classes) : 0;
    const js = n ? jsDivergence(obs, ref.classes) : 0;
    const maxPsi = Math.max(...psis);
    const worst = psis.indexOf(maxPsi);
    const bc = ref.cols / BLOCK;
    const outOfRangeFraction = n ? outOfRange / (n * ref.rows * ref.cols) : 0;
    const enough = n >= t.minCount;
    const reasons: string[] = [];
    if (enough) {
      if (maxPsi > t.psi) reasons.push(`input PSI ${maxPsi.toFixed(3)} > ${t.psi} (block row ${Math.floor(worst / bc)}, col ${worst % bc})`);
      if (js > t.js) reasons.push(`predicted classes' JS divergence ${js.toFixed(3)} > ${t.js}`);
      if (outOfRangeFraction > t.outOfRangeFraction) reasons.push(`${(100 * outOfRangeFraction).toFixed(2)}% of pixels outside [0, 1] > ${100 * t.outOfRangeFraction}%`);
    }
    return {
      alert: reasons.length > 0,
      reasons,
      count: n,
      enough,
      window: this.window,
      inputs: { psi: psis, maxPsi, meanPsi: psis.reduce((a, b) => a + b, 0) / psis.length, feature: `mean intensity of ${BLOCK}×${BLOCK} pixel blocks (row-major, ${psis.length} blocks)` },
      predictions: { observed: obs, reference: ref.classes, kl, js },
      dataQuality: { outOfRangePixels: outOfRange, outOfRangeFraction, blankInstances: blank, totalInstances: this.total },
      thresholds: t,
      reference: { count: ref.count, source: this.source },
    };
  }
}
