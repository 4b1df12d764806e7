// Strided copy: every element of a source view goes to a strided region of the output
// (cat writes each input into its slice; slice's gradient writes into a zeroed tensor).
@group(0) @binding(0) var<storage, read> src: array<{{T}}>;
@group(0) @binding(1) var<storage, read_write> dst: array<{{T}}>;

@compute @workgroup_size({{WG}})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * {{WG}}u;
  if (i >= {{SIZE}}u) { return; }
  {{COORDS}}
  dst[{{DST_OFFSET}}] = src[{{SRC_OFFSET}}];
}
