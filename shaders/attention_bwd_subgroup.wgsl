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
// Output buffer as attention_bwd_bindings.wgsl says.
// Prepended: attention_common.wgsl, attention_bwd_bindings.wgsl, attention_subgroup_common.wgsl.
const TILES = {{TILES}}u;

/** (q, dO) at query t, or (k, v) at key t: the two operands a block reads along its rows or columns. */
fn operands(query: bool, b: u32, h: u32, t: u32, d: u32) -> vec2<f32> {
  if (query) { return vec2<f32>(q[q_at(b, h, t, d)], dout[do_at(b, h, t, d)]); }
  return vec2<f32>(k[k_at(b, h, t, d)], v[v_at(b, h, t, d)]);
}

/**
 * The two products both passes recompute for a block of ROWS rows (from r0) x this lane's 4 columns
 * `cols`: s[r] = SCALE·A_r · X_c and dp[r] = G_r · Y_c over all head dims, with (A, G) the rows' operands
 * and (X, Y) the columns'. dq: rows are queries, so S = Q Kᵀ and dP = dO Vᵀ; dkdv: rows are keys, so Sᵀ
 * and dPᵀ. Per chunk of S head dims each lane loads one dim of every row and subgroupShuffle hands it on.
 */
fn block_products(rows_are_queries: bool, b: u32, h: u32, r0: u32, cols: vec4<u32>, lane: u32,
                  s: ptr<function, array<vec4<f32>, ROWS>>, dp: ptr<function, array<vec4<f32>, ROWS>>) {
  let nd = bounds.d;
  let last = select(TK, TQ, rows_are_queries) - 1u;
  // explicit zeroing: a `var` declared in a loop body was not re-zeroed per iteration on lavapipe
  for (var r = 0u; r < ROWS; r++) { (*s)[r] = vec4<f32>(0.0); (*dp)[r] = vec4<f32>(0.0); }
  for (var d0 = 0u; d0 < nd; d0 += S) {
    var a: array<f32, ROWS>;
    var g: array<f32, ROWS>;
    let dl = min(d0 + lane, D - 1u);
    let inside = d0 + lane < D;
    for (var r = 0u; r < ROWS; r++) {
      let x = operands(rows_are_queries, b, h, min(r0 + r, last), dl);
      a[r] = select(0.0, x.x * SCALE, inside);
      g[r] = select(0.0, x.y, inside);
    }
    for (var dd = 0u; dd < S; dd++) {
      let d = min(d0 + dd, D - 1u);
      let c0 = operands(!rows_are_queries, b, h, cols.x, d);
      let c1 = operands(!rows_are_queries, b, h, cols.y, d);
      let c2 = operands(!rows_are_queries, b, h, cols.z, d);
      let c3 = operands(!rows_are_queries, b, h, cols.w, d);
      let xv = vec4<f32>(c0.x, c1.x, c2.x, c3.x);
      let yv = vec4<f32>(c0.y, c1.y, c2.y, c3.y);
      for (var r = 0u; r < ROWS; r++) {
        (*s)[r] = fma(vec4<f32>(subgroupShuffle(a[r], dd)), xv, (*s)[r]);
        (*dp)[r] = fma(vec4<f32>(subgroupShuffle(g[r], dd)), yv, (*dp)[r]);
      }
    }
  }
}

/** out[base + (bh·len + t)·D + d] = scale · acc[t - t0, d] for this lane's head dims of the rows t0.. below len. */
fn store_rows(base: u32, bh: u32, t0: u32, len: u32, lane: u32, scale: f32, acc: ptr<function, array<vec4<f32>, ROWS * DW>>) {
  for (var r = 0u; r < ROWS; r++) {
    let t = t0 + r;
    if (t >= len) { break; }
    let row = bh * len + t;
    for (var w = 0u; w < DW; w++) {
      for (var c = 0u; c < 4u; c++) {
        let d = 4u * lane + 4u * S * w + c;
        if (d < D) { out[base + row * D + d] = (*acc)[r * DW + w][c] * scale; }
      }
    }
  }
}

