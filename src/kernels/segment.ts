// Segment reductions (sum, max) over rows of an edge list, one invocation per output element, reading a
// CSR layout of the segment index made once per graph on the CPU (shaders/segment.wgsl says why).
import ieeePrelude from '../../shaders/ieee.wgsl';
import template from '../../shaders/segment.wgsl';
import { hashString } from './elementwise.js';
import type { AdapterCaps, KernelSpec } from './types.js';
import { WORKGROUP_SIZE, grid1D, specialise } from './wgsl.js';

export type SegmentReduce = 'sum' | 'max';

// max_nan (ieee.wgsl) propagates NaN as PyTorch's amax does; the first row of a segment starts the max
const ACCUMULATE: Record<SegmentReduce, string> = {
  sum: 'acc += v;',
  max: 'acc = select(max_nan(acc, v), v, k == lo);',
};

export interface SegmentGeometry {
  /** Rows of src (edges). */
  edges: number;
  /** Output rows (segments). */
  segments: number;
  /** Elements per row (features). */
  row: number;
  srcOffset: number;
  permOffset: number;
  offsetsOffset: number;
}

/** out [segments, row] = reduce of src's rows per segment; bindings [src, perm, offsets, out]. */
export function segmentReduceKernel(kind: SegmentReduce, g: SegmentGeometry, caps: AdapterCaps): KernelSpec {
  const size = g.segments * g.row;
  const body = specialise('segment', template, {
    WG: WORKGROUP_SIZE,
    SIZE: size,
    ROW: Math.max(g.row, 1),
    EDGES: Math.max(g.edges, 1),
    SRC_OFFSET: g.srcOffset,
    PERM_OFFSET: g.permOffset,
    OFFSETS_OFFSET: g.offsetsOffset,
    ACCUMULATE: ACCUMULATE[kind],
  });
  const code = kind === 'max' ? ieeePrelude + body : body;
  return {
    key: `segment_${kind}#${hashString(code)}`,
    code,
    bindings: ['read', 'read', 'read', 'read_write'],
    workgroups: grid1D(Math.ceil(size / WORKGROUP_SIZE), caps.maxComputeWorkgroupsPerDimension),
  };
}
