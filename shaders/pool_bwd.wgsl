// Pooling backward: dx[n, c, iy, ix] = sum of the output gradients of every window that used (iy, ix)
// (for max pooling: every window whose recorded maximum is (iy, ix)). One invocation per input element,
// visiting only the windows that can contain it; no atomics. g is contiguous [N, C, OH, OW]; `aux` holds
// maxPool2dForward's packed output (indices at OUT..2*OUT) for max pooling and is unused otherwise.
// Prepended: pool_common.wgsl (the geometry constants).
@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read> aux: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;

fn maxPool2dBackward(nc: u32, iy: i32, ix: i32) -> f32 {
  var acc = 0.0;
  let me = f32(iy * W + ix);
  for (var ky = 0u; ky < KH; ky++) {
    let ty = iy + PH - i32(ky) * DH;
    if (ty < 0 || ty % SH != 0 || ty / SH >= i32(OH)) { continue; }
    for (var kx = 0u; kx < KW; kx++) {
      let tx = ix + PW - i32(kx) * DW;
      if (tx < 0 || tx % SW != 0 || tx / SW >= i32(OW)) { continue; }
      let o = (nc * OH + u32(ty / SH)) * OW + u32(tx / SW);
      if (aux[{{AUX_OFFSET}}u + OUT + o] == me) { acc += g[{{G_OFFSET}}u + o]; }
    }
  }
  return acc;
}

fn avgPool2dBackward(nc: u32, iy: i32, ix: i32) -> f32 {
  var acc = 0.0;
  for (var ky = 0u; ky < KH; ky++) {
    let ty = iy + PH - i32(ky);
    if (ty < 0 || ty % SH != 0 || ty / SH >= i32(OH)) { continue; }
    let oy = ty / SH;
    for (var kx = 0u; kx < KW; kx++) {
      let tx = ix + PW - i32(kx);
      if (tx < 0 || tx % SW != 0 || tx / SW >= i32(OW)) { continue; }
      let ox = tx / SW;
      // the forward divisor of window (oy, ox)
      let wy = min(oy * SH - PH + i32(KH), H) - max(oy * SH - PH, 0);
      let wx = min(ox * SW - PW + i32(KW), W) - max(ox * SW - PW, 0);
      let count = f32(wy * wx);
      acc += g[{{G_OFFSET}}u + (nc * OH + u32(oy)) * OW + u32(ox)] / {{DIVISOR}};
    }
  }
  return acc;
}

fn adaptiveAvgPool2dBackward(nc: u32, iy: i32, ix: i32) -> f32 {
  var acc = 0.0;
  // windows overlap by at most one cell at each side of the cell iy falls in proportionally
  let oyLo = max(i32((u32(iy) * OH) / u32(H)) - 1, 0);
  let oyHi = min(i32(((u32(iy) + 1u) * OH) / u32(H)) + 1, i32(OH) - 1);
  let oxLo = max(i32((u32(ix) * OW) / u32(W)) - 1, 0);
  let oxHi = min(i32(((u32(ix) + 1u) * OW) / u32(W)) + 1, i32(OW) - 1);
  for (var oy = oyLo; oy <= oyHi; oy++) {
    let y0 = i32((u32(oy) * u32(H)) / OH);
    let y1 = i32(((u32(oy) + 1u) * u32(H) + OH - 1u) / OH);
    if (iy < y0 || iy >= y1) { continue; }
    for (var ox = oxLo; ox <= oxHi; ox++) {
      let x0 = i32((u32(ox) * u32(W)) / OW);
      let x1 = i32(((u32(ox) + 1u) * u32(W) + OW - 1u) / OW);
      if (ix < x0 || ix >= x1) { continue; }
      acc += g[{{G_OFFSET}}u + (nc * OH + u32(oy)) * OW + u32(ox)] / f32((y1 - y0) * (x1 - x0));
    }
  }
  return acc;
}

@compute @workgroup_size({{WG}})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * {{WG}}u;
  if (i >= N * C * u32(H * W)) { return; }
  let ix = i32(i % u32(W));
  let iy = i32((i / u32(W)) % u32(H));
  let nc = i / u32(W * H);
  dx[i] = {{MODE}}Backward(nc, iy, ix);
}
