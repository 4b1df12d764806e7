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

{{BINDINGS}}

@compute @workgroup_size({{WG}})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * {{WG}}u;
  if (i >= {{SIZE}}u) { return; }
  {{COORDS}}
  {{BODY}}
}
