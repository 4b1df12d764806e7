// The range check of an index computed on the GPU (argmax, a cast, arithmetic), prepended to the kernels
// that index with one (gather, the one-hot of crossEntropy). An index outside [0, limit) is recorded in
// words 0..3 of the plan's checks buffer — how many bad reads, then for the first one the reporting site,
// the value and the limit — which the executor reads back with the plan (graph/checks.ts). The caller
// writes a defined value (0) instead of reading out of range.
@group(0) @binding({{CHECKS_BINDING}}) var<storage, read_write> checks: array<atomic<u32>>;

fn index_ok(v: i32, limit: i32, site: u32) -> bool {
  if (v >= 0 && v < limit) { return true; }
  if (atomicAdd(&checks[0], 1u) == 0u) {
    atomicStore(&checks[1], site);
    atomicStore(&checks[2], bitcast<u32>(v));
    atomicStore(&checks[3], u32(limit));
  }
  return false;
}
