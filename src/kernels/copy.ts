// Kernels that move data without arithmetic: strided region copy and row gather.
import copyTemplate from '../../shaders/copy_region.wgsl';
import gatherTemplate from '../../shaders/gather.wgsl';
import type { View } from '../graph/node.js';
import { coordsFromIndex, offsetExpr, wgslType } from './indexing.js';
import type { AdapterCaps, KernelSpec } from './types.js';
import { WORKGROUP_SIZE, grid1D, specialise } from './wgsl.js';
import { hashString } from './elementwise.js';
import { numel } from '../core/shape.js';

/** Copies `src` (a view) into the output at `dstStrides`/`dstOffset`; bindings [src, dst]. */
export function copyRegionKernel(src: View, dstStrides: number[], dstOffset: number, dtype: 'float32' | 'int32', caps: AdapterCaps): KernelSpec {
  const size = numel(src.shape);
  const code = specialise('copy_region', copyTemplate, {
    WG: WORKGROUP_SIZE,
    T: wgslType(dtype),
    SIZE: size,
    COORDS: coordsFromIndex('i', src.shape),
    DST_OFFSET: offsetExpr(dstStrides, dstOffset),
    SRC_OFFSET: offsetExpr(src.strides, src.offset),
  });
  return { key: `copy_region#${hashString(code)}`, code, bindings: ['read', 'read_write'], workgroups: grid1D(Math.ceil(size / WORKGROUP_SIZE), caps.maxComputeWorkgroupsPerDimension) };
}

/** out[i, :] = table[idx[i], :] for a contiguous table of `rows` rows of `rowSize`; bindings [table, indices, out]. */
export function gatherRowsKernel(count: number, rows: number, rowSize: number, tableOffset: number, idxOffset: number, caps: AdapterCaps): KernelSpec {
  const size = count * rowSize;
  const code = specialise('gather', gatherTemplate, { WG: WORKGROUP_SIZE, SIZE: size, ROW: Math.max(rowSize, 1), ROWS: rows, TABLE_OFFSET: tableOffset, IDX_OFFSET: idxOffset });
  return { key: `gather#${hashString(code)}`, code, bindings: ['read', 'read', 'read_write'], workgroups: grid1D(Math.ceil(size / WORKGROUP_SIZE), caps.maxComputeWorkgroupsPerDimension) };
}
