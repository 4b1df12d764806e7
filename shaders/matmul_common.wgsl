// Shared by every matmul variant (prepended by src/kernels/matmul.ts): the params block, batch
// addressing and workgroup linearisation. out[b, m, n] = sum_k A[b, m, k] * B[b, k, n], all f32.
// A element (b, m, k) lives at aBase(b) + m * aRow + k * aCol; B element (b, k, n) at bBase(b) + k * bRow + n * bCol.

struct Params {
  M: u32, N: u32, K: u32, batchCount: u32,
  aOffset: u32, bOffset: u32, aRow: u32, aCol: u32,
  bRow: u32, bCol: u32, tilesM: u32, tilesN: u32,
  // batch shape padded in front to 3 dims (size 1, stride 0); stride 0 broadcasts that dim
  batch0: u32, batch1: u32, batch2: u32, _pad0: u32,
  aStride0: u32, aStride1: u32, aStride2: u32, _pad1: u32,
  bStride0: u32, bStride1: u32, bStride2: u32, _pad2: u32,
}

@group(0) @binding(0) var<storage, read> A: array<f32>;
// binding 1 (B) is declared by the B loader: matmul_load_b_vec4.wgsl or matmul_load_b_scalar.wgsl
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;

/** Element offsets of matrix `b`'s A and B. */
fn batchBases(b: u32) -> vec2<u32> {
  let i2 = b % P.batch2;
  let t = b / P.batch2;
  let i1 = t % P.batch1;
  let i0 = t / P.batch1;
  return vec2<u32>(P.aOffset + i0 * P.aStride0 + i1 * P.aStride1 + i2 * P.aStride2,
                   P.bOffset + i0 * P.bStride0 + i1 * P.bStride1 + i2 * P.bStride2);
}

/** Linear workgroup id of a 1-D launch split over x*y (see grid1D in src/kernels/wgsl.ts). */
fn linearWorkgroup(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return wid.x + wid.y * nwg.x;
}

/** Which output tile a workgroup computes: (batch, tile row, tile column); batch >= batchCount means idle. */
fn tileOf(lin: u32) -> vec3<u32> {
  let perBatch = P.tilesM * P.tilesN;
  let b = lin / perBatch;
  let r = lin % perBatch;
  return vec3<u32>(b, r / P.tilesN, r % P.tilesN);
}

/** A element, 0 outside the matrix. */
fn loadA(aBase: u32, m: u32, k: u32) -> f32 {
  if (m >= P.M || k >= P.K) { return 0.0; }
  return A[aBase + m * P.aRow + k * P.aCol];
}
