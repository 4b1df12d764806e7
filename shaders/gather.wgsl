// Row gather (embedding lookup): out[i, :] = table[indices[i], :]. Indices were range-checked on the CPU
// when known there; an index out of range on the GPU reads row 0 instead of outside the buffer.
@group(0) @binding(0) var<storage, read> table: array<f32>;
@group(0) @binding(1) var<storage, read> indices: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size({{WG}})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * {{WG}}u;
  if (i >= {{SIZE}}u) { return; }
  let row = i / {{ROW}}u;
  let col = i % {{ROW}}u;
  var r = indices[{{IDX_OFFSET}}u + row];
  if (r < 0 || r >= {{ROWS}}) { r = 0; }
  out[i] = table[{{TABLE_OFFSET}}u + u32(r) * {{ROW}}u + col];
}