fn pass_dq(bh: u32, i0: u32, lane: u32) {
  let b = bh / H;
  let h = bh % H;
  var acc: array<vec4<f32>, ROWS * DW>;
  var lse: array<f32, ROWS>;
  var delta: array<f32, ROWS>;
  for (var r = 0u; r < ROWS; r++) {
    let row = bh * TQ + min(i0 + r, TQ - 1u);
    lse[r] = fwd[LSE_BASE + row];
    delta[r] = out[DELTA_BASE + row];
    for (var w = 0u; w < DW; w++) { acc[r * DW + w] = vec4<f32>(0.0); }
  }
  let kend = key_end(i0);
  for (var j0 = 0u; j0 < kend; j0 += BK) {
    let keys = lane_keys(b, j0, lane);
    var s: array<vec4<f32>, ROWS>;
    var dp: array<vec4<f32>, ROWS>;
    block_products(true, b, h, i0, keys.clamped, lane, &s, &dp);
    for (var r = 0u; r < ROWS; r++) {
      var vis = keys.kept;
      if (CAUSAL) { vis = vis & (keys.j <= vec4<u32>(i0 + r)); }
      let p = select(vec4<f32>(0.0), exp(s[r] - vec4<f32>(lse[r])), vis);
      s[r] = p * (dp[r] - vec4<f32>(delta[r]));
    }
    accumulate_keys(false, b, h, j0, kend, lane, &s, &acc);
  }
  store_rows(0u, bh, i0, TQ, lane, SCALE, &acc);
}

fn pass_dkdv(bh: u32, j0: u32, lane: u32) {
  let b = bh / H;
  let h = bh % H;
  var dk: array<vec4<f32>, ROWS * DW>;
  var dv: array<vec4<f32>, ROWS * DW>;
  for (var r = 0u; r < ROWS * DW; r++) { dk[r] = vec4<f32>(0.0); dv[r] = vec4<f32>(0.0); }
  var istart = 0u;
  if (CAUSAL) { istart = (j0 / BK) * BK; }
  for (var i0 = istart; i0 < TQ; i0 += BK) {
    let iv = lane_cols(i0, lane);
    let ic = min(iv, vec4<u32>(TQ - 1u));
    let rows = vec4<u32>(bh * TQ) + ic;
    let lse = vec4<f32>(fwd[LSE_BASE + rows.x], fwd[LSE_BASE + rows.y], fwd[LSE_BASE + rows.z], fwd[LSE_BASE + rows.w]);
    let delta = vec4<f32>(out[DELTA_BASE + rows.x], out[DELTA_BASE + rows.y], out[DELTA_BASE + rows.z], out[DELTA_BASE + rows.w]);
    var s: array<vec4<f32>, ROWS>;
    var dp: array<vec4<f32>, ROWS>;
    block_products(false, b, h, j0, ic, lane, &s, &dp);
    // s[r] becomes Pᵀ (row r = key j0 + r, lane columns = its 4 queries), dp[r] becomes dSᵀ
    for (var r = 0u; r < ROWS; r++) {
      let j = j0 + r;
      var vis = (iv < vec4<u32>(TQ)) & vec4<bool>(key_kept(b, j));
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
  store_rows(DK_BASE, bh, j0, TK, lane, SCALE, &dk);
  store_rows(DV_BASE, bh, j0, TK, lane, 1.0, &dv);
}

@compute @workgroup_size({{S}})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(subgroup_invocation_id) lane: u32) {
  let group = wid.x + wid.y * nwg.x;
  if (group >= GROUPS) { return; }
  // the (batch, head) and the first of the ROWS rows (queries or keys) this workgroup owns
  {{PASS}}(group / TILES, (group % TILES) * ROWS, lane);
}
