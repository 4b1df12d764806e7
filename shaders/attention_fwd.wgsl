// Fused scaled-dot-product attention, forward (flash-style). One workgroup per (batch·head, tile of BQ
// queries); each lane owns one query row, keeps q and its output accumulator in registers, and walks the
// keys in tiles of BK that the workgroup loads into workgroup memory. Online softmax: per key tile the
// running max m and sum l are rescaled once; the T×T score matrix never exists.
// Output buffer: O [B, H, TQ, D] (contiguous) followed by LSE [B, H, TQ] (log-sum-exp of each score row,
// what the backward recomputes probabilities from). A row with no visible key gets O = 0 and LSE = BIG,
// so exp(s - LSE) is 0 for it in the backward. No infinities: masked scores are flagged, not -inf.
@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read> mask: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
// D and BK again, as uniforms: loops bounded by them are not fully unrolled (faster compiles on lavapipe)
struct Bounds { d: u32, bk: u32 }
@group(0) @binding(5) var<uniform> bounds: Bounds;

const D = {{D}}u;
const H = {{H}}u;
const TQ = {{TQ}}u;
const TK = {{TK}}u;
const BQ = {{BQ}}u;
const BK = {{BK}}u;
const QTILES = {{QTILES}}u;
const GROUPS = {{GROUPS}}u;
const SCALE = {{SCALE}};
const CAUSAL = {{CAUSAL}};
const HAS_MASK = {{HAS_MASK}};
const LSE_BASE = {{LSE_BASE}}u;
const NEG = -1.0e30;
const BIG = 1.0e30;

var<workgroup> kt: array<f32, {{KV_TILE}}>;
var<workgroup> vt: array<f32, {{KV_TILE}}>;
var<workgroup> keep: array<f32, {{BK}}>;

fn q_at(b: u32, h: u32, t: u32, d: u32) -> u32 { return {{Q_INDEX}}; }
fn k_at(b: u32, h: u32, t: u32, d: u32) -> u32 { return {{K_INDEX}}; }
fn v_at(b: u32, h: u32, t: u32, d: u32) -> u32 { return {{V_INDEX}}; }
fn mask_at(b: u32, t: u32) -> u32 { return {{MASK_INDEX}}; }

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
  let nbk = bounds.bk;

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
    for (var e = lid.x; e < BK; e += BQ) {
      var kv = select(0.0, 1.0, j0 + e < TK);
      if (HAS_MASK && kv != 0.0) { kv = select(0.0, 1.0, mask[mask_at(b, j0 + e)] != 0.0); }
      keep[e] = kv;
    }
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
