// IEEE-754 special values and NaN-aware helpers, shared by the elementwise and reduction kernels.
// WGSL lets implementations assume that NaN and infinities never occur (fast math: lavapipe gives
// x / 0 = 0, max(NaN, 0) = 0), so comparisons cannot be trusted with them: these helpers test the bits.
// NaN and infinities cannot be WGSL constants either (const-evaluation rejects them): private vars hold the bits.
var<private> NAN_BITS: u32 = 0x7fc00000u;
var<private> INF_BITS: u32 = 0x7f800000u;
fn f32_nan() -> f32 { return bitcast<f32>(NAN_BITS); }
fn f32_inf() -> f32 { return bitcast<f32>(INF_BITS); }
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }

// a / b with IEEE's division by zero: ±Inf by the signs of a and b, NaN for 0/0 and NaN/0
fn div_ieee(a: f32, b: f32) -> f32 {
  let bb = bitcast<u32>(b);
  if ((bb & 0x7fffffffu) != 0u) { return a / b; }
  let ab = bitcast<u32>(a);
  if ((ab & 0x7fffffffu) == 0u || is_nan(a)) { return f32_nan(); }
  return bitcast<f32>(((ab ^ bb) & 0x80000000u) | INF_BITS);
}
// max and min that propagate NaN (PyTorch's torch.maximum / minimum / relu)
fn max_nan(a: f32, b: f32) -> f32 { return select(max(a, b), f32_nan(), is_nan(a) || is_nan(b)); }
fn min_nan(a: f32, b: f32) -> f32 { return select(min(a, b), f32_nan(), is_nan(a) || is_nan(b)); }
