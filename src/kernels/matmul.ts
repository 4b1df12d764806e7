// The matmul kernel family: out[batch..., M, N] = A[batch..., M, K] @ B[batch..., K, N], f32.
// Strides and offsets are folded into indexing, so transposes (backward passes) and broadcast batch
// dims need no copies. Each variant is one WGSL file; shaders/matmul_common.wgsl and one B loader are
// prepended to it. A pure function of its inputs: nothing here touches the device.
import { fixedSubgroupSize } from './subgroups.js';
import type { AdapterCaps, KernelSpec } from './types.js';
import { WORKGROUP_SIZE, grid1D, hoistEnables, kernelKey, packParams, specialise } from './wgsl.js';
import commonSrc from '../../shaders/matmul_common.wgsl';
import loadBScalarSrc from '../../shaders/matmul_load_b_scalar.wgsl';
import loadBVec4Src from '../../shaders/matmul_load_b_vec4.wgsl';
import naiveSrc from '../../shaders/matmul_naive.wgsl';
import tiledSrc from '../../shaders/matmul_tiled.wgsl';
import vec4Src from '../../shaders/matmul_vec4.wgsl';
import subgroupSrc from '../../shaders/matmul_subgroup.wgsl';
import { ValueError } from '../core/errors.js';

export interface MatmulParams {
  /** Output batch dims (length 0..3); their product is the number of matrices. */
  batchShape: number[];
  M: number;
  N: number;
  K: number;
  /** Element strides of A ([batch..., M, K]) and B ([batch..., K, N]) per batch dim; 0 broadcasts. */
  aBatchStrides: number[];
  bBatchStrides: number[];
  aOffset: number;
  bOffset: number;
  /** Strides along M and along K; one of them is 1 (a transpose is folded in). */
  aRowStride: number;
  aColStride: number;
  /** Strides along K and along N; one of them is 1. */
  bRowStride: number;
  bColStride: number;
  // The output is contiguous [batch..., M, N].
}

export type MatmulVariant = 'naive' | 'tiled' | 'vec4' | 'subgroup' | string;

/** How a variant tiles the output: rows x columns per workgroup, and its shader's specialisation. */
interface Geometry {
  tileM: number;
  tileN: number;
  template: string;
  values: Record<string, number>;
  /** Whether the shader reads B through loadB4 (and so may use the vec4 loader). */
  vecB: boolean;
}

interface VariantDef {
  name: MatmulVariant;
  description: string;
  supports(p: MatmulParams, caps: AdapterCaps): boolean;
  geometry(p: MatmulParams, caps: AdapterCaps): Geometry;
}

const VARIANTS: VariantDef[] = [
  {
    name: 'naive',
    description: `one output per invocation, ${WORKGROUP_SIZE} per workgroup, no reuse`,
    supports: () => true,
    geometry: () => ({ tileM: 1, tileN: WORKGROUP_SIZE, template: naiveSrc, values: { WG: WORKGROUP_SIZE }, vecB: false }),
  },
  {
    name: 'tiled',
    description: '16x16 workgroup, 16x16 shared-memory tiles of A and B, one output per invocation',
    supports: (_p, caps) => caps.maxComputeInvocationsPerWorkgroup >= 256 && caps.maxComputeWorkgroupStorageSize >= 2048,
    geometry: () => ({ tileM: 16, tileN: 16, template: tiledSrc, values: { T: 16 }, vecB: false }),
  },
  {
    name: 'vec4',
    description: '8x8 workgroup, 4x4 outputs per invocation (vec4 accumulators), shared tiles 32x16 / 16x32',
    supports: (_p, caps) => caps.maxComputeInvocationsPerWorkgroup >= 64 && caps.maxComputeWorkgroupStorageSize >= 4096,
    geometry: () => ({ tileM: 32, tileN: 32, template: vec4Src, values: { WX: 8, WY: 8, ROWS: 4, TK: 16 }, vecB: true }),
  },
  {
    name: 'subgroup',
    description: 'one subgroup per workgroup, up to 32x4 outputs per lane, vec4 loads of B, A shared by subgroupShuffle, no barriers',
    supports: (_p, caps) => fixedSubgroupSize(caps) !== undefined,
    geometry: (p, caps) => {
      const S = fixedSubgroupSize(caps)!;
      // Rows per lane: each B vec4 load feeds ROWS FMAs, so more is better until accumulators spill.
      // lavapipe: 32 best (10-12 GFLOP/s at 1024^3), 8 ~7, 64 or 32x8 spill (<2). On GPUs 128
      // accumulators would crowd the register file, so 8 there. Small M gets fewer (no wasted rows).
      const ROWS = Math.min(caps.isSoftware ? 32 : 8, Math.max(8, 2 ** Math.ceil(Math.log2(p.M))));
      return { tileM: ROWS, tileN: S * 4, template: subgroupSrc, values: { S, ROWS }, vecB: true };
    },
  },
];

