// Float64 CPU references for convolution and pooling: the textbook loops, written from
// PyTorch's documented semantics (not from src/ nor the WGSL). Arrays are Nd (flat Float64Array + shape).
import type { Nd } from './reference.js';

export interface ConvRefOptions {
  stride?: [number, number];
  padding?: [number, number] | 'same';
  dilation?: [number, number];
  groups?: number;
}

/** y[n, o, oy, ox] = b[o] + sum_{c in group, ky, kx} x[n, c, oy*s - p + ky*d, ...] * w[o, c - g*Cg, ky, kx]. */
export function conv2d(x: Nd, w: Nd, b: Nd | null, o: ConvRefOptions = {}): Nd {
  const [N, C, H, W] = x.shape;
  const [O, CG, KH, KW] = w.shape;
  const G = o.groups ?? 1;
  const [sh, sw] = o.stride ?? [1, 1];
  const [dh, dw] = o.dilation ?? [1, 1];
  let ph: number, pw: number, OH: number, OW: number;
  if (o.padding === 'same') {
    ph = Math.floor((dh * (KH - 1)) / 2);
    pw = Math.floor((dw * (KW - 1)) / 2);
    [OH, OW] = [H, W];
  } else {
    [ph, pw] = o.padding ?? [0, 0];
    OH = Math.floor((H + 2 * ph - dh * (KH - 1) - 1) / sh) + 1;
    OW = Math.floor((W + 2 * pw - dw * (KW - 1) - 1) / sw) + 1;
  }
  const OG = O / G;
  const out = new Float64Array(N * O * OH * OW);
  for (let n = 0; n < N; n++)
    for (let oc = 0; oc < O; oc++) {
      const grp = Math.floor(oc / OG);
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          let acc = b ? b.data[oc] : 0;
          for (let cg = 0; cg < CG; cg++) {
            const c = grp * CG + cg;
            for (let ky = 0; ky < KH; ky++) {
              const iy = oy * sh - ph + ky * dh;
              if (iy < 0 || iy >= H) continue;
              for (let kx = 0; kx < KW; kx++) {
                const ix = ox * sw - pw + kx * dw;
                if (ix < 0 || ix >= W) continue;
                acc += x.data[((n * C + c) * H + iy) * W + ix] * w.data[((oc * CG + cg) * KH + ky) * KW + kx];
              }
            }
          }
          out[((n * O + oc) * OH + oy) * OW + ox] = acc;
        }
    }
  return { shape: [N, O, OH, OW], data: out };
}

/** conv1d via the 2-D loops: x [N, C, L], w [O, C/G, k]. */
export function conv1d(x: Nd, w: Nd, b: Nd | null, o: { stride?: number; padding?: number; dilation?: number; groups?: number } = {}): Nd {
  const y = conv2d({ shape: [x.shape[0], x.shape[1], 1, x.shape[2]], data: x.data }, { shape: [w.shape[0], w.shape[1], 1, w.shape[2]], data: w.data }, b, {
    stride: [1, o.stride ?? 1], padding: [0, o.padding ?? 0], dilation: [1, o.dilation ?? 1], groups: o.groups,
  });
  return { shape: [y.shape[0], y.shape[1], y.shape[3]], data: y.data };
}

/** Transposed convolution by scattering: every x[n, ci, iy, ix] adds x * w[ci, co', ky, kx] at (iy*s - p + ky*d, ...). */
export function convTranspose2d(x: Nd, w: Nd, b: Nd | null, o: { stride?: [number, number]; padding?: [number, number]; outputPadding?: [number, number]; dilation?: [number, number]; groups?: number } = {}): Nd {
  const [N, CIN, H, W] = x.shape;
  const [, OG, KH, KW] = w.shape;
  const G = o.groups ?? 1;
  const [sh, sw] = o.stride ?? [1, 1];
  const [ph, pw] = o.padding ?? [0, 0];
  const [oph, opw] = o.outputPadding ?? [0, 0];
  const [dh, dw] = o.dilation ?? [1, 1];
  const HO = (H - 1) * sh - 2 * ph + dh * (KH - 1) + oph + 1;
  const WO = (W - 1) * sw - 2 * pw + dw * (KW - 1) + opw + 1;
  const COUT = OG * G;
  const CG = CIN / G;
  const out = new Float64Array(N * COUT * HO * WO);
  if (b) for (let n = 0; n < N; n++) for (let c = 0; c < COUT; c++) out.fill(b.data[c], (n * COUT + c) * HO * WO, (n * COUT + c + 1) * HO * WO);
  for (let n = 0; n < N; n++)
    for (let ci = 0; ci < CIN; ci++) {
      const grp = Math.floor(ci / CG);
      for (let iy = 0; iy < H; iy++)
        for (let ix = 0; ix < W; ix++) {
          const v = x.data[((n * CIN + ci) * H + iy) * W + ix];
          for (let og = 0; og < OG; og++)
            for (let ky = 0; ky < KH; ky++) {
              const y = iy * sh - ph + ky * dh;
              if (y < 0 || y >= HO) continue;
              for (let kx = 0; kx < KW; kx++) {
                const xx = ix * sw - pw + kx * dw;
                if (xx < 0 || xx >= WO) continue;
                out[((n * COUT + grp * OG + og) * HO + y) * WO + xx] += v * w.data[((ci * OG + og) * KH + ky) * KW + kx];
              }
            }
        }
    }
  return { shape: [N, COUT, HO, WO], data: out };
}

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
