// Float64 CPU references for the recurrent layers (RNN, LSTM, GRU): model-level references, not ops of the
// table (the ops they are made of have theirs in src/ops/). Written from PyTorch's documented formulas and gate
// order, not from src/ nor from the WGSL. Plain loops on purpose.
import { nd, type Nd } from '../../src/core/nd.js';

const sig = (x: number) => 1 / (1 + Math.exp(-x));

/** W [rows, cols] · x [cols] + b */
function affine(W: Nd, x: ArrayLike<number>, b: Nd | null, row0: number, rows: number): number[] {
  const cols = W.shape[1];
  return Array.from({ length: rows }, (_, r) => {
    let s = b ? b.data[row0 + r] : 0;
    for (let c = 0; c < cols; c++) s += W.data[(row0 + r) * cols + c] * x[c];
    return s;
  });
}

export type CellKind = 'rnn' | 'lstm' | 'gru';

/** One cell step: returns [h', c'] (c' only for LSTM). Weights as PyTorch: wIh [G·H, in], wHh [G·H, H]. */
export function cellStep(kind: CellKind, x: number[], h: number[], c: number[], wIh: Nd, wHh: Nd, bIh: Nd | null, bHh: Nd | null, nonlinearity: 'tanh' | 'relu' = 'tanh'): [number[], number[]] {
  const Hn = h.length;
  if (kind === 'rnn') {
    const a = affine(wIh, x, bIh, 0, Hn);
    const bb = affine(wHh, h, bHh, 0, Hn);
    return [a.map((v, i) => (nonlinearity === 'tanh' ? Math.tanh(v + bb[i]) : Math.max(0, v + bb[i]))), c];
  }
  if (kind === 'lstm') {
    const gi = affine(wIh, x, bIh, 0, 4 * Hn);
    const gh = affine(wHh, h, bHh, 0, 4 * Hn);
    const g = gi.map((v, i) => v + gh[i]);
    const c2 = h.map((_, u) => sig(g[Hn + u]) * c[u] + sig(g[u]) * Math.tanh(g[2 * Hn + u]));
    const h2 = c2.map((cv, u) => sig(g[3 * Hn + u]) * Math.tanh(cv));
    return [h2, c2];
  }
  const gi = affine(wIh, x, bIh, 0, 3 * Hn);
  const gh = affine(wHh, h, bHh, 0, 3 * Hn);
  const h2 = h.map((hv, u) => {
    const r = sig(gi[u] + gh[u]);
    const z = sig(gi[Hn + u] + gh[Hn + u]);
    const n = Math.tanh(gi[2 * Hn + u] + r * gh[2 * Hn + u]);
    return (1 - z) * n + z * hv;
  });
  return [h2, c];
}

export interface RecurrentRefWeights {
  /** per layer, per direction: [wIh, wHh, bIh, bHh] */
  layers: Nd[][][];
}

/**
 * Multi-layer (bi)directional recurrent net, x [T, B, in] (time-major). h0/c0 [L·dirs, B, H].
 * Returns out [T, B, dirs·H], hN, cN [L·dirs, B, H].
 */
export function recurrent(kind: CellKind, x: Nd, h0: Nd, c0: Nd | null, w: RecurrentRefWeights, hidden: number, bidirectional: boolean): { out: Nd; h: Nd; c: Nd } {
  const [T, B] = x.shape;
  const dirs = bidirectional ? 2 : 1;
  const L = w.layers.length;
  let input: number[][][] = Array.from({ length: T }, (_, t) => Array.from({ length: B }, (_, b) => Array.from(x.data.slice((t * B + b) * x.shape[2], (t * B + b + 1) * x.shape[2]))));
  const hN = new Float64Array(L * dirs * B * hidden);
  const cN = new Float64Array(L * dirs * B * hidden);
  for (let l = 0; l < L; l++) {
    const outs: number[][][] = Array.from({ length: T }, () => Array.from({ length: B }, () => new Array<number>(dirs * hidden).fill(0)));
    for (let dir = 0; dir < dirs; dir++) {
      const [wIh, wHh, bIh, bHh] = w.layers[l][dir];
      const s = l * dirs + dir;
      for (let b = 0; b < B; b++) {
        let h = Array.from(h0.data.slice((s * B + b) * hidden, (s * B + b + 1) * hidden));
        let c = c0 ? Array.from(c0.data.slice((s * B + b) * hidden, (s * B + b + 1) * hidden)) : new Array<number>(hidden).fill(0);
        for (let step = 0; step < T; step++) {
          const t = dir === 0 ? step : T - 1 - step;
          [h, c] = cellStep(kind, input[t][b], h, c, wIh, wHh, bIh, bHh);
          for (let u = 0; u < hidden; u++) outs[t][b][dir * hidden + u] = h[u];
        }
        hN.set(h, (s * B + b) * hidden);
        cN.set(c, (s * B + b) * hidden);
      }
    }
    input = outs;
  }
  const out = nd(input.flat(2), [T, B, dirs * hidden]);
  return { out, h: { shape: [L * dirs, B, hidden], data: hN }, c: { shape: [L * dirs, B, hidden], data: cN } };
}