export const MATMUL_VARIANTS: { name: MatmulVariant; description: string; supports(p: MatmulParams, caps: AdapterCaps): boolean }[] =
  VARIANTS.map(({ name, description, supports }) => ({ name, description, supports }));

/**
 * Default variant by adapter and shape. On CPU adapters the subgroup kernel won every measured shape
 * (LAVAPIPE.md and bench/); on GPUs register tiling with shared memory is the safe default.
 * Tiny problems go to the naive kernel: its workgroups are cheapest to launch.
 */
export function chooseMatmulVariant(p: MatmulParams, caps: AdapterCaps): MatmulVariant {
  const usable = (name: string) => VARIANTS.find((v) => v.name === name)!.supports(p, caps);
  if (p.M * p.N * p.K <= 4096) return 'naive';
  if (caps.isSoftware && usable('subgroup')) return 'subgroup';
  if (usable('vec4')) return 'vec4';
  return 'naive';
}

/** The uniform block; its layout is `struct Params` in shaders/matmul_common.wgsl. */
function packMatmulParams(p: MatmulParams, tilesM: number, tilesN: number, batchCount: number): ArrayBuffer {
  const pad = 3 - p.batchShape.length;
  const dims = [...Array(pad).fill(1), ...p.batchShape];
  const aS = [...Array(pad).fill(0), ...p.aBatchStrides];
  const bS = [...Array(pad).fill(0), ...p.bBatchStrides];
  const u = (x: number) => ({ u32: x });
  return packParams([
    p.M, p.N, p.K, batchCount,
    p.aOffset, p.bOffset, p.aRowStride, p.aColStride,
    p.bRowStride, p.bColStride, tilesM, tilesN,
    dims[0], dims[1], dims[2], 0,
    aS[0], aS[1], aS[2], 0,
    bS[0], bS[1], bS[2], 0,
  ].map(u));
}

/** True when every B row starts 16-byte aligned and is read whole vec4s at a time. */
function bIsVec4Aligned(p: MatmulParams): boolean {
  const m4 = (x: number) => x % 4 === 0;
  return p.bColStride === 1 && m4(p.N) && m4(p.bRowStride) && m4(p.bOffset) && p.bBatchStrides.every(m4);
}

function validate(p: MatmulParams): void {
  const dims = p.batchShape.length;
  if (dims > 3) throw new ValueError(`matmul: at most 3 batch dims are supported, got batchShape [${p.batchShape}]`);
  if (p.aBatchStrides.length !== dims || p.bBatchStrides.length !== dims)
    throw new ValueError(`matmul: batch strides [${p.aBatchStrides}] / [${p.bBatchStrides}] do not match batchShape [${p.batchShape}]`);
  for (const [name, v] of Object.entries({ M: p.M, N: p.N, K: p.K }))
    if (!Number.isInteger(v) || v < 1) throw new ValueError(`matmul: ${name} must be a positive integer, got ${v}`);
}

/** The kernel for one matmul; bindings [A read, B read, out read_write] + params uniform. */
export function matmulKernel(p: MatmulParams, caps: AdapterCaps, variant?: MatmulVariant): KernelSpec {
  validate(p);
  const name = variant ?? chooseMatmulVariant(p, caps);
  const def = VARIANTS.find((v) => v.name === name);
  if (!def) throw new ValueError(`matmul: unknown variant '${name}' (known: ${VARIANTS.map((v) => v.name).join(', ')})`);
  if (!def.supports(p, caps)) throw new ValueError(`matmul: variant '${name}' does not support this shape on ${caps.description}`);

  const g = def.geometry(p, caps);
  const vec4B = g.vecB && bIsVec4Aligned(p);
  const batchCount = p.batchShape.reduce((a, b) => a * b, 1);
  const tilesM = Math.ceil(p.M / g.tileM);
  const tilesN = Math.ceil(p.N / g.tileN);
  const groups = batchCount * tilesM * tilesN;
  if (groups > caps.maxComputeWorkgroupsPerDimension ** 2)
    throw new ValueError(`matmul: ${groups} workgroups (batch ${batchCount}, ${p.M}x${p.N}) exceed this adapter's 2-D grid`);
  const shader = `matmul_${name}`;
  const code = specialise(shader, [commonSrc, vec4B ? loadBVec4Src : loadBScalarSrc, g.template].join('\n'), g.values);
  return {
    key: kernelKey(shader, { ...g.values, vec4B }),
    code: hoistEnables(code),
    bindings: ['read', 'read', 'read_write'],
    params: packMatmulParams(p, tilesM, tilesN, batchCount),
    workgroups: grid1D(groups, caps.maxComputeWorkgroupsPerDimension),
  };
}
