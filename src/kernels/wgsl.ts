// Tiny WGSL specialisation: `{{NAME}}` placeholders replaced by values. Throws if any placeholder is left.
// Also the few values and helpers every kernel builder shares: the 1-D workgroup size, f32 literals,
// `enable` hoisting for shaders assembled from several files.
import { InternalError } from '../core/errors.js';

/**
 * Invocations per workgroup of every 1-D, one-invocation-per-element launch (elementwise, copy, gather,
 * optimizer, conv im2col/implicit, pooling, resampling, the naive matmul's row), and the cap on the lanes
 * of the row-reduction trees (reduce, softmax). Why 64: it is well inside what WebGPU guarantees on every
 * adapter (256 invocations per workgroup and in x), it is a whole number of subgroups for every common
 * subgroup/wavefront width (8, 16, 32, 64), so no subgroup runs part-empty, and it keeps the idle tail of
 * the last workgroup small for the many small tensors of a training step. Shaders receive it as `{{WG}}`,
 * so a launch and its shader cannot disagree.
 */
export const WORKGROUP_SIZE = 64;

/** Lanes of a tree reduction over `n` values: the smallest power of two ≥ n, at most WORKGROUP_SIZE. */
export function reductionLanes(n: number): number {
  let lanes = 1;
  while (lanes < n && lanes < WORKGROUP_SIZE) lanes *= 2;
  return lanes;
}

/** A JS number as a WGSL f32 literal (NaN and infinities through the f32_nan / f32_inf helpers of elementwise.wgsl). */
export function f32Literal(v: number): string {
  if (Number.isNaN(v)) return 'f32_nan()';
  if (v === Infinity) return 'f32_inf()';
  if (v === -Infinity) return '(-f32_inf())';
  const s = String(Math.fround(v));
  return `f32(${/[.e]/.test(s) ? s : `${s}.0`})`;
}

/** `enable` directives must come first in a WGSL module: moves them (deduplicated) to the top of assembled code. */
export function hoistEnables(code: string): string {
  const enables = code.match(/^enable [\w, ]+;$/gm) ?? [];
  return [...new Set(enables), code.replace(/^enable [\w, ]+;$/gm, '')].join('\n');
}

/** Replaces every `{{NAME}}` of `template` by `values[NAME]`; throws naming the shader if a value is missing. */
export function specialise(shaderName: string, template: string, values: Record<string, string | number>): string {
  const code = template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    if (!(name in values)) throw new InternalError(`shader ${shaderName}: no value for placeholder ${whole}`);
    return String(values[name]);
  });
  if (code.includes('{{')) throw new InternalError(`shader ${shaderName}: unreplaced placeholder left after specialisation`);
  return code;
}

/** Cache key: shader name + sorted specialisation values. */
export function kernelKey(shaderName: string, values: Record<string, string | number | boolean>): string {
  const parts = Object.keys(values).sort().map((k) => `${k}=${values[k]}`);
  return `${shaderName}(${parts.join(',')})`;
}

/**
 * Splits a 1-D launch of `groups` workgroups into x*y so that neither exceeds the per-dimension limit.
 * Shaders recover the linear workgroup id as `wid.x + wid.y * nwg.x` (from @builtin(num_workgroups)).
 */
export function grid1D(groups: number, maxPerDim: number): [number, number, number] {
  if (groups <= maxPerDim) return [Math.max(groups, 1), 1, 1];
  const y = Math.ceil(groups / maxPerDim);
  return [Math.ceil(groups / y), y, 1];
}

/** Packs uniform values (u32 / i32 / f32 by tag) into a 16-byte-aligned buffer. */
export function packParams(values: Array<{ u32: number } | { i32: number } | { f32: number }>): ArrayBuffer {
  const buf = new ArrayBuffer(Math.max(16, Math.ceil((values.length * 4) / 16) * 16));
  const view = new DataView(buf);
  values.forEach((v, i) => {
    if ('u32' in v) view.setUint32(i * 4, v.u32, true);
    else if ('i32' in v) view.setInt32(i * 4, v.i32, true);
    else view.setFloat32(i * 4, v.f32, true);
  });
  return buf;
}
