// matmulTiled: classic shared-memory tiling. A {{T}}x{{T}} workgroup stages a {{T}}x{{T}} tile of A and
// of B per step along K; each invocation computes one output. Wins on real GPUs; on lavapipe the
// barriers cost more than the reuse saves (see LAVAPIPE.md), so it is never the default there.

var<workgroup> As: array<array<f32, {{T}}>, {{T}}>;
var<workgroup> Bs: array<array<f32, {{T}}>, {{T}}>;

@compute @workgroup_size({{T}}, {{T}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>) {
  let tile = tileOf(linearWorkgroup(wid, nwg));
  // whole workgroups leave together, so the barriers below stay in uniform control flow
  if (tile.x >= P.batchCount) { return; }
  let bases = batchBases(tile.x);
  let m = tile.y * {{T}}u + lid.y;
  let n = tile.z * {{T}}u + lid.x;
  var acc = 0.0;
  let steps = (P.K + {{T}}u - 1u) / {{T}}u;
  for (var s = 0u; s < steps; s++) {
    let k0 = s * {{T}}u;
    As[lid.y][lid.x] = loadA(bases.x, m, k0 + lid.x);
    Bs[lid.y][lid.x] = loadB1(bases.y, k0 + lid.y, n);
    workgroupBarrier();
    for (var k = 0u; k < {{T}}u; k++) {
      acc = fma(As[lid.y][k], Bs[k][lid.x], acc);
    }
    workgroupBarrier();
  }
  if (m < P.M && n < P.N) {
    out[(tile.x * P.M + m) * P.N + n] = acc;
  }
}
