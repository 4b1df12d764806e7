// Fused scaled-dot-product attention, backward (flash-style, three passes of one module; {{PASS}} picks):
//   delta: Δ_i = Σ_d dO_id · O_id                       (one lane per query row)
//   dkdv:  one lane per key j, query tiles in workgroup memory:
//          P_ij = exp(s_ij - LSE_i) (recomputed), dV_j += P_ij dO_i, dS_ij = P_ij (dO_i·V_j - Δ_i), dK_j += dS_ij Q_i
//   dq:    one lane per query i, key tiles in workgroup memory: dQ_i += dS_ij K_j
// Scores are recomputed from Q, K and the saved LSE rows; no T×T matrix is stored. dK and dQ get the
// scale at the end. Output buffer as attention_bwd_bindings.wgsl says.
// Prepended: attention_common.wgsl, attention_bwd_bindings.wgsl.
const BH = {{BH}}u;
const TILE = {{TILE}}u;
const O_BASE = {{O_BASE}}u;

var<workgroup> sa: array<f32, {{TILE_D}}>;
var<workgroup> sb: array<f32, {{TILE_D}}>;
var<workgroup> sc: array<f32, {{TILE}}>;
var<workgroup> sd: array<f32, {{TILE}}>;

fn pass_delta(group: u32, lane: u32) {
  let nd = {{ND}};
  let row = group * TILE + lane;
  if (row >= BH * TQ) { return; }
  let bh = row / TQ;
  let i = row % TQ;
  var s = 0.0;
  for (var d = 0u; d < nd; d++) { s += dout[do_at(bh / H, bh % H, i, d)] * fwd[O_BASE + row * D + d]; }
  out[DELTA_BASE + row] = s;
}

fn pass_dkdv(group: u32, lane: u32) {
  let nd = {{ND}};
  let nt = bounds.tile;
  let ktiles = (TK + TILE - 1u) / TILE;
  let bh = group / ktiles;
  let tile = group % ktiles;
  let b = bh / H;
  let h = bh % H;
  let j = tile * TILE + lane;
  let jk = min(j, TK - 1u);
  let kept = key_kept(b, j);
  var kr: array<f32, D>;
  var vr: array<f32, D>;
  var dk: array<f32, D>;
  var dv: array<f32, D>;
  for (var d = 0u; d < nd; d++) {
    kr[d] = k[k_at(b, h, jk, d)] * SCALE;
    vr[d] = v[v_at(b, h, jk, d)];
    dk[d] = 0.0;
    dv[d] = 0.0;
  }
  var istart = 0u;
  if (CAUSAL) { istart = tile * TILE; }
  for (var i0 = istart; i0 < TQ; i0 += TILE) {
    for (var e = lane; e < TILE * D; e += TILE) {
      let i = min(i0 + e / D, TQ - 1u);
      sa[e] = q[q_at(b, h, i, e % D)];
      sb[e] = dout[do_at(b, h, i, e % D)];
    }
    for (var e = lane; e < TILE; e += TILE) {
      let row = bh * TQ + min(i0 + e, TQ - 1u);
      sc[e] = fwd[LSE_BASE + row];
      sd[e] = out[DELTA_BASE + row];
    }
    workgroupBarrier();
    for (var ii = 0u; ii < nt; ii++) {
      let i = i0 + ii;
      let visible = kept && i < TQ && (!CAUSAL || j <= i);
      var s = 0.0;
      var dp = 0.0;
      for (var d = 0u; d < nd; d++) {
        s += sa[ii * D + d] * kr[d];
        dp += sb[ii * D + d] * vr[d];
      }
      let p = select(0.0, exp(s - sc[ii]), visible);
      let ds = p * (dp - sd[ii]);
      for (var d = 0u; d < nd; d++) {
        dv[d] += p * sb[ii * D + d];
        dk[d] += ds * sa[ii * D + d];
      }
    }
    workgroupBarrier();
  }
  if (j < TK) {
    let row = bh * TK + j;
    for (var d = 0u; d < nd; d++) {
      out[DK_BASE + row * D + d] = dk[d] * SCALE;
      out[DV_BASE + row * D + d] = dv[d];
    }
  }
}

fn pass_dq(group: u32, lane: u32) {
  let nd = {{ND}};
  let nt = bounds.tile;
  let qtiles = (TQ + TILE - 1u) / TILE;
  let bh = group / qtiles;
  let tile = group % qtiles;
  let b = bh / H;
  let h = bh % H;
  let i = tile * TILE + lane;
  let iq = min(i, TQ - 1u);
  var qr: array<f32, D>;
  var dor: array<f32, D>;
  var dq: array<f32, D>;
  for (var d = 0u; d < nd; d++) {
    qr[d] = q[q_at(b, h, iq, d)] * SCALE;
    dor[d] = dout[do_at(b, h, iq, d)];
    dq[d] = 0.0;
  }
  let lse = fwd[LSE_BASE + bh * TQ + iq];
  let delta = out[DELTA_BASE + bh * TQ + iq];
  var kend = TK;
  if (CAUSAL) { kend = min(TK, tile * TILE + TILE); }
  for (var j0 = 0u; j0 < kend; j0 += TILE) {
    for (var e = lane; e < TILE * D; e += TILE) {
      let j = min(j0 + e / D, TK - 1u);
      sa[e] = k[k_at(b, h, j, e % D)];
      sb[e] = v[v_at(b, h, j, e % D)];
    }
    for (var e = lane; e < TILE; e += TILE) { sc[e] = select(0.0, 1.0, key_kept(b, j0 + e)); }
    workgroupBarrier();
    for (var jj = 0u; jj < nt; jj++) {
      let visible = sc[jj] != 0.0 && (!CAUSAL || j0 + jj <= i);
      var s = 0.0;
      var dp = 0.0;
      for (var d = 0u; d < nd; d++) {
        s += qr[d] * sa[jj * D + d];
        dp += dor[d] * sb[jj * D + d];
      }
      let ds = select(0.0, exp(s - lse), visible) * (dp - delta);
      for (var d = 0u; d < nd; d++) { dq[d] += ds * sa[jj * D + d]; }
    }
    workgroupBarrier();
  }
  if (i < TQ) {
    let row = bh * TQ + i;
    for (var d = 0u; d < nd; d++) { out[row * D + d] = dq[d] * SCALE; }
  }
}

@compute @workgroup_size({{TILE}})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let group = wid.x + wid.y * nwg.x;
  if (group >= GROUPS) { return; }
  {{PASS}}(group, lid.x);
}
