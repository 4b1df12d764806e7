// Fused scaled-dot-product attention, backward, register-tiled for CPU adapters (lavapipe): the design of
// attention_fwd_subgroup.wgsl (one subgroup of {{S}} lanes per workgroup, no workgroup memory or barriers,
// values handed between lanes with subgroupShuffle). Δ comes first from the 'delta' pass of
// attention_bwd.wgsl (it is O(T·D)); then one of the two passes of this module ({{PASS}} picks):
//   dq:   a workgroup owns {{ROWS}} query rows; per key block of 4·S (lane l owns keys 4l..4l+3) it
//         recomputes S = Q Kᵀ and dP = dO Vᵀ, P = exp(S - LSE), dS = P (dP - Δ), and adds dS K into
//         dQ accumulators (lane l owns head dims 4l + 4S·w .. +3);
//   dkdv: a workgroup owns {{ROWS}} keys; per query block of 4·S (lane l owns queries 4l..4l+3) it
//         recomputes Sᵀ = K Qᵀ and dPᵀ = V dOᵀ, and adds Pᵀ dO into dV and dSᵀ Q into dK.
// Causal: blocks wholly above the diagonal are skipped. No T×T matrix is stored.
// Output buffer: dQ [B,H,TQ,D], dK [B,H,TK,D], dV [B,H,TK,D], Δ [B,H,TQ], contiguous.
enable subgroups;

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read> fwd: array<f32>;
@group(0) @binding(4) var<storage, read> dout: array<f32>;
@group(0) @binding(5) var<storage, read> mask: array<f32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;
// D again, as a uniform: the loop over head-dim chunks is then not fully unrolled (compile time)
struct Bounds { d: u32, pad: u32 }
@group(0) @binding(7) var<uniform> bounds: Bounds;

const S = {{S}}u;
const ROWS = {{ROWS}}u;
const BK = 4u * S;
const D = {{D}}u;
const DW = {{DW}}u;
const H = {{H}}u;
const TQ = {{TQ}}u;
const TK = {{TK}}u;
const TILES = {{TILES}}u;
const GROUPS = {{GROUPS}}u;
const SCALE = {{SCALE}};
const CAUSAL = {{CAUSAL}};
const HAS_MASK = {{HAS_MASK}};
const LSE_BASE = {{LSE_BASE}}u;
const DK_BASE = {{DK_BASE}}u;
const DV_BASE = {{DV_BASE}}u;
const DELTA_BASE = {{DELTA_BASE}}u;

fn q_at(b: u32, h: u32, t: u32, d: u32) -> u32 { return {{Q_INDEX}}; }
fn k_at(b: u32, h: u32, t: u32, d: u32) -> u32 { return {{K_INDEX}}; }
fn v_at(b: u32, h: u32, t: u32, d: u32) -> u32 { return {{V_INDEX}}; }
fn do_at(b: u32, h: u32, t: u32, d: u32) -> u32 { return {{DO_INDEX}}; }
fn mask_at(b: u32, t: u32) -> u32 { return {{MASK_INDEX}}; }

fn kept(b: u32, j: u32) -> bool {
  if (j >= TK) { return false; }
  if (HAS_MASK) { return mask[mask_at(b, j)] != 0.0; }
  return true;
}

/** Head dim c of the vec4 group w a lane owns, clamped into the row (columns past D are never stored). */
fn col(lane: u32, w: u32, c: u32) -> u32 { return min(4u * lane + 4u * S * w + c, D - 1u); }

