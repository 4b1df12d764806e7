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
enable subgroups;

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read> mask: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
// D again, as a uniform: the loop over head-dim chunks is then not fully unrolled (compile time)
struct Bounds { d: u32, pad: u32 }
@group(0) @binding(5) var<uniform> bounds: Bounds;

const S = {{S}}u;
const ROWS = {{ROWS}}u;
const BK = 4u * S;
const D = {{D}}u;
const DW = {{DW}}u;
const H = {{H}}u;
const TQ = {{TQ}}u;
const TK = {{TK}}u;
const QTILES = {{QTILES}}u;
const GROUPS = {{GROUPS}}u;
const SCALE = {{SCALE}};
const CAUSAL = {{CAUSAL}};
const HAS_MASK = {{HAS_MASK}};
const LSE_BASE = {{LSE_BASE}}u;
const NEG = -1.0e30;
const BIG = 1.0e30;

fn q_at(b: u32, h: u32, t: u32, d: u32) -> u32 { return {{Q_INDEX}}; }
fn k_at(b: u32, h: u32, t: u32, d: u32) -> u32 { return {{K_INDEX}}; }
fn v_at(b: u32, h: u32, t: u32, d: u32) -> u32 { return {{V_INDEX}}; }
fn mask_at(b: u32, t: u32) -> u32 { return {{MASK_INDEX}}; }

fn kept(b: u32, j: u32) -> bool {
  if (j >= TK) { return false; }
  if (HAS_MASK) { return mask[mask_at(b, j)] != 0.0; }
  return true;
}

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
  var kend = TK;
  if (CAUSAL) { kend = min(TK, i0 + ROWS); }

  for (var j0 = 0u; j0 < kend; j0 += BK) {
    let jb = j0 + 4u * lane;
    let jv = vec4<u32>(jb, jb + 1u, jb + 2u, jb + 3u);
    let keep = vec4<bool>(kept(b, jb), kept(b, jb + 1u), kept(b, jb + 2u), kept(b, jb + 3u));
    let jc = min(jv, vec4<u32>(TK - 1u));
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
        let kv = vec4<f32>(k[k_at(b, h, jc.x, d)], k[k_at(b, h, jc.y, d)], k[k_at(b, h, jc.z, d)], k[k_at(b, h, jc.w, d)]);
        for (var r = 0u; r < ROWS; r++) {
          s[r] = fma(vec4<f32>(subgroupShuffle(a[r], dd)), kv, s[r]);
        }
      }
    }
    for (var r = 0u; r < ROWS; r++) {
      var vis = keep;
      if (CAUSAL) { vis = vis & (jv <= vec4<u32>(i0 + r)); }
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
    for (var src = 0u; src < S; src++) {
      if (j0 + 4u * src >= kend) { break; }
      for (var c = 0u; c < 4u; c++) {
        let j = min(j0 + 4u * src + c, TK - 1u);
        var vv: array<vec4<f32>, DW>;
        for (var w = 0u; w < DW; w++) {
          let dv = 4u * lane + 4u * S * w;
          vv[w] = vec4<f32>(v[v_at(b, h, j, min(dv, D - 1u))], v[v_at(b, h, j, min(dv + 1u, D - 1u))],
                            v[v_at(b, h, j, min(dv + 2u, D - 1u))], v[v_at(b, h, j, min(dv + 3u, D - 1u))]);
        }
        for (var r = 0u; r < ROWS; r++) {
          let pr = vec4<f32>(subgroupShuffle(s[r][c], src));
          for (var w = 0u; w < DW; w++) { o[r * DW + w] = fma(pr, vv[w], o[r * DW + w]); }
        }
      }
    }
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
