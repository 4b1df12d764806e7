// matmulSubgroup: the fast design on CPU adapters (lavapipe), where memory loads, not FMAs, are the cost.
// No workgroup memory, no barriers. A 1-D workgroup of exactly one subgroup ({{S}} lanes) computes a
// {{ROWS}} x ({{S}}*4) tile; lane l owns columns n0 + 4l .. n0 + 4l + 3 (neighbouring lanes read
// neighbouring vec4s of B) for all {{ROWS}} rows. Per chunk of {{S}} along K, lane l loads A[m, k0 + l]
// for its rows, and the lanes hand those values around with subgroupBroadcast instead of each lane
// loading all of them: every A element is loaded once per workgroup, every B vec4 once per workgroup.
enable subgroups;

@compute @workgroup_size({{S}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(subgroup_invocation_id) lane: u32) {
  let tile = tileOf(linearWorkgroup(wid, nwg));
  if (tile.x >= P.batchCount) { return; }
  let bases = batchBases(tile.x);
  let m0 = tile.y * {{ROWS}}u;
  let n = tile.z * ({{S}}u * 4u) + lane * 4u;
  var acc: array<vec4<f32>, {{ROWS}}>;
  var a: array<f32, {{ROWS}}>;
  for (var k0 = 0u; k0 < P.K; k0 += {{S}}u) {
    for (var r = 0u; r < {{ROWS}}u; r++) {
      a[r] = loadA(bases.x, m0 + r, k0 + lane);
    }
    for (var kk = 0u; kk < {{S}}u; kk++) {
      let b = loadB4(bases.y, k0 + kk, n);
      for (var r = 0u; r < {{ROWS}}u; r++) {
        acc[r] = fma(vec4<f32>(subgroupShuffle(a[r], kk)), b, acc[r]);
      }
    }
  }
  for (var r = 0u; r < {{ROWS}}u; r++) {
    let m = m0 + r;
    if (m >= P.M) { break; }
    let o = (tile.x * P.M + m) * P.N;
    for (var c = 0u; c < 4u; c++) {
      if (n + c < P.N) { out[o + n + c] = acc[r][c]; }
    }
  }
}
