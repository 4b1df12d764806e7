// B loader when B rows are contiguous and 16-byte aligned (bCol = 1; bRow, bBase, N multiples of 4):
// one vec4 load per call. matmulKernel picks it only then.
@group(0) @binding(1) var<storage, read> B: array<vec4<f32>>;

fn loadB1(bBase: u32, k: u32, n: u32) -> f32 {
  if (k >= P.K || n >= P.N) { return 0.0; }
  let i = bBase + k * P.bRow + n;
  return B[i / 4u][i % 4u];
}

/** B[k, n..n+3] (n a multiple of 4), zeros outside the matrix. */
fn loadB4(bBase: u32, k: u32, n: u32) -> vec4<f32> {
  if (k >= P.K || n >= P.N) { return vec4<f32>(0.0); }
  return B[(bBase + k * P.bRow + n) / 4u];
}
