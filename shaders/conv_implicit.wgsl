// conv2dImplicitGemm: the convolution as a GEMM whose column matrix is never stored. Each invocation
// computes OT output channels x PT consecutive output pixels (OT*PT accumulators), reading the input
// taps straight from x (0 in the padding) and the weights from w [O, CG, KH, KW]. Lanes of a workgroup
// take neighbouring pixel blocks, so their input loads are neighbours too. Output: y [N, O, OH, OW].
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

const N = {{N}}u;  const H = {{H}}i;  const W = {{W}}i;
const CG = {{CG}}u; const OG = {{OG}}u; const O = {{O}}u; const KH = {{KH}}u; const KW = {{KW}}u;
const SH = {{SH}}i; const SW = {{SW}}i; const PH = {{PH}}i; const PW = {{PW}}i; const DH = {{DH}}i; const DW = {{DW}}i;
const OH = {{OH}}u; const OW = {{OW}}u;
const L = OH * OW;
const OT = {{OT}}u; const PT = {{PT}}u;
const PIX_BLOCKS = (N * L + PT - 1u) / PT;
const O_BLOCKS = (OG + OT - 1u) / OT;   // per group

@compute @workgroup_size({{WG}})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = gid.x + gid.y * nwg.x * {{WG}}u;
  if (t >= PIX_BLOCKS * O_BLOCKS * {{G}}u) { return; }
  let pb = t % PIX_BLOCKS;
  let ob = t / PIX_BLOCKS;            // g * O_BLOCKS + block within the group
  let g = ob / O_BLOCKS;
  let o0 = g * OG + (ob % O_BLOCKS) * OT;
  let oEnd = min(o0 + OT, (g + 1u) * OG);
  // the pixels of this block: their sample, top-left input corner and output offset
  var xBase: array<u32, {{PT}}>;
  var iy0: array<i32, {{PT}}>;
  var ix0: array<i32, {{PT}}>;
  var yOff: array<u32, {{PT}}>;
  var live: array<bool, {{PT}}>;
  for (var p = 0u; p < PT; p++) {
    let q = min(pb * PT + p, N * L - 1u);
    live[p] = pb * PT + p < N * L;
    let n = q / L;
    let oy = (q % L) / OW;
    let ox = q % OW;
    iy0[p] = i32(oy) * SH - PH;
    ix0[p] = i32(ox) * SW - PW;
    let x0 = n; let x1 = g * CG; let x2 = 0u; let x3 = 0u;
    xBase[p] = {{X_INDEX}};
    yOff[p] = n * O * L + oy * OW + ox;
  }
  var acc: array<array<f32, {{PT}}>, {{OT}}>;
  for (var cg = 0u; cg < CG; cg++) {
    for (var ky = 0u; ky < KH; ky++) {
      for (var kx = 0u; kx < KW; kx++) {
        var xv: array<f32, {{PT}}>;
        for (var p = 0u; p < PT; p++) {
          let iy = iy0[p] + i32(ky) * DH;
          let ix = ix0[p] + i32(kx) * DW;
          var v = 0.0;
          if (iy >= 0 && iy < H && ix >= 0 && ix < W) {
            v = x[xBase[p] + cg * {{XS_C}}u + u32(iy) * {{XS_H}}u + u32(ix) * {{XS_W}}u];
          }
          xv[p] = v;
        }
        let wk = ((cg * KH + ky) * KW + kx);
        for (var r = 0u; r < OT; r++) {
          let wv = w[{{W_OFFSET}}u + min(o0 + r, O - 1u) * (CG * KH * KW) + wk];
          for (var p = 0u; p < PT; p++) { acc[r][p] = fma(wv, xv[p], acc[r][p]); }
        }
      }
    }
  }
  for (var r = 0u; r < OT; r++) {
    let o = o0 + r;
    if (o >= oEnd) { break; }
    for (var p = 0u; p < PT; p++) {
      if (live[p]) { y[yOff[p] + o * L] = acc[r][p]; }
    }
  }
}
