// Float64 CPU references for pooling and batch norm: the textbook loops, written from PyTorch's documented
// semantics (not from src/ nor the WGSL). The convolution references live beside their ops (src/ops/conv.ts).
// Arrays are Nd (flat Float64Array + shape).
import type { Nd } from './reference.js';

export interface PoolRefOptions {
  stride?: [number, number];
  padding?: [number, number];
  dilation?: [number, number];
  countIncludePad?: boolean;
}

function pool(x: Nd, k: [number, number], o: PoolRefOptions, kind: 'max' | 'avg'): Nd {
  const [N, C, H, W] = x.shape;
  const [KH, KW] = k;
  const [sh, sw] = o.stride ?? k;
  const [ph, pw] = o.padding ?? [0, 0];
  const [dh, dw] = o.dilation ?? [1, 1];
  const OH = Math.floor((H + 2 * ph - dh * (KH - 1) - 1) / sh) + 1;
  const OW = Math.floor((W + 2 * pw - dw * (KW - 1) - 1) / sw) + 1;
  const out = new Float64Array(N * C * OH * OW);
  for (let nc = 0; nc < N * C; nc++)
    for (let oy = 0; oy < OH; oy++)
      for (let ox = 0; ox < OW; ox++) {
        let best = -Infinity;
        let sum = 0;
        let count = 0;
        for (let ky = 0; ky < KH; ky++)
          for (let kx = 0; kx < KW; kx++) {
            const iy = oy * sh - ph + ky * dh;
            const ix = ox * sw - pw + kx * dw;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
            const v = x.data[(nc * H + iy) * W + ix];
            best = Math.max(best, v);
            sum += v;
            count++;
          }
        out[(nc * OH + oy) * OW + ox] = kind === 'max' ? best : sum / ((o.countIncludePad ?? true) ? KH * KW : count);
      }
  return { shape: [N, C, OH, OW], data: out };
}

export const maxPool2d = (x: Nd, k: [number, number], o: PoolRefOptions = {}) => pool(x, k, o, 'max');
export const avgPool2d = (x: Nd, k: [number, number], o: PoolRefOptions = {}) => pool(x, k, o, 'avg');

/** PyTorch's adaptive windows: rows [floor(i*H/OH), ceil((i+1)*H/OH)). */
export function adaptiveAvgPool2d(x: Nd, [OH, OW]: [number, number]): Nd {
  const [N, C, H, W] = x.shape;
  const out = new Float64Array(N * C * OH * OW);
  for (let nc = 0; nc < N * C; nc++)
    for (let oy = 0; oy < OH; oy++)
      for (let ox = 0; ox < OW; ox++) {
        const y0 = Math.floor((oy * H) / OH), y1 = Math.ceil(((oy + 1) * H) / OH);
        const x0 = Math.floor((ox * W) / OW), x1 = Math.ceil(((ox + 1) * W) / OW);
        let s = 0;
        for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) s += x.data[(nc * H + iy) * W + ix];
        out[(nc * OH + oy) * OW + ox] = s / ((y1 - y0) * (x1 - x0));
      }
  return { shape: [N, C, OH, OW], data: out };
}

/** Batch norm over every axis but 1, with batch statistics (biased variance), then the affine transform. */
export function batchNormTrain(x: Nd, weight: Nd | null, bias: Nd | null, eps = 1e-5): Nd {
  const C = x.shape[1];
  const inner = x.shape.slice(2).reduce((a, b) => a * b, 1);
  const N = x.shape[0];
  const out = new Float64Array(x.data.length);
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let n = 0; n < N; n++) for (let i = 0; i < inner; i++) s += x.data[(n * C + c) * inner + i];
    const mean = s / (N * inner);
    let v = 0;
    for (let n = 0; n < N; n++) for (let i = 0; i < inner; i++) v += (x.data[(n * C + c) * inner + i] - mean) ** 2;
    const inv = 1 / Math.sqrt(v / (N * inner) + eps);
    for (let n = 0; n < N; n++)
      for (let i = 0; i < inner; i++) {
        const k = (n * C + c) * inner + i;
        out[k] = (x.data[k] - mean) * inv * (weight ? weight.data[c] : 1) + (bias ? bias.data[c] : 0);
      }
  }
  return { shape: [...x.shape], data: out };
}
