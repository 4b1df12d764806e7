// Fused scaled-dot-product attention, forward (flash-style). One workgroup per (batch·head, tile of BQ
// queries); each lane owns one query row, keeps q and its output accumulator in registers, and walks the
// keys in tiles of BK that the workgroup loads into workgroup memory. Online softmax: per key tile the
// running max m and sum l are rescaled once; the T×T score matrix never exists.
// Output: O then LSE (log-sum-exp of each score row, what the backward recomputes probabilities from), as
// attention_fwd_bindings.wgsl says; LSE = BIG for a row with no visible key makes exp(s - LSE) 0 for it in
// the backward. Prepended: attention_common.wgsl, attention_fwd_bindings.wgsl (bounds.tile is BK).
const BQ = {{BQ}}u;
const BK = {{BK}}u;

var<workgroup> kt: array<f32, {{KV_TILE}}>;
var<workgroup> vt: array<f32, {{KV_TILE}}>;
var<workgroup> keep: array<f32, {{BK}}>;

@compute @workgroup_size({{BQ}})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let group = wid.x + wid.y * nwg.x;
  if (group >= GROUPS) { return; }
  let bh = group / QTILES;
  let tile = group % QTILES;
  let b = bh / H;
  let h = bh % H;
  let i = tile * BQ + lid.x;
  let iq = min(i, TQ - 1u);
  let nd = {{ND}};
  let nbk = bounds.tile;

  var qr: array<f32, D>;
  var acc: array<f32, D>;
  for (var d = 0u; d < nd; d++) {
    qr[d] = q[q_at(b, h, iq, d)] * SCALE;
    acc[d] = 0.0;
  }
  var m = NEG;
  var l = 0.0;
  var kend = TK;
  if (CAUSAL) { kend = min(TK, tile * BQ + BQ); }

  for (var j0 = 0u; j0 < kend; j0 += BK) {
    for (var e = lid.x; e < BK * D; e += BQ) {
      let j = min(j0 + e / D, TK - 1u);
      kt[e] = k[k_at(b, h, j, e % D)];
      vt[e] = v[v_at(b, h, j, e % D)];
    }
    for (var e = lid.x; e < BK; e += BQ) { keep[e] = select(0.0, 1.0, key_kept(b, j0 + e)); }
    workgroupBarrier();

    var s: array<f32, BK>;
    var tmax = NEG;
    for (var jj = 0u; jj < nbk; jj++) {
      var dot = 0.0;
      for (var d = 0u; d < nd; d++) { dot += qr[d] * kt[jj * D + d]; }
      let visible = keep[jj] != 0.0 && (!CAUSAL || j0 + jj <= i);
      s[jj] = select(NEG, dot, visible);
      tmax = max(tmax, s[jj]);
    }
    if (tmax > 0.5 * NEG) {
      let mnew = max(m, tmax);
      let corr = select(0.0, exp(m - mnew), m > 0.5 * NEG);
      l *= corr;
      for (var d = 0u; d < nd; d++) { acc[d] *= corr; }
      for (var jj = 0u; jj < nbk; jj++) {
        let p = select(0.0, exp(s[jj] - mnew), s[jj] > 0.5 * NEG);
        l += p;
        for (var d = 0u; d < nd; d++) { acc[d] += p * vt[jj * D + d]; }
      }
      m = mnew;
    }
    workgroupBarrier();
  }

  if (i < TQ) {
    let row = bh * TQ + i;
    let inv = select(0.0, 1.0 / l, l > 0.0);
    for (var d = 0u; d < nd; d++) { out[row * D + d] = acc[d] * inv; }
    out[LSE_BASE + row] = select(BIG, m + log(l), l > 0.0);
  }
}