fn pass_dq(group: u32, lane: u32) {
  let bh = group / TILES;
  let i0 = (group % TILES) * ROWS;
  let b = bh / H;
  let h = bh % H;
  let nd = bounds.d;
  var acc: array<vec4<f32>, ROWS * DW>;
  var lse: array<f32, ROWS>;
  var delta: array<f32, ROWS>;
  for (var r = 0u; r < ROWS; r++) {
    let row = bh * TQ + min(i0 + r, TQ - 1u);
    lse[r] = fwd[LSE_BASE + row];
    delta[r] = out[DELTA_BASE + row];
    for (var w = 0u; w < DW; w++) { acc[r * DW + w] = vec4<f32>(0.0); }
  }
  var kend = TK;
  if (CAUSAL) { kend = min(TK, i0 + ROWS); }
  for (var j0 = 0u; j0 < kend; j0 += BK) {
    let jb = j0 + 4u * lane;
    let jv = vec4<u32>(jb, jb + 1u, jb + 2u, jb + 3u);
    let keep = vec4<bool>(kept(b, jb), kept(b, jb + 1u), kept(b, jb + 2u), kept(b, jb + 3u));
    let jc = min(jv, vec4<u32>(TK - 1u));
    var s: array<vec4<f32>, ROWS>;
    var dp: array<vec4<f32>, ROWS>;
    // explicit zeroing: a `var` declared in a loop body was not re-zeroed per iteration on lavapipe
    for (var r = 0u; r < ROWS; r++) { s[r] = vec4<f32>(0.0); dp[r] = vec4<f32>(0.0); }
    for (var d0 = 0u; d0 < nd; d0 += S) {
      var a: array<f32, ROWS>;
      var g: array<f32, ROWS>;
      let dl = min(d0 + lane, D - 1u);
      let inside = d0 + lane < D;
      for (var r = 0u; r < ROWS; r++) {
        let i = min(i0 + r, TQ - 1u);
        a[r] = select(0.0, q[q_at(b, h, i, dl)] * SCALE, inside);
        g[r] = select(0.0, dout[do_at(b, h, i, dl)], inside);
      }
      for (var dd = 0u; dd < S; dd++) {
        let d = min(d0 + dd, D - 1u);
        let kv = vec4<f32>(k[k_at(b, h, jc.x, d)], k[k_at(b, h, jc.y, d)], k[k_at(b, h, jc.z, d)], k[k_at(b, h, jc.w, d)]);
        let vv = vec4<f32>(v[v_at(b, h, jc.x, d)], v[v_at(b, h, jc.y, d)], v[v_at(b, h, jc.z, d)], v[v_at(b, h, jc.w, d)]);
        for (var r = 0u; r < ROWS; r++) {
          s[r] = fma(vec4<f32>(subgroupShuffle(a[r], dd)), kv, s[r]);
          dp[r] = fma(vec4<f32>(subgroupShuffle(g[r], dd)), vv, dp[r]);
        }
      }
    }
    for (var r = 0u; r < ROWS; r++) {
      var vis = keep;
      if (CAUSAL) { vis = vis & (jv <= vec4<u32>(i0 + r)); }
      let p = select(vec4<f32>(0.0), exp(s[r] - vec4<f32>(lse[r])), vis);
      s[r] = p * (dp[r] - vec4<f32>(delta[r]));
    }
    for (var src = 0u; src < S; src++) {
      if (j0 + 4u * src >= kend) { break; }
      for (var c = 0u; c < 4u; c++) {
        let j = min(j0 + 4u * src + c, TK - 1u);
        var kk: array<vec4<f32>, DW>;
        for (var w = 0u; w < DW; w++) {
          kk[w] = vec4<f32>(k[k_at(b, h, j, col(lane, w, 0u))], k[k_at(b, h, j, col(lane, w, 1u))],
                            k[k_at(b, h, j, col(lane, w, 2u))], k[k_at(b, h, j, col(lane, w, 3u))]);
        }
        for (var r = 0u; r < ROWS; r++) {
          let dsr = vec4<f32>(subgroupShuffle(s[r][c], src));
          for (var w = 0u; w < DW; w++) { acc[r * DW + w] = fma(dsr, kk[w], acc[r * DW + w]); }
        }
      }
    }
  }
  for (var r = 0u; r < ROWS; r++) {
    let i = i0 + r;
    if (i >= TQ) { break; }
    let row = bh * TQ + i;
    for (var w = 0u; w < DW; w++) {
      for (var c = 0u; c < 4u; c++) {
        let d = 4u * lane + 4u * S * w + c;
        if (d < D) { out[row * D + d] = acc[r * DW + w][c] * SCALE; }
      }
    }
  }
}

