// Segment reductions over an edge list: out[s, f] = REDUCE over the rows e with index[e] == s of src[e, f].
// WGSL has no float atomics, so there is no scatter with atomicAdd: the caller sorts the edges by segment
// once per graph on the CPU (a CSR layout: `perm` holds the edge ids grouped by segment, in edge order
// within a segment, and `offsets[s] .. offsets[s + 1]` is segment s's run of `perm`), and each invocation
// owns one output element (s, f) and reads only its own segment's rows: no two invocations write the same
// word, and the sum is in a fixed order (deterministic run to run). A compare-exchange loop on the u32 bits
// would also work, but serialises hub nodes (a node of degree 10k: 10k retries) and sums in arrival order.
// Empty segments give 0 (torch_scatter's and PyTorch's scatter_reduce(include_self=False) fill value).
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read> perm: array<i32>;
@group(0) @binding(2) var<storage, read> offsets: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size({{WG}})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * {{WG}}u;
  if (i >= {{SIZE}}u) { return; }
  let s = i / {{ROW}}u;
  let f = i % {{ROW}}u;
  let lo = u32(offsets[{{OFFSETS_OFFSET}}u + s]);
  let hi = min(u32(offsets[{{OFFSETS_OFFSET}}u + s + 1u]), {{EDGES}}u);
  var acc = 0.0;
  for (var k = lo; k < hi; k++) {
    // perm is built on the CPU from range-checked indices; the test keeps a corrupted one inside src anyway
    let e = min(u32(perm[{{PERM_OFFSET}}u + k]), {{EDGES}}u - 1u);
    let v = src[{{SRC_OFFSET}}u + e * {{ROW}}u + f];
    {{ACCUMULATE}}
  }
  out[i] = acc;
}
