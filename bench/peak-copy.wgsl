// Copy-bandwidth probe: one vec4 per invocation, read once and written once.
@group(0) @binding(0) var<storage, read> src: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4f>;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = (wid.x + wid.y * nwg.x) * {{WG}}u + lid.x;
  if (i >= {{N4}}u) { return; }
  dst[i] = src[i];
}
