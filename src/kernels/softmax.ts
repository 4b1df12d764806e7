import template from '../../shaders/softmax.wgsl';
import { hashString } from './elementwise.js';
import type { AdapterCaps, KernelSpec } from './types.js';
import { grid1D, reductionLanes, specialise } from './wgsl.js';

const WRITE = {
  softmax: 'let inv = 1.0 / s;\n  for (var c = lid.x; c < {{COLS}}u; c += {{WG}}u) { out[obase + c] = exp(x[base + c] - m) * inv; }',
  logSoftmax: 'let lse = m + log(s);\n  for (var c = lid.x; c < {{COLS}}u; c += {{WG}}u) { out[obase + c] = x[base + c] - lse; }',
};

/** Softmax or log-softmax of `rows` contiguous rows of `cols` starting at element `offset`. Bindings [x, out]. */
export function softmaxKernel(kind: 'softmax' | 'logSoftmax', rows: number, cols: number, offset: number, caps: AdapterCaps): KernelSpec {
  // one workgroup per row; its lanes cover the row (a power of two for the max and sum trees)
  const wg = reductionLanes(cols);
  const code = specialise('softmax', template.replace('{{WRITE}}', WRITE[kind]), { WG: wg, ROWS: rows, COLS: cols, OFFSET: offset });
  return { key: `${kind}#${hashString(code)}`, code, bindings: ['read', 'read_write'], workgroups: grid1D(rows, caps.maxComputeWorkgroupsPerDimension) };
}
