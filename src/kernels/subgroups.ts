// What the subgroup variants (matmul, attention) may assume about the adapter's subgroups: one helper,
// read from the adapter's reported range, never a hard-coded size.
import type { AdapterCaps } from './types.js';

/** Subgroup sizes the subgroup variants are written for (each of their workgroups is exactly one subgroup). */
export const SUBGROUP_SIZES = [4, 8, 16, 32, 64];

/**
 * The subgroup size when the adapter guarantees a single one, else undefined (the subgroup variants then do
 * not apply). With a range (e.g. 8..32) a one-subgroup workgroup of size `hi` may be split into smaller
 * subgroups, and subgroupShuffle across them would be wrong; so only a fixed size qualifies.
 */
export function fixedSubgroupSize(caps: AdapterCaps): number | undefined {
  if (!caps.features.has('subgroups')) return undefined;
  const { subgroupMinSize: lo, subgroupMaxSize: hi } = caps;
  if (lo === undefined || lo !== hi || !SUBGROUP_SIZES.includes(lo)) return undefined;
  return lo;
}
