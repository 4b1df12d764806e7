// Reduction kernels: sum / max / min and argmax / argmin over any axes of a strided view.
import ieee from '../../shaders/ieee.wgsl';
import template from '../../shaders/reduce.wgsl';
import type { View } from '../graph/node.js';
import { hashString } from './elementwise.js';
import { coordsFromIndex, offsetExpr, wgslType } from './indexing.js';
import type { AdapterCaps, KernelSpec } from './types.js';
import { grid1D, reductionLanes, specialise } from './wgsl.js';
import { numel } from '../core/shape.js';

export type ReduceOp = 'sum' | 'max' | 'min' | 'argmax' | 'argmin';

// a NaN wins over any number, and the earlier of two NaNs wins
const ARG_NAN = 'if (is_nan(a) || is_nan(b)) {\n    if (is_nan(a) && (!is_nan(b) || ia < ib)) { return Pair(a, ia); }\n    return Pair(b, ib);\n  }\n  ';

const COMBINE: Record<ReduceOp, { init: string; combine: string; result: string }> = {
  sum: { init: '0.0', combine: 'return Pair(a + b, 0u);', result: 'vals[0]' },
  // NaN propagates (PyTorch): max/min of anything with a NaN is NaN; argmax/argmin point at the first NaN
  max: { init: '-f32_inf()', combine: 'return Pair(max_nan(a, b), 0u);', result: 'vals[0]' },
  min: { init: 'f32_inf()', combine: 'return Pair(min_nan(a, b), 0u);', result: 'vals[0]' },
  argmax: {
    init: '-f32_inf()',
    combine: ARG_NAN + 'if (b > a || (b == a && ib < ia)) { return Pair(b, ib); }\n  return Pair(a, ia);',
    result: 'i32(idxs[0])',
  },
  argmin: {
    init: 'f32_inf()',
    combine: ARG_NAN + 'if (b < a || (b == a && ib < ia)) { return Pair(b, ib); }\n  return Pair(a, ia);',
    result: 'i32(idxs[0])',
  },
};

/** Reduces `x` over `axes`; output is contiguous over the kept axes. Bindings [x, out]. */
export function reduceKernel(op: ReduceOp, x: View, inDtype: 'float32' | 'int32', axes: number[], caps: AdapterCaps): KernelSpec {
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const keptShape = kept.map((i) => x.shape[i]);
  const redShape = axes.map((i) => x.shape[i]);
  const outputs = numel(keptShape);
  const reduced = numel(redShape);
  // one workgroup per output; its lanes cover the reduced length (a power of two for the tree)
  const wg = reductionLanes(reduced);
  const c = COMBINE[op];
  const code = ieee + specialise('reduce', template, {
    IN_T: wgslType(inDtype),
    OUT_T: op.startsWith('arg') ? 'i32' : 'f32',
    WG: wg,
    COMBINE: c.combine,
    OUTPUTS: outputs,
    OUTER_COORDS: coordsFromIndex('o', keptShape, 'k'),
    OUTER_OFFSET: offsetExpr(kept.map((i) => x.strides[i]), x.offset, 'k'),
    INIT: c.init,
    REDUCED: reduced,
    INNER_COORDS: coordsFromIndex('r', redShape, 'q'),
    INNER_OFFSET: offsetExpr(axes.map((i) => x.strides[i]), 0, 'q'),
    RESULT: c.result,
  });
  return { key: `reduce_${op}#${hashString(code)}`, code, bindings: ['read', 'read_write'], workgroups: grid1D(outputs, caps.maxComputeWorkgroupsPerDimension) };
}
