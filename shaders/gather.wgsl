// Row gather (embedding lookup): out[i, :] = table[indices[i], :]. Indices made on the CPU were range-checked
// there; for indices computed on the GPU, IN_RANGE also records a bad one (index_check.wgsl, prepended).
// An index out of range writes 0, never a read outside the table.
@group(0) @binding(0) var<storage, read> table: array<f32>;
@group(0) @binding(1) var<storage, read> indices: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size({{WG}})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * {{WG}}u;
  if (i >= {{SIZE}}u) { return; }
  let row = i / {{ROW}}u;
  let col = i % {{ROW}}u;
  let r = indices[{{IDX_OFFSET}}u + row];
  if (!{{IN_RANGE}}) {
    out[i] = 0.0;
    return;
  }
  out[i] = table[{{TABLE_OFFSET}}u + u32(r) * {{ROW}}u + col];
}
