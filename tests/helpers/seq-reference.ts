// Float64 CPU references for the sequence ops and layers (attention, LayerNorm, Embedding, RNN, LSTM,
// GRU), written from PyTorch's documented formulas, not from src/ nor from the WGSL. Plain loops on purpose.
import { nd, numel, type Nd } from './reference.js';

export interface AttnRefOptions {
  causal?: boolean;
  /** [B, TK], nonzero = attend */
  mask?: Nd | null;
  scale?: number;
}

/** softmax(q kᵀ scale + masks) v for q [B, H, TQ, D], k, v [B, H, TK, D]. A row with no visible key gives 0. */
export function attention(q: Nd, k: Nd, v: Nd, o: AttnRefOptions = {}): Nd {
  const [B, H, TQ, D] = q.shape;
  const TK = k.shape[2];
  const scale = o.scale ?? 1 / Math.sqrt(D);
  const out = new Float64Array(B * H * TQ * D);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++)
      for (let i = 0; i < TQ; i++) {
        const s: number[] = [];
        const vis: boolean[] = [];
        for (let j = 0; j < TK; j++) {
          let dot = 0;
          for (let d = 0; d < D; d++) dot += q.data[((b * H + h) * TQ + i) * D + d] * k.data[((b * H + h) * TK + j) * D + d];
          s.push(dot * scale);
          vis.push((!o.causal || j <= i) && (!o.mask || o.mask.data[b * TK + j] !== 0));
        }
        if (!vis.some(Boolean)) continue;
        const m = Math.max(...s.filter((_, j) => vis[j]));
        const p = s.map((x, j) => (vis[j] ? Math.exp(x - m) : 0));
        const z = p.reduce((a, c) => a + c, 0);
        for (let d = 0; d < D; d++) {
          let acc = 0;
          for (let j = 0; j < TK; j++) acc += (p[j] / z) * v.data[((b * H + h) * TK + j) * D + d];
          out[((b * H + h) * TQ + i) * D + d] = acc;
        }
      }
  return { shape: [B, H, TQ, D], data: out };
}

/** LayerNorm over the last `normShape.length` dims: (x - mean) / sqrt(var + eps) * w + b (biased variance). */
export function layerNorm(x: Nd, w: Nd | null, b: Nd | null, eps = 1e-5): Nd {
  const n = numel(w?.shape ?? [x.shape[x.shape.length - 1]]);
  const out = new Float64Array(x.data.length);
  for (let r = 0; r < x.data.length / n; r++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x.data[r * n + i];
    mean /= n;
    let vr = 0;
    for (let i = 0; i < n; i++) vr += (x.data[r * n + i] - mean) ** 2;
    vr /= n;
    for (let i = 0; i < n; i++) out[r * n + i] = ((x.data[r * n + i] - mean) / Math.sqrt(vr + eps)) * (w ? w.data[i] : 1) + (b ? b.data[i] : 0);
  }
  return { shape: [...x.shape], data: out };
}

/** table[idx] rows: [...idx.shape, dim]. */
export function embedding(table: Nd, idx: Nd): Nd {
  const dim = table.shape[1];
  const out = new Float64Array(idx.data.length * dim);
  idx.data.forEach((r, i) => {
    for (let d = 0; d < dim; d++) out[i * dim + d] = table.data[r * dim + d];
  });
  return { shape: [...idx.shape, dim], data: out };
}

// ---- recurrent layers (PyTorch gate order and formulas) --------------------------------------------

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
export const GATES: Record<CellKind, number> = { rnn: 1, lstm: 4, gru: 3 };

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
