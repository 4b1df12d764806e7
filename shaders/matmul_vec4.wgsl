// matmulTiledVec4: register tiling. A {{WX}}x{{WY}} workgroup computes a ({{WY}}*{{ROWS}}) x ({{WX}}*4) tile;
// each invocation holds {{ROWS}} rows x 4 columns of accumulators (one vec4 per row). Tiles of A and B
// ({{TK}} deep along K) are staged in workgroup memory, B as vec4 so one load feeds 4 columns.

const TM = {{WY}}u * {{ROWS}}u;
const THREADS = {{WX}}u * {{WY}}u;
var<workgroup> As: array<array<f32, {{TK}}>, TM>;
var<workgroup> Bs: array<array<vec4<f32>, {{WX}}>, {{TK}}>;

@compute @workgroup_size({{WX}}, {{WY}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let tile = tileOf(linearWorkgroup(wid, nwg));
  // whole workgroups leave together, so the barriers below stay in uniform control flow
  if (tile.x >= P.batchCount) { return; }
  let bases = batchBases(tile.x);
  let m0 = tile.y * TM;
  let n0 = tile.z * ({{WX}}u * 4u);
  var acc: array<vec4<f32>, {{ROWS}}>;
  let steps = (P.K + {{TK}}u - 1u) / {{TK}}u;
  for (var s = 0u; s < steps; s++) {
    let k0 = s * {{TK}}u;
    for (var i = li; i < TM * {{TK}}u; i += THREADS) {
      As[i / {{TK}}u][i % {{TK}}u] = loadA(bases.x, m0 + i / {{TK}}u, k0 + i % {{TK}}u);
    }
    for (var i = li; i < {{TK}}u * {{WX}}u; i += THREADS) {
      Bs[i / {{WX}}u][i % {{WX}}u] = loadB4(bases.y, k0 + i / {{WX}}u, n0 + (i % {{WX}}u) * 4u);
    }
    workgroupBarrier();
    for (var k = 0u; k < {{TK}}u; k++) {
      let b = Bs[k][lid.x];
      for (var r = 0u; r < {{ROWS}}u; r++) {
        acc[r] = fma(vec4<f32>(As[lid.y * {{ROWS}}u + r][k]), b, acc[r]);
      }
    }
    workgroupBarrier();
  }
  let n = n0 + lid.x * 4u;
  for (var r = 0u; r < {{ROWS}}u; r++) {
    let m = m0 + lid.y * {{ROWS}}u + r;
    if (m >= P.M) { break; }
    let o = (tile.x * P.M + m) * P.N;
    for (var c = 0u; c < 4u; c++) {
      if (n + c < P.N) { out[o + n + c] = acc[r][c]; }
    }
  }
}
