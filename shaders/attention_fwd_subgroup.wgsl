// Fused scaled-dot-product attention, forward, register-tiled for CPU adapters (lavapipe): the design of
// shaders/matmul_subgroup.wgsl. No workgroup memory, no barriers. A workgroup is exactly one subgroup of
// {{S}} lanes and computes {{ROWS}} query rows of one (batch, head). Keys are walked in blocks of
// BK = 4·S: lane l owns keys j0 + 4l .. j0 + 4l + 3 of a block.
//   scores: lane l holds s[r] (vec4: its 4 keys) for all ROWS rows; per chunk of S head dims lane l loads
//           q[r, d0 + l] and the lanes hand those values around with subgroupShuffle (as A in the matmul);
//   online softmax: row max by subgroupMax (uniform), the running sum l[r] is a per-lane partial,
//           reduced with subgroupAdd at the end;
//   P·V: lane l owns head dims 4l + 4S·w .. +3 (w < DW) of the output accumulators o[r, w]; the
//           probabilities are handed from the owning lane by subgroupShuffle.
// Causal: key blocks past the query block's last row are skipped. Output as attention_fwd.wgsl:
// O [B, H, TQ, D] then LSE [B, H, TQ]; a row with no visible key gets O = 0 and LSE = BIG.
// Prepended: attention_common.wgsl, attention_fwd_bindings.wgsl, attention_subgroup_common.wgsl.

@compute @workgroup_size({{S}})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(subgroup_invocation_id) lane: u32) {
  let group = wid.x + wid.y * nwg.x;
  if (group >= GROUPS) { return; }
  let bh = group / QTILES;
  let i0 = (group % QTILES) * ROWS;
  let b = bh / H;
  let h = bh % H;
  let nd = bounds.d;

  var o: array<vec4<f32>, ROWS * DW>;
  var m: array<f32, ROWS>;
  var l: array<f32, ROWS>;
  for (var r = 0u; r < ROWS; r++) { m[r] = NEG; l[r] = 0.0; }
  let kend = key_end(i0);

  for (var j0 = 0u; j0 < kend; j0 += BK) {
    let keys = lane_keys(b, j0, lane);
    var s: array<vec4<f32>, ROWS>;
    for (var r = 0u; r < ROWS; r++) { s[r] = vec4<f32>(0.0); }
    for (var d0 = 0u; d0 < nd; d0 += S) {
      var a: array<f32, ROWS>;
      let dl = min(d0 + lane, D - 1u);
      for (var r = 0u; r < ROWS; r++) {
        a[r] = select(0.0, q[q_at(b, h, min(i0 + r, TQ - 1u), dl)] * SCALE, d0 + lane < D);
      }
      for (var dd = 0u; dd < S; dd++) {
        let d = min(d0 + dd, D - 1u);
        let kc = keys.clamped;
        let kv = vec4<f32>(k[k_at(b, h, kc.x, d)], k[k_at(b, h, kc.y, d)], k[k_at(b, h, kc.z, d)], k[k_at(b, h, kc.w, d)]);
        for (var r = 0u; r < ROWS; r++) {
          s[r] = fma(vec4<f32>(subgroupShuffle(a[r], dd)), kv, s[r]);
        }
      }
    }
    for (var r = 0u; r < ROWS; r++) {
      var vis = keys.kept;
      if (CAUSAL) { vis = vis & (keys.j <= vec4<u32>(i0 + r)); }
      let sr = select(vec4<f32>(NEG), s[r], vis);
      let tmax = subgroupMax(max(max(sr.x, sr.y), max(sr.z, sr.w)));
      var p = vec4<f32>(0.0);
      if (tmax > 0.5 * NEG) {
        let mnew = max(m[r], tmax);
        let corr = select(0.0, exp(m[r] - mnew), m[r] > 0.5 * NEG);
        m[r] = mnew;
        l[r] *= corr;
        for (var w = 0u; w < DW; w++) { o[r * DW + w] *= corr; }
        p = select(vec4<f32>(0.0), exp(sr - vec4<f32>(mnew)), vis);
        l[r] += (p.x + p.y) + (p.z + p.w);
      }
      s[r] = p;
    }
    accumulate_keys(true, b, h, j0, kend, lane, &s, &o);
  }

  for (var r = 0u; r < ROWS; r++) {
    let i = i0 + r;
    let lt = subgroupAdd(l[r]);
    if (i < TQ) {
      let row = bh * TQ + i;
      let inv = select(0.0, 1.0 / lt, lt > 0.0);
      for (var w = 0u; w < DW; w++) {
        for (var c = 0u; c < 4u; c++) {
          let d = 4u * lane + 4u * S * w + c;
          if (d < D) { out[row * D + d] = o[r * DW + w][c] * inv; }
        }
      }
      if (lane == 0u) { out[LSE_BASE + row] = select(BIG, m[r] + log(lt), lt > 0.0); }
    }
  }
}
