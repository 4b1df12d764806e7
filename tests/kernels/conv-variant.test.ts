// chooseConvVariant: by the column matrix's depth on software adapters (measured in kernels/conv.ts), and
// never im2col when the column matrix would not fit in one storage binding (a large evaluation batch).
import { expect, test } from 'vitest';
import { chooseConvVariant, type ConvGeometry } from '../../src/kernels/conv.js';
import type { AdapterCaps } from '../../src/kernels/types.js';

const geometry = (N: number, C: number, H: number): ConvGeometry => ({ N, C, H, W: H, O: 16, G: 1, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1, DH: 1, DW: 1, OH: H, OW: H });
const caps = (isSoftware: boolean) => ({ isSoftware, maxStorageBufferBindingSize: 128 * 2 ** 20 }) as AdapterCaps;

test('shallow columns implicit and deep ones im2col on software adapters; im2col on GPUs', () => {
  expect(chooseConvVariant(geometry(64, 16, 14), caps(true))).toBe('implicit'); // depth 144
  expect(chooseConvVariant(geometry(64, 32, 14), caps(true))).toBe('im2col'); // depth 288
  expect(chooseConvVariant(geometry(64, 16, 14), caps(false))).toBe('im2col');
});

test('a column matrix over the storage binding limit: implicit whatever the depth or adapter', () => {
  // 40·9 rows × 500·14·14 columns × 4 bytes = 141 MB > 128 MiB
  expect(chooseConvVariant(geometry(500, 40, 14), caps(true))).toBe('implicit');
  expect(chooseConvVariant(geometry(500, 40, 14), caps(false))).toBe('implicit');
  expect(chooseConvVariant(geometry(400, 40, 14), caps(false))).toBe('im2col'); // 113 MB fits
});
