// Symmetric int8 quantization of the rows of a float32 matrix x [rows, k]: q = clamp(round(x / scale[row]),
// −127, 127) (round half to even), four q of a row packed little-endian in one u32 (WGSL's
// pack4xI8 layout, which dot4I8Packed reads); a row's tail past k packs zeros. A zero scale gives zeros.
struct Params { rows: u32, k: u32, k4: u32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> scale: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;

fn q(row: u32, col: u32, s: f32) -> u32 {
  if (col >= params.k || s <= 0.0) { return 0u; }
  return bitcast<u32>(i32(clamp(round(x[row * params.k + col] / s), -127.0, 127.0))) & 0xffu;
}

@compute @workgroup_size({{WG}})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * {{WG}}u;
  if (i >= params.rows * params.k4) { return; }
  let row = i / params.k4;
  let col = (i % params.k4) * 4u;
  let s = scale[row];
  out[i] = q(row, col, s) | (q(row, col + 1u, s) << 8u) | (q(row, col + 2u, s) << 16u) | (q(row, col + 3u, s) << 24u);
}
