// Interpolation forward: one invocation per output element; x read through a strided view.
// out[n, c, oy, ox] = sum over the row taps (y0, y1) and column taps (x0, x1) of their weights times x
// (nearest: one tap, weight 1). Prepended: interpolate_common.wgsl.
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;

fn xAt(n: u32, c: u32, iy: i32, ix: i32) -> f32 {
  let x0 = n; let x1 = c; let x2 = u32(iy); let x3 = u32(ix);
  return src[{{X_INDEX}}];
}

@compute @workgroup_size({{WG}})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * {{WG}}u;
  if (i >= OUT) { return; }
  let ox = i % OW;
  let oy = (i / OW) % OH;
  let c = (i / (OW * OH)) % C;
  let n = i / (OW * OH * C);
  let ty = taps(oy, H, OH);
  let tx = taps(ox, W, OW);
  let top = (1.0 - tx.l1) * xAt(n, c, ty.i0, tx.i0) + tx.l1 * xAt(n, c, ty.i0, tx.i1);
  let bottom = (1.0 - tx.l1) * xAt(n, c, ty.i1, tx.i0) + tx.l1 * xAt(n, c, ty.i1, tx.i1);
  dst[i] = (1.0 - ty.l1) * top + ty.l1 * bottom;
}
