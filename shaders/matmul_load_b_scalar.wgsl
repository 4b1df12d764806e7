// B loader for any layout (transposed, unaligned, N % 4 != 0): four bounds-checked scalar loads.
@group(0) @binding(1) var<storage, read> B: array<f32>;

fn loadB1(bBase: u32, k: u32, n: u32) -> f32 {
  if (k >= P.K || n >= P.N) { return 0.0; }
  return B[bBase + k * P.bRow + n * P.bCol];
}

/** B[k, n..n+3] (n a multiple of 4), zeros outside the matrix. */
fn loadB4(bBase: u32, k: u32, n: u32) -> vec4<f32> {
  return vec4<f32>(loadB1(bBase, k, n), loadB1(bBase, k, n + 1u), loadB1(bBase, k, n + 2u), loadB1(bBase, k, n + 3u));
}
