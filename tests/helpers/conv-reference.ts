// Float64 CPU reference for batch norm: the textbook loops, written from PyTorch's documented semantics
// (not from src/ nor the WGSL). The convolution and pooling references live beside their ops
// (src/ops/conv.ts, src/ops/pool.ts); this one moves with the norm family.
import type { Nd } from './reference.js';

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
