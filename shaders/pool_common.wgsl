// Prepended to pool.wgsl and pool_bwd.wgsl (src/kernels/pool.ts): the geometry of pooling over
// [N, C, H, W] to [N, C, OH, OW], window KH x KW, stride, padding, dilation (the adaptive mode uses only
// the sizes). Signed where window arithmetic can go below 0.
const N = {{N}}u; const C = {{C}}u; const H = {{H}}i; const W = {{W}}i; const OH = {{OH}}u; const OW = {{OW}}u;
const KH = {{KH}}u; const KW = {{KW}}u; const SH = {{SH}}i; const SW = {{SW}}i;
const PH = {{PH}}i; const PW = {{PW}}i; const DH = {{DH}}i; const DW = {{DW}}i;
const OUT = N * C * OH * OW;