fn pass_dkdv(group: u32, lane: u32) {
  let bh = group / TILES;
  let j0 = (group % TILES) * ROWS;
  let b = bh / H;
  let h = bh % H;
  let nd = bounds.d;
  var dk: array<vec4<f32>, ROWS * DW>;
  var dv: array<vec4<f32>, ROWS * DW>;
  for (var r = 0u; r < ROWS * DW; r++) { dk[r] = vec4<f32>(0.0); dv[r] = vec4<f32>(0.0); }
  var istart = 0u;
  if (CAUSAL) { istart = (j0 / BK) * BK; }
  for (var i0 = istart; i0 < TQ; i0 += BK) {
    let ib = i0 + 4u * lane;
    let iv = vec4<u32>(ib, ib + 1u, ib + 2u, ib + 3u);
    let ic = min(iv, vec4<u32>(TQ - 1u));
    let rows = vec4<u32>(bh * TQ) + ic;
    let lse = vec4<f32>(fwd[LSE_BASE + rows.x], fwd[LSE_BASE + rows.y], fwd[LSE_BASE + rows.z], fwd[LSE_BASE + rows.w]);
    let delta = vec4<f32>(out[DELTA_BASE + rows.x], out[DELTA_BASE + rows.y], out[DELTA_BASE + rows.z], out[DELTA_BASE + rows.w]);
    var s: array<vec4<f32>, ROWS>;
    var dp: array<vec4<f32>, ROWS>;
    for (var r = 0u; r < ROWS; r++) { s[r] = vec4<f32>(0.0); dp[r] = vec4<f32>(0.0); }
    for (var d0 = 0u; d0 < nd; d0 += S) {
      var a: array<f32, ROWS>;
      var g: array<f32, ROWS>;
      let dl = min(d0 + lane, D - 1u);
      let inside = d0 + lane < D;
      for (var r = 0u; r < ROWS; r++) {
        let j = min(j0 + r, TK - 1u);
        a[r] = select(0.0, k[k_at(b, h, j, dl)] * SCALE, inside);
        g[r] = select(0.0, v[v_at(b, h, j, dl)], inside);
      }
      for (var dd = 0u; dd < S; dd++) {
        let d = min(d0 + dd, D - 1u);
        let qv = vec4<f32>(q[q_at(b, h, ic.x, d)], q[q_at(b, h, ic.y, d)], q[q_at(b, h, ic.z, d)], q[q_at(b, h, ic.w, d)]);
        let ov = vec4<f32>(dout[do_at(b, h, ic.x, d)], dout[do_at(b, h, ic.y, d)], dout[do_at(b, h, ic.z, d)], dout[do_at(b, h, ic.w, d)]);
        for (var r = 0u; r < ROWS; r++) {
          s[r] = fma(vec4<f32>(subgroupShuffle(a[r], dd)), qv, s[r]);
          dp[r] = fma(vec4<f32>(subgroupShuffle(g[r], dd)), ov, dp[r]);
        }
      }
    }
    // s[r] becomes Pᵀ (row r = key j0 + r, lane columns = its 4 queries), dp[r] becomes dSᵀ
    for (var r = 0u; r < ROWS; r++) {
      let j = j0 + r;
      var vis = (iv < vec4<u32>(TQ)) & vec4<bool>(kept(b, j));
      if (CAUSAL) { vis = vis & (vec4<u32>(j) <= iv); }
      let p = select(vec4<f32>(0.0), exp(s[r] - lse), vis);
      s[r] = p;
      dp[r] = p * (dp[r] - delta);
    }
    for (var src = 0u; src < S; src++) {
      if (i0 + 4u * src >= TQ) { break; }
      for (var c = 0u; c < 4u; c++) {
        let i = min(i0 + 4u * src + c, TQ - 1u);
        var qq: array<vec4<f32>, DW>;
        var oo: array<vec4<f32>, DW>;
        for (var w = 0u; w < DW; w++) {
          qq[w] = vec4<f32>(q[q_at(b, h, i, col(lane, w, 0u))], q[q_at(b, h, i, col(lane, w, 1u))],
                            q[q_at(b, h, i, col(lane, w, 2u))], q[q_at(b, h, i, col(lane, w, 3u))]);
          oo[w] = vec4<f32>(dout[do_at(b, h, i, col(lane, w, 0u))], dout[do_at(b, h, i, col(lane, w, 1u))],
                            dout[do_at(b, h, i, col(lane, w, 2u))], dout[do_at(b, h, i, col(lane, w, 3u))]);
        }
        for (var r = 0u; r < ROWS; r++) {
          let pr = vec4<f32>(subgroupShuffle(s[r][c], src));
          let dsr = vec4<f32>(subgroupShuffle(dp[r][c], src));
          for (var w = 0u; w < DW; w++) {
            dv[r * DW + w] = fma(pr, oo[w], dv[r * DW + w]);
            dk[r * DW + w] = fma(dsr, qq[w], dk[r * DW + w]);
          }
        }
      }
    }
  }
  for (var r = 0u; r < ROWS; r++) {
    let j = j0 + r;
    if (j >= TK) { break; }
    let row = bh * TK + j;
    for (var w = 0u; w < DW; w++) {
      for (var c = 0u; c < 4u; c++) {
        let d = 4u * lane + 4u * S * w + c;
        if (d < D) {
          out[DK_BASE + row * D + d] = dk[r * DW + w][c] * SCALE;
          out[DV_BASE + row * D + d] = dv[r * DW + w][c];
        }
      }
    }
  }
}

@compute @workgroup_size({{S}})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(subgroup_invocation_id) lane: u32) {
  let group = wid.x + wid.y * nwg.x;
  if (group >= GROUPS) { return; }
  {{PASS}}(group, lane);
}
