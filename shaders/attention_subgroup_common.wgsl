// Prepended to the subgroup attention modules (attention_fwd_subgroup.wgsl, attention_bwd_subgroup.wgsl):
// a workgroup is exactly one subgroup of S lanes and owns ROWS rows; blocks of BK = 4·S keys (or queries)
// give lane l the four columns 4l .. 4l+3; head dims are held as DW vec4 groups per lane.
enable subgroups;

const S = {{S}}u;
const ROWS = {{ROWS}}u;
const BK = 4u * S;
const DW = {{DW}}u;

/** The four columns (keys or queries) 4·lane .. 4·lane + 3 of the block from t0. */
fn lane_cols(t0: u32, lane: u32) -> vec4<u32> {
  let t = t0 + 4u * lane;
  return vec4<u32>(t, t + 1u, t + 2u, t + 3u);
}

/** The four keys a lane owns in a key block: their indices, whether each is kept, and clamped into 0..TK-1. */
struct LaneKeys { j: vec4<u32>, kept: vec4<bool>, clamped: vec4<u32> }

fn lane_keys(b: u32, j0: u32, lane: u32) -> LaneKeys {
  let j = lane_cols(j0, lane);
  let kept = vec4<bool>(key_kept(b, j.x), key_kept(b, j.y), key_kept(b, j.z), key_kept(b, j.w));
  return LaneKeys(j, kept, min(j, vec4<u32>(TK - 1u)));
}

/** The end of the keys that query rows i0 .. i0 + ROWS - 1 see: TK, or past the last of them when causal. */
fn key_end(i0: u32) -> u32 {
  if (CAUSAL) { return min(TK, i0 + ROWS); }
  return TK;
}

/** Head dim c of the vec4 group w a lane owns, clamped into the row (columns past D are never stored). */
fn col(lane: u32, w: u32, c: u32) -> u32 { return min(4u * lane + 4u * S * w + c, D - 1u); }

/** This lane's vec4 group w of head dims of key j, from v (`values`) or k. */
fn key_dims(values: bool, b: u32, h: u32, j: u32, lane: u32, w: u32) -> vec4<f32> {
  if (values) {
    return vec4<f32>(v[v_at(b, h, j, col(lane, w, 0u))], v[v_at(b, h, j, col(lane, w, 1u))],
                     v[v_at(b, h, j, col(lane, w, 2u))], v[v_at(b, h, j, col(lane, w, 3u))]);
  }
  return vec4<f32>(k[k_at(b, h, j, col(lane, w, 0u))], k[k_at(b, h, j, col(lane, w, 1u))],
                   k[k_at(b, h, j, col(lane, w, 2u))], k[k_at(b, h, j, col(lane, w, 3u))]);
}

/**
 * acc[r, w] += p[r, j] · X[j, this lane's dims w] over the keys j of the block from j0 below kend, where
 * lane l holds p[r][c] for key j0 + 4l + c and hands it on by subgroupShuffle; X = v (`values`: the
 * forward's O += P V) or k (backward dq: dQ += dS K).
 */
fn accumulate_keys(values: bool, b: u32, h: u32, j0: u32, kend: u32, lane: u32,
                   p: ptr<function, array<vec4<f32>, ROWS>>, acc: ptr<function, array<vec4<f32>, ROWS * DW>>) {
  for (var src = 0u; src < S; src++) {
    if (j0 + 4u * src >= kend) { break; }
    for (var c = 0u; c < 4u; c++) {
      let j = min(j0 + 4u * src + c, TK - 1u);
      var x: array<vec4<f32>, DW>;
      for (var w = 0u; w < DW; w++) { x[w] = key_dims(values, b, h, j, lane, w); }
      for (var r = 0u; r < ROWS; r++) {
        let pr = vec4<f32>(subgroupShuffle((*p)[r][c], src));
        for (var w = 0u; w < DW; w++) { (*acc)[r * DW + w] = fma(pr, x[w], (*acc)[r * DW + w]); }
      }
    }
  }
}
