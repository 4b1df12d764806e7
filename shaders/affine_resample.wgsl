// affineResample: each output pixel (n, c, oy, ox) takes the bilinear 2x2 window of x[n, c] around the
// point theta[n] maps it to (in pixel units about the image centre); taps outside the image read 0.
// A data-augmentation kernel (random rotation / scale / translation; src/data/transforms.ts), not a pooling one.
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read> theta: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

const N = {{N}}u; const C = {{C}}u; const H = {{H}}i; const W = {{W}}i;
const CY = f32({{H}} - 1) * 0.5; const CX = f32({{W}} - 1) * 0.5;

fn tap(n: u32, c: u32, iy: i32, ix: i32) -> f32 {
  if (iy < 0 || iy >= H || ix < 0 || ix >= W) { return 0.0; }
  let x0 = n; let x1 = c; let x2 = u32(iy); let x3 = u32(ix);
  return src[{{X_INDEX}}];
}

@compute @workgroup_size({{WG}})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * {{WG}}u;
  if (i >= N * C * u32(H * W)) { return; }
  let ox = f32(i % u32(W)) - CX;
  let oy = f32((i / u32(W)) % u32(H)) - CY;
  let c = (i / u32(W * H)) % C;
  let n = i / (u32(W * H) * C);
  let t = {{THETA_OFFSET}}u + n * 6u;
  let sx = theta[t] * ox + theta[t + 1u] * oy + theta[t + 2u] + CX;
  let sy = theta[t + 3u] * ox + theta[t + 4u] * oy + theta[t + 5u] + CY;
  let fx = floor(sx);
  let fy = floor(sy);
  let ax = sx - fx;
  let ay = sy - fy;
  let ix = i32(fx);
  let iy = i32(fy);
  dst[i] = (1.0 - ay) * ((1.0 - ax) * tap(n, c, iy, ix) + ax * tap(n, c, iy, ix + 1))
         + ay * ((1.0 - ax) * tap(n, c, iy + 1, ix) + ax * tap(n, c, iy + 1, ix + 1));
}
