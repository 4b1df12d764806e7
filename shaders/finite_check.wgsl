// Anomaly mode (sg.detectAnomaly): one invocation per element of a float32 buffer a plan step wrote; a NaN
// sets bit 1 and an infinity bit 2 of that step's word in the plan's checks buffer. It tests the bits, not
// comparisons: WGSL may assume that NaN and Inf never occur (fast math), so x != x may be folded away.
struct Params { size: u32, word: u32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> checks: array<atomic<u32>>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size({{WG}})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * {{WG}}u;
  if (i >= params.size) { return; }
  let bits = bitcast<u32>(x[i]) & 0x7fffffffu;
  if (bits < 0x7f800000u) { return; }
  let flag = select(2u, 1u, bits > 0x7f800000u);
  if ((atomicLoad(&checks[params.word]) & flag) == 0u) { atomicOr(&checks[params.word], flag); }
}
