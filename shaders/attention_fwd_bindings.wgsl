// Bindings and constants of the attention forward modules (attention_fwd.wgsl, attention_fwd_subgroup.wgsl).
// Output buffer: O [B, H, TQ, D] (contiguous) followed by LSE [B, H, TQ] from LSE_BASE. A row with no
// visible key gets O = 0 and LSE = BIG. No infinities: masked scores are flagged with NEG, not -inf.
@group(0) @binding(3) var<storage, read> mask: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<uniform> bounds: Bounds;

const QTILES = {{QTILES}}u;
const NEG = -1.0e30;
const BIG = 1.0e30;
