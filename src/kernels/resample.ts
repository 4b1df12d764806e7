// The augmentation kernel of src/data/transforms.ts (shaders/affine_resample.wgsl): bilinear resampling
// through per-sample affine maps (random rotation / scale / translation). Not a pooling kernel.
import template from '../../shaders/affine_resample.wgsl';
import type { View } from '../graph/node.js';
import { hashString } from './elementwise.js';
import { offsetExpr } from './indexing.js';
import type { AdapterCaps, KernelSpec } from './types.js';
import { WORKGROUP_SIZE, grid1D, specialise } from './wgsl.js';

/** Bilinear resampling of x [N, C, H, W] through per-sample 2x3 maps (output pixel → input point); bindings [x, theta [N, 6], out]. */
export function affineResampleKernel(x: View, thetaOffset: number, caps: AdapterCaps): KernelSpec {
  const [N, C, H, W] = x.shape;
  const code = specialise('affine_resample', template, { WG: WORKGROUP_SIZE, N, C, H, W, X_INDEX: offsetExpr(x.strides, x.offset, 'x'), THETA_OFFSET: thetaOffset });
  return { key: `affineResample#${hashString(code)}`, code, bindings: ['read', 'read', 'read_write'], workgroups: grid1D(Math.ceil((N * C * H * W) / WORKGROUP_SIZE), caps.maxComputeWorkgroupsPerDimension) };
}
