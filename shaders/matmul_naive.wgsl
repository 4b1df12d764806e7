// matmulNaive: one output element per invocation, a workgroup covers 1 row x {{WG}} columns.
// The reference point for the bench; no reuse of loaded values at all.

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let tile = tileOf(linearWorkgroup(wid, nwg));
  let m = tile.y;
  let n = tile.z * {{WG}}u + lid;
  if (tile.x >= P.batchCount || n >= P.N) { return; }
  let bases = batchBases(tile.x);
  var acc = 0.0;
  for (var k = 0u; k < P.K; k++) {
    acc = fma(A[bases.x + m * P.aRow + k * P.aCol], loadB1(bases.y, k, n), acc);
  }
  out[(tile.x * P.M + m) * P.N + n] = acc;
}
