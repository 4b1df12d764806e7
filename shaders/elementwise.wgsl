// A fused chain of elementwise ops: one invocation per output element.
// The planner fills in the inputs, the index arithmetic (baked strides) and the expression body.

// (f32_nan, f32_inf, is_nan, div_ieee, max_nan, min_nan: shaders/ieee.wgsl, prepended)

fn pow_real(a: f32, b: f32) -> f32 {
  // WGSL's pow is undefined for a < 0; follow IEEE/PyTorch for integral exponents.
  if (a >= 0.0) { return pow(a, b); }
  if (b == floor(b)) {
    let m = pow(-a, b);
    return select(m, -m, fract(b * 0.5) != 0.0);
  }
  return f32_nan();
}

// Counter-based random numbers (PCG hash of seed and element index): the same (seed, index) gives the
// same value on every device, so dropout masks are reproducible and need no state.
fn pcg_hash(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}
fn hash_uniform(seed: u32, idx: u32) -> f32 {
  // 24 random bits -> [0, 1)
  return f32(pcg_hash(pcg_hash(seed) ^ idx) >> 8u) * (1.0 / 16777216.0);
}

fn tanh_safe(x: f32) -> f32 {
  // some drivers compute tanh as a ratio of exponentials that overflows to NaN for large |x|
  return tanh(clamp(x, -15.0, 15.0));
}

// erf to float32 accuracy: max abs error 1.3e-7 (2.5 ulp) over [-6, 6] in a float32 simulation against
// math.erf, 1.4e-7 measured on lavapipe (tests/ops/activation.test.ts bounds it on the device). Below |x| = 0.84375 the Maclaurin
// series, 10 terms in Horner form over x² (alternating and decreasing there: no cancellation, and good
// relative accuracy near 0); beyond, 1 − erfc(|x|) with Numerical Recipes' erfcc (a Chebyshev fit in
// t = 1/(1 + |x|/2), relative error < 1.2e-7 for every x ≥ 0), so the subtraction loses nothing. A single
// rational fit (Eigen's / XLA's x·P(x²)/Q(x²)) was measured at 4.4e-7 in float32 near |x| = 3.2.
fn erf_f32(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.84375) {
    let z = x * x;
    var p = -1.636584469e-07;
    p = p * z + 1.646211437e-06;
    p = p * z - 1.492565036e-05;
    p = p * z + 1.205533298e-04;
    p = p * z - 8.548327023e-04;
    p = p * z + 5.223977625e-03;
    p = p * z - 2.686617065e-02;
    p = p * z + 1.128379167e-01;
    p = p * z - 3.761263890e-01;
    p = p * z + 1.128379167e+00;
    return x * p;
  }
  let t = 1.0 / (1.0 + 0.5 * a);
  var r = 0.17087277;
  r = r * t - 0.82215223;
  r = r * t + 1.48851587;
  r = r * t - 1.13520398;
  r = r * t + 0.27886807;
  r = r * t - 0.18628806;
  r = r * t + 0.09678418;
  r = r * t + 0.37409196;
  r = r * t + 1.00002368;
  r = r * t - 1.26551223;
  let erfc = t * exp(r - a * a);
  return select(1.0 - erfc, erfc - 1.0, x < 0.0);
}

// log(1 + e) and e^x − 1 without the cancellation of log(1.0 + e) and exp(x) − 1.0 near 0. (Goldberg's and
// Kahan's corrections, which divide the rounding of 1 + e back out, do not survive the shader compiler:
// lavapipe folds (1 + e) − 1 into e.) Near 0 they are series: log1p = 2 atanh(s), s = e / (2 + e), in odd
// powers of s (|s| ≤ 1/3 for e in [−0.5, 1]: 9 terms reach 3e-10), and expm1's Taylor series (|x| < 0.5:
// 11 terms); outside those ranges log(1 + e) and exp(x) − 1 lose no digits.
fn log1p_f32(e: f32) -> f32 {
  if (e < -0.5 || e > 1.0 || is_nan(e)) { return log(1.0 + e); }
  let s = e / (2.0 + e);
  let z = s * s;
  var p = 5.882352941e-02;
  p = p * z + 6.666666667e-02;
  p = p * z + 7.692307692e-02;
  p = p * z + 9.090909091e-02;
  p = p * z + 1.111111111e-01;
  p = p * z + 1.428571429e-01;
  p = p * z + 2.000000000e-01;
  p = p * z + 3.333333333e-01;
  p = p * z + 1.000000000e+00;
  return 2.0 * s * p;
}
fn expm1_f32(x: f32) -> f32 {
  if (!(abs(x) < 0.5)) { return exp(x) - 1.0; }
  var p = 2.505210839e-08;
  p = p * x + 2.755731922e-07;
  p = p * x + 2.755731922e-06;
  p = p * x + 2.480158730e-05;
  p = p * x + 1.984126984e-04;
  p = p * x + 1.388888889e-03;
  p = p * x + 8.333333333e-03;
  p = p * x + 4.166666667e-02;
  p = p * x + 1.666666667e-01;
  p = p * x + 5.000000000e-01;
  p = p * x + 1.000000000e+00;
  return x * p;
}

{{BINDINGS}}

@compute @workgroup_size({{WG}})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * {{WG}}u;
  if (i >= {{SIZE}}u) { return; }
  {{COORDS}}
  {{BODY}}
}
