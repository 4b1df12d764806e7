// int8 kernels: packing float rows into int8 (shaders/int8_pack.wgsl) and the int8 GEMM
// (shaders/int8_matmul.wgsl) in two variants: 'dot4' uses WGSL's dot4I8Packed (the language feature
// packed_4x8_integer_dot_product, read from the adapter: navigator.gpu.wgslLanguageFeatures), 'unpack'
// multiplies the four sign-extended bytes itself, for implementations without it. Pure: WGSL and specs.
import packSrc from '../../shaders/int8_pack.wgsl';
import matmulSrc from '../../shaders/int8_matmul.wgsl';
import { ValueError } from '../core/errors.js';
import type { AdapterCaps, KernelSpec } from './types.js';
import { WORKGROUP_SIZE, grid1D, kernelKey, packParams, specialise } from './wgsl.js';

export const PACKED_DOT_FEATURE = 'packed_4x8_integer_dot_product';
export type Int8MatmulVariant = 'dot4' | 'unpack';
export const INT8_MATMUL_VARIANTS: readonly Int8MatmulVariant[] = ['dot4', 'unpack'];

const DOT4: Record<Int8MatmulVariant, string> = {
  dot4: 'fn dot4(x: u32, y: u32) -> i32 { return dot4I8Packed(x, y); }',
  unpack: `fn dot4(x: u32, y: u32) -> i32 {
  let xs = bitcast<i32>(x);
  let ys = bitcast<i32>(y);
  var s = 0i;
  for (var b = 0u; b < 32u; b += 8u) { s += extractBits(xs, b, 8u) * extractBits(ys, b, 8u); }
  return s;
}`,
};

/** Whether the adapter's WGSL has dot4I8Packed. */
export const hasPackedDot = (caps: AdapterCaps): boolean => caps.wgslLanguageFeatures?.has(PACKED_DOT_FEATURE) ?? false;

/** 'dot4' where the language feature is there, else 'unpack'. */
export function chooseInt8MatmulVariant(caps: AdapterCaps): Int8MatmulVariant {
  return hasPackedDot(caps) ? 'dot4' : 'unpack';
}

/** Words of a packed row of k int8 values. */
export const packedWords = (k: number): number => Math.ceil(k / 4);

/** Packs x [rows, k] (contiguous float32) by per-row scales; bindings [x, scale, out]. */
export function int8PackKernel(rows: number, k: number, caps: AdapterCaps): KernelSpec {
  const k4 = packedWords(k);
  return {
    key: kernelKey('int8_pack', { WG: WORKGROUP_SIZE }),
    code: specialise('int8_pack', packSrc, { WG: WORKGROUP_SIZE }),
    bindings: ['read', 'read', 'read_write'],
    params: packParams([{ u32: rows }, { u32: k }, { u32: k4 }]),
    workgroups: grid1D(Math.ceil((rows * k4) / WORKGROUP_SIZE), caps.maxComputeWorkgroupsPerDimension),
  };
}

/** The int8 GEMM of packed a [m, k4] and w [n, k4]; bindings [a, w, aScale, wScale, out]. */
export function int8MatmulKernel(m: number, n: number, k4: number, caps: AdapterCaps, variant: Int8MatmulVariant = chooseInt8MatmulVariant(caps)): KernelSpec {
  if (!INT8_MATMUL_VARIANTS.includes(variant)) throw new ValueError(`int8Matmul: unknown variant '${variant}' (known: ${INT8_MATMUL_VARIANTS.join(', ')})`);
  if (variant === 'dot4' && !hasPackedDot(caps)) throw new ValueError(`int8Matmul: variant 'dot4' needs the WGSL language feature ${PACKED_DOT_FEATURE}, which ${caps.description} does not report`);
  return {
    key: kernelKey('int8_matmul', { WG: WORKGROUP_SIZE, variant }),
    code: specialise('int8_matmul', matmulSrc, { WG: WORKGROUP_SIZE, DOT4: DOT4[variant] }),
    bindings: ['read', 'read', 'read', 'read', 'read_write'],
    params: packParams([{ u32: m }, { u32: n }, { u32: k4 }]),
    workgroups: grid1D(Math.ceil((m * n) / WORKGROUP_SIZE), caps.maxComputeWorkgroupsPerDimension),
  };
}
