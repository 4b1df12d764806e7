// conv2dIm2col: the column matrix of a convolution and its adjoint.
//   im2col (forward): cols[g, (cg, ky, kx), (n, oy, ox)] = x[n, g*CG + cg, oy*SH - PH + ky*DH, ox*SW - PW + kx*DW]
//                     (0 where the tap falls in the padding); cols is [G, CG*KH*KW, N*OH*OW].
//   col2im (backward, and the forward of convTranspose2d): x[n, c, iy, ix] = sum of every cols entry that
//                     im2col reads from (n, c, iy, ix). One invocation per output element, no atomics.
// Shapes and strides are constants (placeholder substitution): one pipeline per convolution geometry.
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;

const N = {{N}}u;  const C = {{C}}u;  const H = {{H}}i;  const W = {{W}}i;
const CG = {{CG}}u; const KH = {{KH}}u; const KW = {{KW}}u;
const SH = {{SH}}i; const SW = {{SW}}i; const PH = {{PH}}i; const PW = {{PW}}i; const DH = {{DH}}i; const DW = {{DW}}i;
const OH = {{OH}}u; const OW = {{OW}}u;
const L = OH * OW;

fn im2col(i: u32) -> f32 {
  // i runs over [G, CG, KH, KW, N, OH, OW]
  let ox = i % OW;
  let oy = (i / OW) % OH;
  let n = (i / L) % N;
  let r = i / (L * N);
  let kx = r % KW;
  let ky = (r / KW) % KH;
  let cgk = r / (KW * KH);      // g * CG + cg == the input channel
  let iy = i32(oy) * SH - PH + i32(ky) * DH;
  let ix = i32(ox) * SW - PW + i32(kx) * DW;
  if (iy < 0 || iy >= H || ix < 0 || ix >= W) { return 0.0; }
  let x0 = n; let x1 = cgk; let x2 = u32(iy); let x3 = u32(ix);
  return src[{{X_INDEX}}];
}

fn col2im(i: u32) -> f32 {
  // i runs over [N, C, H, W]; src is the contiguous column matrix starting at {{COLS_OFFSET}}
  let ix = i32(i % u32(W));
  let iy = i32((i / u32(W)) % u32(H));
  let c = (i / u32(W * H)) % C;
  let n = i / (u32(W * H) * C);
  let rowBase = c * KH * KW;     // (g * CG + cg) * KH * KW
  var acc = 0.0;
  for (var ky = 0u; ky < KH; ky++) {
    let ty = iy + PH - i32(ky) * DH;
    if (ty < 0 || ty % SH != 0 || ty / SH >= i32(OH)) { continue; }
    let oy = u32(ty / SH);
    for (var kx = 0u; kx < KW; kx++) {
      let tx = ix + PW - i32(kx) * DW;
      if (tx < 0 || tx % SW != 0 || tx / SW >= i32(OW)) { continue; }
      let ox = u32(tx / SW);
      acc += src[{{COLS_OFFSET}}u + (rowBase + ky * KW + kx) * (N * L) + n * L + oy * OW + ox];
    }
  }
  return acc;
}

@compute @workgroup_size({{WG}})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * {{WG}}u;
  if (i >= {{SIZE}}u) { return; }
  dst[i] = {{DIRECTION}}(i);
}
