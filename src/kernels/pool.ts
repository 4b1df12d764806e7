// Pooling kernels (shaders/pool.wgsl forward, shaders/pool_bwd.wgsl backward, both behind
// shaders/pool_common.wgsl's geometry constants) over NCHW tensors.
import commonSrc from '../../shaders/pool_common.wgsl';
import forwardSrc from '../../shaders/pool.wgsl';
import backwardSrc from '../../shaders/pool_bwd.wgsl';
import type { View } from '../graph/node.js';
import { hashString } from './elementwise.js';
import { offsetExpr } from './indexing.js';
import type { AdapterCaps, KernelSpec } from './types.js';
import { WORKGROUP_SIZE, grid1D, specialise } from './wgsl.js';

export type PoolMode = 'maxPool2d' | 'avgPool2d' | 'adaptiveAvgPool2d';

export interface PoolGeometry {
  N: number; C: number; H: number; W: number; OH: number; OW: number;
  /** Window, stride, padding, dilation (unused by the adaptive mode). */
  KH: number; KW: number; SH: number; SW: number; PH: number; PW: number; DH: number; DW: number;
  /** avgPool2d: divide by KH*KW (true, PyTorch's default) or by the taps inside the input. */
  countIncludePad: boolean;
}

const forwardTemplate = [commonSrc, forwardSrc].join('\n');
const backwardTemplate = [commonSrc, backwardSrc].join('\n');

function values(g: PoolGeometry): Record<string, number | string> {
  const { N, C, H, W, OH, OW, KH, KW, SH, SW, PH, PW, DH, DW } = g;
  return { WG: WORKGROUP_SIZE, N, C, H, W, OH, OW, KH, KW, SH, SW, PH, PW, DH, DW, DIVISOR: g.countIncludePad ? 'f32(KH * KW)' : 'count' };
}

/** Forward; bindings [x, out]. maxPool2d's output is [2, N, C, OH, OW] (maxima, then their flat indices). */
export function poolForwardKernel(mode: PoolMode, g: PoolGeometry, x: View, caps: AdapterCaps): KernelSpec {
  const code = specialise('pool', forwardTemplate, { ...values(g), MODE: mode, X_INDEX: offsetExpr(x.strides, x.offset, 'x') });
  const size = g.N * g.C * g.OH * g.OW;
  return { key: `${mode}Forward#${hashString(code)}`, code, bindings: ['read', 'read_write'], workgroups: grid1D(Math.ceil(size / WORKGROUP_SIZE), caps.maxComputeWorkgroupsPerDimension) };
}

/** Backward; bindings [g (contiguous from gOffset), aux (max: the packed forward output from auxOffset), dx]. */
export function poolBackwardKernel(mode: PoolMode, g: PoolGeometry, gOffset: number, auxOffset: number, caps: AdapterCaps): KernelSpec {
  const code = specialise('pool_bwd', backwardTemplate, { ...values(g), MODE: mode, G_OFFSET: gOffset, AUX_OFFSET: auxOffset });
  const size = g.N * g.C * g.H * g.W;
  return { key: `${mode}Backward#${hashString(code)}`, code, bindings: ['read', 'read', 'read_write'], workgroups: grid1D(Math.ceil(size / WORKGROUP_SIZE), caps.maxComputeWorkgroupsPerDimension) };
}
