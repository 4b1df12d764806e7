// The convolution kernel family (NCHW, f32): im2col / col2im (shaders/conv_im2col.wgsl) feeding the
// tiled matmul of src/kernels/matmul.ts, and an implicit-GEMM kernel (shaders/conv_implicit.wgsl) that
// never stores the column matrix. Pure functions from a geometry to a KernelSpec; no device access.
import im2colTemplate from '../../shaders/conv_im2col.wgsl';
import implicitTemplate from '../../shaders/conv_implicit.wgsl';
import type { View } from '../graph/node.js';
import { hashString } from './elementwise.js';
import { offsetExpr } from './indexing.js';
import type { AdapterCaps, KernelSpec } from './types.js';
import { WORKGROUP_SIZE, grid1D, specialise } from './wgsl.js';

/** A 2-D convolution's geometry: input [N, C, H, W], weight [O, C/G, KH, KW], output [N, O, OH, OW]. */
export interface ConvGeometry {
  N: number; C: number; H: number; W: number;
  O: number; G: number;
  KH: number; KW: number;
  SH: number; SW: number;
  PH: number; PW: number;
  DH: number; DW: number;
  OH: number; OW: number;
}

export type ConvVariant = 'im2col' | 'implicit';
export const CONV_VARIANTS: { name: ConvVariant; description: string }[] = [
  { name: 'im2col', description: 'column matrix [G, C/G*KH*KW, N*OH*OW] in memory, then the tiled matmul (matmulKernel)' },
  { name: 'implicit', description: 'implicit GEMM: up to 8 output channels x 4 pixels per invocation, taps read straight from x' },
];

// The output-size formula lives in core/shape.ts; re-exported only until ops/conv.ts imports it from there.


/** [G, C/G * KH * KW, N * OH * OW]: the column matrix of `g`. */
export const colsShape = (g: ConvGeometry): number[] => [g.G, (g.C / g.G) * g.KH * g.KW, g.N * g.OH * g.OW];

function geometryValues(g: ConvGeometry): Record<string, number> {
  const { N, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW } = g;
  return { N, C, H, W, CG: C / g.G, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW };
}

/** The column matrix of x (read through `x`'s view); bindings [x, cols]. */
export function im2colKernel(g: ConvGeometry, x: View, caps: AdapterCaps): KernelSpec {
  const size = colsShape(g).reduce((a, b) => a * b, 1);
  const code = specialise('conv_im2col', im2colTemplate, {
    ...geometryValues(g), WG: WORKGROUP_SIZE, SIZE: size, DIRECTION: 'im2col', X_INDEX: offsetExpr(x.strides, x.offset, 'x'), COLS_OFFSET: 0,
  });
  return { key: `conv2dIm2col#${hashString(code)}`, code, bindings: ['read', 'read_write'], workgroups: grid1D(Math.ceil(size / WORKGROUP_SIZE), caps.maxComputeWorkgroupsPerDimension) };
}

/** The adjoint of im2col: sums a contiguous column matrix (from element `colsOffset`) back onto [N, C, H, W]. */
export function col2imKernel(g: ConvGeometry, colsOffset: number, caps: AdapterCaps): KernelSpec {
  const size = g.N * g.C * g.H * g.W;
  const code = specialise('conv_im2col', im2colTemplate, {
    ...geometryValues(g), WG: WORKGROUP_SIZE, SIZE: size, DIRECTION: 'col2im', X_INDEX: '0u', COLS_OFFSET: colsOffset,
  });
  return { key: `conv2dCol2im#${hashString(code)}`, code, bindings: ['read', 'read_write'], workgroups: grid1D(Math.ceil(size / WORKGROUP_SIZE), caps.maxComputeWorkgroupsPerDimension) };
}

const OT = 8;
const PT = 4;

/** Implicit-GEMM convolution without bias; bindings [x (any view), w (contiguous from wOffset), y [N, O, OH, OW]]. */
export function convImplicitKernel(g: ConvGeometry, x: View, wOffset: number, caps: AdapterCaps): KernelSpec {
  const OG = g.O / g.G;
  const ot = Math.min(OT, OG);
  const threads = Math.ceil((g.N * g.OH * g.OW) / PT) * Math.ceil(OG / ot) * g.G;
  const code = specialise('conv_implicit', implicitTemplate, {
    ...geometryValues(g), WG: WORKGROUP_SIZE, G: g.G, O: g.O, OG, OT: ot, PT,
    X_INDEX: offsetExpr(x.strides, x.offset, 'x'), XS_C: x.strides[1], XS_H: x.strides[2], XS_W: x.strides[3], W_OFFSET: wOffset,
  });
  return { key: `conv2dImplicitGemm#${hashString(code)}`, code, bindings: ['read', 'read', 'read_write'], workgroups: grid1D(Math.ceil(threads / WORKGROUP_SIZE), caps.maxComputeWorkgroupsPerDimension) };
}

/** Up to this column-matrix depth ((C/G)*KH*KW) the implicit kernel wins on CPU adapters (see below). */
export const IMPLICIT_MAX_DEPTH = 160;

/**
 * Default forward variant by shape class, from bench/families/conv.ts on lavapipe (2026-11-25, medians of
 * alternating rounds, 15 rounds, shared 2-core machine at load ~9, GFLOP/s im2col vs implicit):
 * shallow column matrices favour the implicit kernel (LeNet 1→6 5x5, depth 25: 0.66 vs 1.85; ResNet 16→16
 * 3x3, depth 144: 2.30 vs 2.97; LeNet 6→16 5x5, depth 150: 2.03 vs 2.27, im2col ahead in 1 of 3 runs),
 * deeper ones im2col + the tiled matmul (ResNet 32→32 3x3, depth 288: 3.82 vs 2.94; 32→64 stride 2: 4.75
 * vs 3.27; VGG-like 64→64 3x3, depth 576: 6.74 vs 3.48). No GPU measurements yet: GPUs get im2col.
 */
export function chooseConvVariant(g: ConvGeometry, caps: AdapterCaps): ConvVariant {
  const depth = (g.C / g.G) * g.KH * g.KW;
  // a column matrix larger than one storage binding cannot exist (a big evaluation batch): the implicit
  // kernel needs none
  const colsBytes = 4 * colsShape(g).reduce((a, b) => a * b, 1);
  if (colsBytes > caps.maxStorageBufferBindingSize) return 'implicit';
  return caps.isSoftware && depth <= IMPLICIT_MAX_DEPTH ? 'implicit' : 'im2col';
}
