// Pooling over [N, C, H, W] (x read through a strided view), one invocation per output element.
//   maxPool2dForward:  dst holds [2, N, C, OH, OW]: the maxima, then the flat index iy*W + ix of each
//                      maximum (as f32, exact below 2^24) for the backward pass; taps in the padding never win.
//   avgPool2dForward:  mean over the window; divisor KH*KW (padding counted) or the taps inside the input.
//   adaptiveAvgPool2dForward: mean over rows [floor(oy*H/OH), ceil((oy+1)*H/OH)) and likewise columns.
// Prepended: pool_common.wgsl (the geometry constants).
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;

var<private> NEG_INF_BITS: u32 = 0xff800000u;

fn xAt(n: u32, c: u32, iy: i32, ix: i32) -> f32 {
  let x0 = n; let x1 = c; let x2 = u32(iy); let x3 = u32(ix);
  return src[{{X_INDEX}}];
}

fn maxPool2dForward(i: u32, n: u32, c: u32, oy: u32, ox: u32) {
  var best = bitcast<f32>(NEG_INF_BITS);
  var arg = -1;
  for (var ky = 0u; ky < KH; ky++) {
    let iy = i32(oy) * SH - PH + i32(ky) * DH;
    if (iy < 0 || iy >= H) { continue; }
    for (var kx = 0u; kx < KW; kx++) {
      let ix = i32(ox) * SW - PW + i32(kx) * DW;
      if (ix < 0 || ix >= W) { continue; }
      let v = xAt(n, c, iy, ix);
      // NaN propagates, as in PyTorch; the first maximum wins ties
      if (v > best || arg < 0 || v != v) { best = v; arg = iy * W + ix; }
      if (v != v) { break; }
    }
  }
  dst[i] = best;
  dst[OUT + i] = f32(arg);
}

fn avgPool2dForward(i: u32, n: u32, c: u32, oy: u32, ox: u32) {
  var acc = 0.0;
  var count = 0.0;
  for (var ky = 0u; ky < KH; ky++) {
    let iy = i32(oy) * SH - PH + i32(ky);
    if (iy < 0 || iy >= H) { continue; }
    for (var kx = 0u; kx < KW; kx++) {
      let ix = i32(ox) * SW - PW + i32(kx);
      if (ix < 0 || ix >= W) { continue; }
      acc += xAt(n, c, iy, ix);
      count += 1.0;
    }
  }
  dst[i] = acc / {{DIVISOR}};
}

fn adaptiveAvgPool2dForward(i: u32, n: u32, c: u32, oy: u32, ox: u32) {
  let y0 = i32((oy * u32(H)) / OH);
  let y1 = i32(((oy + 1u) * u32(H) + OH - 1u) / OH);
  let x0 = i32((ox * u32(W)) / OW);
  let x1 = i32(((ox + 1u) * u32(W) + OW - 1u) / OW);
  var acc = 0.0;
  for (var iy = y0; iy < y1; iy++) {
    for (var ix = x0; ix < x1; ix++) { acc += xAt(n, c, iy, ix); }
  }
  dst[i] = acc / f32((y1 - y0) * (x1 - x0));
}

@compute @workgroup_size({{WG}})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * {{WG}}u;
  if (i >= OUT) { return; }
  let ox = i % OW;
  let oy = (i / OW) % OH;
  let c = (i / (OW * OH)) % C;
  let n = i / (OW * OH * C);
  {{MODE}}Forward(i, n, c, oy, ox);
}
