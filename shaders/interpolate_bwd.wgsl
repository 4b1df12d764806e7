// Interpolation backward: dx[n, c, iy, ix] = sum over outputs (oy, ox) of wy(oy, iy) * wx(ox, ix) * g,
// where w(o, i) is the weight output index o gives input index i in the forward (its taps). One
// invocation per input element, visiting only the outputs whose taps can reach it; no atomics.
// g is contiguous [N, C, OH, OW] from G_OFFSET. Prepended: interpolate_common.wgsl.
@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read_write> dx: array<f32>;

fn weight(o: u32, i: i32, inSize: u32, outSize: u32) -> f32 {
  let t = taps(o, inSize, outSize);
  return select(0.0, 1.0 - t.l1, t.i0 == i) + select(0.0, t.l1, t.i1 == i);
}

// The outputs [lo, hi] whose taps can include input index i.
fn nearestRange(i: u32, inSize: u32, outSize: u32) -> vec2u {
  // floor(o * In / Out) == i  <=>  ceil(i * Out / In) <= o < ceil((i + 1) * Out / In)
  return vec2u((i * outSize + inSize - 1u) / inSize, ((i + 1u) * outSize + inSize - 1u) / inSize - 1u);
}

fn bilinearRange(i: u32, inSize: u32, outSize: u32) -> vec2u {
  // i is a tap of o when src(o) lies in [i - 1, i + 1) (and, for the last input, anywhere above it):
  // invert src, then widen by one output each side for float rounding (weight() is exact anyway)
  var slope: f32;
  var shift: f32;
  if ({{ALIGN_CORNERS}}) {
    if (outSize <= 1u || inSize <= 1u) { return vec2u(0u, outSize - 1u); }
    slope = f32(inSize - 1u) / f32(outSize - 1u);
    shift = 0.0;
  } else {
    slope = f32(inSize) / f32(outSize);
    shift = 0.5 * slope - 0.5; // src = o * slope + shift
  }
  let lo = floor((f32(i) - 1.0 - shift) / slope) - 1.0;
  var hi = f32(outSize - 1u);
  if (i + 1u < inSize) { hi = min(hi, ceil((f32(i) + 1.0 - shift) / slope) + 1.0); }
  return vec2u(u32(max(lo, 0.0)), u32(max(hi, 0.0)));
}

@compute @workgroup_size({{WG}})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * {{WG}}u;
  if (i >= IN) { return; }
  let ix = i % W;
  let iy = (i / W) % H;
  let nc = i / (W * H);
  let ry = {{MODE}}Range(iy, H, OH);
  let rx = {{MODE}}Range(ix, W, OW);
  var acc = 0.0;
  for (var oy = ry.x; oy <= ry.y; oy++) {
    let wy = weight(oy, i32(iy), H, OH);
    if (wy == 0.0) { continue; }
    var row = 0.0;
    for (var ox = rx.x; ox <= rx.y; ox++) {
      row += weight(ox, i32(ix), W, OW) * g[{{G_OFFSET}}u + (nc * OH + oy) * OW + ox];
    }
    acc += wy * row;
  }
  dx[i] = acc;
}
