// Fused optimizer updates, one invocation per parameter element, in place.
// The gradient may be a strided view (e.g. the transpose of a matmul result): its offset is baked in.
// Hyper-parameters are a uniform rewritten every step, so LR schedules do not rebuild the plan.
struct Hyper {
  lr: f32, beta1: f32, beta2: f32, eps: f32,
  weightDecay: f32, biasCorrection1: f32, biasCorrection2: f32, momentum: f32,
  dampening: f32, firstStep: f32, _pad0: f32, _pad1: f32,
}

@group(0) @binding(0) var<storage, read> grad: array<f32>;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
{{STATE_BINDINGS}}
@group(0) @binding({{HYPER_BINDING}}) var<uniform> h: Hyper;

@compute @workgroup_size({{WG}})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * {{WG}}u;
  if (i >= {{SIZE}}u) { return; }
  {{COORDS}}
  let g = grad[{{GRAD_OFFSET}}];
  var p = param[i];
  {{RULE}}
  param[i] = p;
}
