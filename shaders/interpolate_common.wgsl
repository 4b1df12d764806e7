// Prepended to interpolate.wgsl and interpolate_bwd.wgsl (src/kernels/interpolate.ts): resizing
// [N, C, H, W] to [N, C, OH, OW] by nearest or bilinear interpolation, as PyTorch's F.interpolate.
// Both are separable: along each axis an output index o reads input indices i0 and i1 with weights
// 1 - l1 and l1 (`taps`); the forward gathers them, the backward inverts them.
const N = {{N}}u; const C = {{C}}u; const H = {{H}}u; const W = {{W}}u; const OH = {{OH}}u; const OW = {{OW}}u;
const OUT = N * C * OH * OW;
const IN = N * C * H * W;

struct Taps { i0: i32, i1: i32, l1: f32 }

// nearest: i = floor(o * In / Out) in exact integer arithmetic (PyTorch computes o * (In / Out) in
// float32, which agrees whenever the scale factor is an integer; sizes here stay far below 2^16).
fn nearestTaps(o: u32, inSize: u32, outSize: u32) -> Taps {
  let i = i32((o * inSize) / outSize);
  return Taps(i, i, 0.0);
}

// bilinear: PyTorch's area_pixel_compute_source_index then guard_index_and_lambda (float32).
//   alignCorners: src = o * (In - 1) / (Out - 1) (0 when Out == 1)
//   otherwise:    src = max((o + 0.5) * In / Out - 0.5, 0)
fn bilinearSource(o: u32, inSize: u32, outSize: u32) -> f32 {
  if ({{ALIGN_CORNERS}}) {
    if (outSize <= 1u) { return 0.0; }
    return f32(o) * (f32(inSize - 1u) / f32(outSize - 1u));
  }
  return max((f32(o) + 0.5) * (f32(inSize) / f32(outSize)) - 0.5, 0.0);
}

fn bilinearTaps(o: u32, inSize: u32, outSize: u32) -> Taps {
  let src = bilinearSource(o, inSize, outSize);
  let i0 = min(i32(floor(src)), i32(inSize) - 1);
  let i1 = select(i0, i0 + 1, i0 < i32(inSize) - 1);
  return Taps(i0, i1, clamp(src - f32(i0), 0.0, 1.0));
}

fn taps(o: u32, inSize: u32, outSize: u32) -> Taps {
  return {{MODE}}Taps(o, inSize, outSize);
}
