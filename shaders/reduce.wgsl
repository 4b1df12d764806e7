// Reduction over some axes: one workgroup per output element; each lane folds a strided share of the
// reduced elements, then a tree in workgroup memory combines the lanes. Arg-reductions carry the index.
@group(0) @binding(0) var<storage, read> x: array<{{IN_T}}>;
@group(0) @binding(1) var<storage, read_write> out: array<{{OUT_T}}>;

var<workgroup> vals: array<f32, {{WG}}>;
var<workgroup> idxs: array<u32, {{WG}}>;

struct Pair { v: f32, i: u32 }

// (f32_inf, is_nan, max_nan, min_nan: shaders/ieee.wgsl, prepended)

// combine (a, ia) with (b, ib); indices break ties toward the first occurrence
fn combine(a: f32, ia: u32, b: f32, ib: u32) -> Pair {
  {{COMBINE}}
}

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let o = wid.x + wid.y * nwg.x;
  if (o >= {{OUTPUTS}}u) { return; }
  {{OUTER_COORDS}}
  let base = {{OUTER_OFFSET}};
  var acc = {{INIT}};
  var accIdx = 0u;
  for (var r = lid.x; r < {{REDUCED}}u; r += {{WG}}u) {
    {{INNER_COORDS}}
    let c = combine(acc, accIdx, f32(x[base + {{INNER_OFFSET}}]), r);
    acc = c.v;
    accIdx = c.i;
  }
  vals[lid.x] = acc;
  idxs[lid.x] = accIdx;
  workgroupBarrier();
  for (var s = {{WG}}u / 2u; s > 0u; s = s / 2u) {
    if (lid.x < s) {
      let c = combine(vals[lid.x], idxs[lid.x], vals[lid.x + s], idxs[lid.x + s]);
      vals[lid.x] = c.v;
      idxs[lid.x] = c.i;
    }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    out[o] = {{RESULT}};
  }
}
