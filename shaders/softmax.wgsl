// Numerically stable softmax / log-softmax over the last axis of contiguous rows:
// one workgroup per row; max, then sum of exp(x - max), then the outputs.
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

var<workgroup> part: array<f32, {{WG}}>;

// infinities cannot be WGSL constants: read from a private var
var<private> INF_BITS: u32 = 0x7f800000u;

fn workgroup_max(v: f32, lane: u32) -> f32 {
  part[lane] = v;
  workgroupBarrier();
  for (var s = {{WG}}u / 2u; s > 0u; s = s / 2u) {
    if (lane < s) { part[lane] = max(part[lane], part[lane + s]); }
    workgroupBarrier();
  }
  let r = part[0];
  workgroupBarrier();
  return r;
}

fn workgroup_sum(v: f32, lane: u32) -> f32 {
  part[lane] = v;
  workgroupBarrier();
  for (var s = {{WG}}u / 2u; s > 0u; s = s / 2u) {
    if (lane < s) { part[lane] = part[lane] + part[lane + s]; }
    workgroupBarrier();
  }
  let r = part[0];
  workgroupBarrier();
  return r;
}

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= {{ROWS}}u) { return; }
  let base = {{OFFSET}}u + row * {{COLS}}u;
  let obase = row * {{COLS}}u;
  var m = -bitcast<f32>(INF_BITS);
  for (var c = lid.x; c < {{COLS}}u; c += {{WG}}u) { m = max(m, x[base + c]); }
  m = workgroup_max(m, lid.x);
  var s = 0.0;
  for (var c = lid.x; c < {{COLS}}u; c += {{WG}}u) { s += exp(x[base + c] - m); }
  s = workgroup_sum(s, lid.x);
  {{WRITE}}
}
