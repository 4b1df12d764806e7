// Kernels that move data without arithmetic: strided region copy and row gather.
import copyTemplate from '../../shaders/copy_region.wgsl';
import gatherTemplate from '../../shaders/gather.wgsl';
import type { View } from '../graph/node.js';
import { coordsFromIndex, offsetExpr, wgslType } from './indexing.js';
import type { AdapterCaps, KernelSpec } from './types.js';
import { WORKGROUP_SIZE, grid1D, specialise } from './wgsl.js';
import { hashString } from './elementwise.js';
import { numel } from '../core/shape.js';
import { indexCheckPrelude, indexInRange } from './checks.js';

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

/**
 * out[i, :] = table[idx[i], :] for a contiguous table of `rows` rows of `rowSize`; bindings [table, indices, out],
 * and the plan's checks buffer when `site` is given (indices computed on the GPU: a bad one is recorded).
 */
export function gatherRowsKernel(count: number, rows: number, rowSize: number, tableOffset: number, idxOffset: number, site: number | null, caps: AdapterCaps): KernelSpec {
  const size = count * rowSize;
  const body = specialise('gather', gatherTemplate, {
    WG: WORKGROUP_SIZE, SIZE: size, ROW: Math.max(rowSize, 1), TABLE_OFFSET: tableOffset, IDX_OFFSET: idxOffset, IN_RANGE: indexInRange('r', rows, site),
  });
  const code = site === null ? body : indexCheckPrelude(3) + body;
  const bindings = site === null ? (['read', 'read', 'read_write'] as const) : (['read', 'read', 'read_write', 'read_write'] as const);
  return { key: `gather#${hashString(code)}`, code, bindings: [...bindings], workgroups: grid1D(Math.ceil(size / WORKGROUP_SIZE), caps.maxComputeWorkgroupsPerDimension) };
}
