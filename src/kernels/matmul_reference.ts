// Float64 CPU reference for strided, batched matmul, written from the MatmulParams contract (not from
// the WGSL). Also returns, per output, sum_k |a*b|: the scale against which f32 rounding is judged.
import type { MatmulParams } from './matmul.js';

export function matmulReference(p: MatmulParams, a: Float32Array, b: Float32Array): { out: Float64Array; scale: Float64Array } {
  const batch = p.batchShape.reduce((x, y) => x * y, 1);
  const out = new Float64Array(batch * p.M * p.N);
  const scale = new Float64Array(out.length);
  for (let bi = 0; bi < batch; bi++) {
    // unravel the batch index (row-major over batchShape) into A and B offsets
    let rest = bi;
    let aBase = p.aOffset;
    let bBase = p.bOffset;
    for (let d = p.batchShape.length - 1; d >= 0; d--) {
      const idx = rest % p.batchShape[d];
      rest = Math.floor(rest / p.batchShape[d]);
      aBase += idx * p.aBatchStrides[d];
      bBase += idx * p.bBatchStrides[d];
    }
    for (let m = 0; m < p.M; m++) {
      for (let n = 0; n < p.N; n++) {
        let s = 0;
        let abs = 0;
        for (let k = 0; k < p.K; k++) {
          const prod = a[aBase + m * p.aRowStride + k * p.aColStride] * b[bBase + k * p.bRowStride + n * p.bColStride];
          s += prod;
          abs += Math.abs(prod);
        }
        out[(bi * p.M + m) * p.N + n] = s;
        scale[(bi * p.M + m) * p.N + n] = abs;
      }
    }
  }
  return { out, scale };
}

/** Elements each operand needs (largest index + 1), for sizing test buffers. */
export function operandLengths(p: MatmulParams): { a: number; b: number } {
  const lastBatch = (strides: number[]) => p.batchShape.reduce((s, d, i) => s + (d - 1) * strides[i], 0);
  return {
    a: p.aOffset + lastBatch(p.aBatchStrides) + (p.M - 1) * p.aRowStride + (p.K - 1) * p.aColStride + 1,
    b: p.bOffset + lastBatch(p.bBatchStrides) + (p.K - 1) * p.bRowStride + (p.N - 1) * p.bColStride + 1,
  };
}

/** Contiguous params for [batch..., M, K] @ [batch..., K, N], optionally with A or B stored transposed. */
export function contiguousMatmul(
  batchShape: number[], M: number, N: number, K: number,
  opts: { transA?: boolean; transB?: boolean; broadcastB?: boolean; aOffset?: number; bOffset?: number } = {},
): MatmulParams {
  const stridesOf = (size: number) => {
    const s: number[] = [];
    let acc = size;
    for (let d = batchShape.length - 1; d >= 0; d--) {
      s[d] = acc;
      acc *= batchShape[d];
    }
    return s;
  };
  return {
    batchShape, M, N, K,
    aBatchStrides: stridesOf(M * K),
    bBatchStrides: opts.broadcastB ? batchShape.map(() => 0) : stridesOf(K * N),
    aOffset: opts.aOffset ?? 0,
    bOffset: opts.bOffset ?? 0,
    aRowStride: opts.transA ? 1 : K,
    aColStride: opts.transA ? M : 1,
    bRowStride: opts.transB ? 1 : N,
    bColStride: opts.transB ? K : 1,
  };
}

/** Worst |got - want| / (tolerance) over all outputs; <= 1 passes. Tolerance: 1e-4 relative, scaled by K. */
export function worstError(got: Float32Array, want: { out: Float64Array; scale: Float64Array }, K: number): { ratio: number; index: number } {
  const rel = 1e-4 * Math.max(1, K / 256);
  let ratio = 0;
  let index = -1;
  for (let i = 0; i < want.out.length; i++) {
    const r = Math.abs(got[i] - want.out[i]) / (rel * want.scale[i] + 1e-30);
    if (!(r <= ratio)) {
      ratio = r;
      index = i;
      if (Number.isNaN(r)) return { ratio: Infinity, index };
    }
  }
  return { ratio, index };
}
