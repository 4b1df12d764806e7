// FMA-throughput probe: independent scalar fma chains ({{CHAINS}} per invocation, {{ITERS}} steps each;
// 2 FLOPs per fma). The coefficients come from a buffer so the chains cannot be folded away.
@group(0) @binding(0) var<storage, read> coef: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = (wid.x + wid.y * nwg.x) * {{WG}}u + lid.x;
  let m = coef[0];
  let c = coef[1];
  let seed = f32(i) * 1e-6;
{{DECLARE}}
  for (var it = 0u; it < {{ITERS}}u; it++) {
{{CHAIN_STEP}}
  }
  out[i] = {{SUM}};
}
