// Interpolation kernels (shaders/interpolate.wgsl forward, shaders/interpolate_bwd.wgsl backward, both
// behind shaders/interpolate_common.wgsl's geometry and taps) over NCHW tensors.
import commonSrc from '../../shaders/interpolate_common.wgsl';
import forwardSrc from '../../shaders/interpolate.wgsl';
import backwardSrc from '../../shaders/interpolate_bwd.wgsl';
import type { View } from '../graph/node.js';
import { hashString } from './elementwise.js';
import { offsetExpr } from './indexing.js';
import type { AdapterCaps, KernelSpec } from './types.js';
import { WORKGROUP_SIZE, grid1D, specialise } from './wgsl.js';

export type InterpolateMode = 'nearest' | 'bilinear';

export interface InterpolateGeometry {
  N: number; C: number; H: number; W: number; OH: number; OW: number;
  mode: InterpolateMode;
  /** bilinear only: corner pixels' centres map onto each other (PyTorch's align_corners). */
  alignCorners: boolean;
}

const forwardTemplate = [commonSrc, forwardSrc].join('\n');
const backwardTemplate = [commonSrc, backwardSrc].join('\n');

function values(g: InterpolateGeometry): Record<string, number | string> {
  const { N, C, H, W, OH, OW } = g;
  return { WG: WORKGROUP_SIZE, N, C, H, W, OH, OW, MODE: g.mode, ALIGN_CORNERS: String(g.alignCorners) };
}

/** No workgroups for an empty tensor (the planner then skips the dispatch). */
const launch = (size: number, caps: AdapterCaps): [number, number, number] => (size === 0 ? [0, 1, 1] : grid1D(Math.ceil(size / WORKGROUP_SIZE), caps.maxComputeWorkgroupsPerDimension));

/** Forward; bindings [x, out [N, C, OH, OW]]. */
export function interpolateForwardKernel(g: InterpolateGeometry, x: View, caps: AdapterCaps): KernelSpec {
  const code = specialise('interpolate', forwardTemplate, { ...values(g), X_INDEX: offsetExpr(x.strides, x.offset, 'x') });
  return { key: `${g.mode}InterpolateForward#${hashString(code)}`, code, bindings: ['read', 'read_write'], workgroups: launch(g.N * g.C * g.OH * g.OW, caps) };
}

/** Backward; bindings [g (contiguous from gOffset), dx [N, C, H, W]]. */
export function interpolateBackwardKernel(g: InterpolateGeometry, gOffset: number, caps: AdapterCaps): KernelSpec {
  const code = specialise('interpolate_bwd', backwardTemplate, { ...values(g), G_OFFSET: gOffset });
  return { key: `${g.mode}InterpolateBackward#${hashString(code)}`, code, bindings: ['read', 'read_write'], workgroups: launch(g.N * g.C * g.H * g.W, caps) };
}
