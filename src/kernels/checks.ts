// Checks that run inside a plan and are read back with it (graph/checks.ts): the range check of indices
// computed on the GPU (words 0..3 of a plan's checks buffer) and anomaly mode's NaN/Inf check of each
// step's output (one word per checked buffer after those). Pure: WGSL and specs, no device access.
import indexCheckTemplate from '../../shaders/index_check.wgsl';
import finiteCheckTemplate from '../../shaders/finite_check.wgsl';
import type { AdapterCaps, KernelSpec } from './types.js';
import { WORKGROUP_SIZE, grid1D, packParams, specialise } from './wgsl.js';

/** Words of the index check at the start of a checks buffer: [bad reads, site, value, limit]. */
export const INDEX_CHECK_WORDS = 4;

// What a site reports ('crossEntropy: label', 'gather: index'): a small number baked into the kernel,
// the same number for the same words, so plans and pipelines stay cached.
const siteNames: string[] = [];
const siteIds = new Map<string, number>();

/** The id of the reporting site `what` (its first words in the error: "crossEntropy: label 10 ... is outside"). */
export function indexSite(what: string): number {
  let id = siteIds.get(what);
  if (id === undefined) siteIds.set(what, (id = siteNames.push(what) - 1));
  return id;
}

export function indexSiteName(id: number): string {
  return siteNames[id] ?? `index check #${id}`;
}

/**
 * WGSL: is the i32 expression `v` in [0, limit)? With a site, a bad one is also recorded (the kernel then
 * binds the checks buffer: `indexCheckPrelude`); without (indices checked on the CPU already), it is only tested.
 */
export function indexInRange(v: string, limit: number, site: number | null): string {
  return site === null ? `(${v} >= 0 && ${v} < ${limit})` : `index_ok(${v}, ${limit}, ${site}u)`;
}

/** True when generated code records bad indices (and so binds the checks buffer). */
export function usesIndexCheck(code: string): boolean {
  return code.includes('index_ok(');
}

/** The checks binding and `index_ok`, for a kernel whose checks buffer is binding `binding`. */
export function indexCheckPrelude(binding: number): string {
  return specialise('index_check', indexCheckTemplate, { CHECKS_BINDING: binding });
}

/** Anomaly mode: flags NaN (bit 1) and ±Inf (bit 2) among `size` floats in word `word`; bindings [x, checks]. */
export function finiteCheckKernel(size: number, word: number, caps: AdapterCaps): KernelSpec {
  const code = specialise('finite_check', finiteCheckTemplate, { WG: WORKGROUP_SIZE });
  return {
    key: 'finite_check',
    code,
    bindings: ['read', 'read_write'],
    params: packParams([{ u32: size }, { u32: word }]),
    workgroups: grid1D(Math.ceil(size / WORKGROUP_SIZE), caps.maxComputeWorkgroupsPerDimension),
  };
}
