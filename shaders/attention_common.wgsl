// Prepended to all four attention modules (attention_fwd, attention_fwd_subgroup, attention_bwd,
// attention_bwd_subgroup; src/kernels/attention.ts assembles them): the problem's constants, the index
// of element (b, h, t, d) of each strided 4-D view and of the key-padding mask, and the key test.
// q, k, v are bindings 0..2 of both directions; the rest are declared by attention_fwd_bindings.wgsl or
// attention_bwd_bindings.wgsl.
@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;

const D = {{D}}u;
const H = {{H}}u;
const TQ = {{TQ}}u;
const TK = {{TK}}u;
const GROUPS = {{GROUPS}}u;
const SCALE = {{SCALE}};
const CAUSAL = {{CAUSAL}};
const HAS_MASK = {{HAS_MASK}};
const LSE_BASE = {{LSE_BASE}}u;

// D and the tile length again, as uniforms: loops bounded by them are not fully unrolled (lavapipe's LLVM
// took seconds to compile the unrolled loops for small head sizes). The subgroup variants read only d.
struct Bounds { d: u32, tile: u32 }

fn q_at(b: u32, h: u32, t: u32, d: u32) -> u32 { return {{Q_INDEX}}; }
fn k_at(b: u32, h: u32, t: u32, d: u32) -> u32 { return {{K_INDEX}}; }
fn v_at(b: u32, h: u32, t: u32, d: u32) -> u32 { return {{V_INDEX}}; }
fn mask_at(b: u32, t: u32) -> u32 { return {{MASK_INDEX}}; }

/** Whether key j of batch b takes part: inside the sequence and (with a mask) not masked out. */
fn key_kept(b: u32, j: u32) -> bool {
  if (j >= TK) { return false; }
  if (HAS_MASK) { return mask[mask_at(b, j)] != 0.0; }
  return true;
}
