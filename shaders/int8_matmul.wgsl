// int8 GEMM: out[m, n] = f32(Σ_k a[m, k]·w[n, k]) · a_scale[m] · w_scale[n], with a [M, K] and w [N, K] int8
// packed four to a u32 along K (shaders/int8_pack.wgsl) and the sum exact in i32 (|sum| ≤ 127²·K). One
// output per invocation; dot4 (below, one of two variants) multiplies four packed pairs at once.
struct Params { m: u32, n: u32, k4: u32 }
@group(0) @binding(0) var<storage, read> a: array<u32>;
@group(0) @binding(1) var<storage, read> w: array<u32>;
@group(0) @binding(2) var<storage, read> a_scale: array<f32>;
@group(0) @binding(3) var<storage, read> w_scale: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

{{DOT4}}

@compute @workgroup_size({{WG}})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * {{WG}}u;
  if (i >= params.m * params.n) { return; }
  let row = i / params.n;
  let col = i % params.n;
  var acc = 0i;
  for (var k = 0u; k < params.k4; k++) {
    acc += dot4(a[row * params.k4 + k], w[col * params.k4 + k]);
  }
  out[i] = f32(acc) * a_scale[row] * w_scale[col];
}
