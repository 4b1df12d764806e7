// Bindings and constants of the attention backward modules (attention_bwd.wgsl, attention_bwd_subgroup.wgsl).
// fwd is the forward output buffer (O, then LSE from LSE_BASE); dout is dO, read through its view.
// Output buffer: dQ [B,H,TQ,D], dK [B,H,TK,D] from DK_BASE, dV [B,H,TK,D] from DV_BASE, Δ [B,H,TQ] from
// DELTA_BASE, contiguous.
@group(0) @binding(3) var<storage, read> fwd: array<f32>;
@group(0) @binding(4) var<storage, read> dout: array<f32>;
@group(0) @binding(5) var<storage, read> mask: array<f32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;
@group(0) @binding(7) var<uniform> bounds: Bounds;

const DK_BASE = {{DK_BASE}}u;
const DV_BASE = {{DV_BASE}}u;
const DELTA_BASE = {{DELTA_BASE}}u;

fn do_at(b: u32, h: u32, t: u32, d: u32) -> u32 { return {{DO_INDEX}}; }
