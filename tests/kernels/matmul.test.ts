// Every matmul variant x awkward shapes (and strides, offsets, broadcasts, split grids) vs a float64 reference.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dawnGPU } from '../../src/node/gpu.js';
import { destroyRuntime, initRuntime, type Runtime } from '../../src/runtime/runtime.js';
import { MATMUL_VARIANTS, chooseMatmulVariant, matmulKernel, type MatmulParams } from '../../src/kernels/matmul.js';
import type { AdapterCaps } from '../../src/kernels/types.js';
import { contiguousMatmul, matmulReference, operandLengths, worstError } from '../../src/kernels/matmul_reference.js';
import { runKernel } from '../helpers/run-kernel.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await initRuntime({ gpu: dawnGPU() });
});
afterAll(() => destroyRuntime());

/** Deterministic values in [-1, 1) (a tiny LCG: the test must not depend on other modules' RNGs). */
function randomArray(n: number, seed: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

const cases: Array<[string, MatmulParams]> = [
  ['1x1x1', contiguousMatmul([], 1, 1, 1)],
  ['primes 7x13x5', contiguousMatmul([], 7, 13, 5)],
  ['non-multiples 33x65x17', contiguousMatmul([], 33, 65, 17)],
  ['aligned 64x64x64 (vec4 B loads)', contiguousMatmul([], 64, 64, 64)],
  ['N=1 column 37x1x19', contiguousMatmul([], 37, 1, 19)],
  ['M=1 row 1x36x40', contiguousMatmul([], 1, 36, 40)],
  ['large K 3x8x3001', contiguousMatmul([], 3, 8, 3001)],
  ['batch [2,3] 9x12x10', contiguousMatmul([2, 3], 9, 12, 10)],
  ['batch [2,1,3] B broadcast 5x8x7', contiguousMatmul([2, 1, 3], 5, 8, 7, { broadcastB: true })],
  ['transposed A 19x24x11', contiguousMatmul([], 19, 24, 11, { transA: true })],
  ['transposed B 19x24x11', contiguousMatmul([], 19, 24, 11, { transB: true })],
  ['both transposed, batch [3] 10x9x21', contiguousMatmul([3], 10, 9, 21, { transA: true, transB: true })],
  ['offsets, aligned B 17x20x9', contiguousMatmul([], 17, 20, 9, { aOffset: 5, bOffset: 8 })],
  ['offsets, unaligned B 17x20x9', contiguousMatmul([], 17, 20, 9, { aOffset: 3, bOffset: 3 })],
  // A broadcast over the batch, B padded rows (row stride 12 > N = 8), and a batch stride of its own
  ['A broadcast, padded B rows', { ...contiguousMatmul([4], 6, 8, 5), aBatchStrides: [0], bRowStride: 12, bBatchStrides: [64] }],
  ['MLP backward dW 784x64x256 slice 40x24x64', contiguousMatmul([], 40, 24, 64, { transA: true })],
];

async function check(p: MatmulParams, variant: string, caps: AdapterCaps): Promise<void> {
  const len = operandLengths(p);
  const a = randomArray(len.a, 7 + p.M);
  const b = randomArray(len.b, 11 + p.N);
  const spec = matmulKernel(p, caps, variant);
  const outLength = p.batchShape.reduce((x, y) => x * y, 1) * p.M * p.N;
  const got = await runKernel(rt, spec, [a, b], outLength);
  const want = matmulReference(p, a, b);
  const { ratio, index } = worstError(got, want, p.K);
  expect(ratio, `${spec.key}: out[${index}] = ${got[index]}, want ${want.out[index]}`).toBeLessThanOrEqual(1);
}

describe('matmul variants vs float64 reference', () => {
  for (const v of MATMUL_VARIANTS) {
    describe(v.name, () => {
      // A variant the adapter cannot run for a shape is reported as skipped with the reason, never passed.
      test.for(cases)('%s', async ([, p], ctx) => {
        if (!v.supports(p, rt.caps)) ctx.skip(`${v.name} does not support this shape on ${rt.caps.description}`);
        await check(p, v.name, rt.caps);
      });

      // A tiny per-dimension limit forces the 2-D grid split (and overshoot) on small problems.
      test('workgroup grid split over 2-D (limit 16 per dimension)', async (ctx) => {
        const p = contiguousMatmul([3], 41, 70, 13);
        if (!v.supports(p, rt.caps)) ctx.skip(`${v.name} does not support this shape on ${rt.caps.description}`);
        const caps = { ...rt.caps, maxComputeWorkgroupsPerDimension: 16 };
        const spec = matmulKernel(p, caps, v.name);
        expect(spec.workgroups[1]).toBeGreaterThan(1);
        expect(Math.max(...spec.workgroups)).toBeLessThanOrEqual(16);
        await check(p, v.name, caps);
      });
    });
  }

  test('more than 65,535 workgroups on the real limit (naive, 70001x3x2)', async () => {
    const p = contiguousMatmul([], 70001, 3, 2);
    expect(matmulKernel(p, rt.caps, 'naive').workgroups[1]).toBeGreaterThan(1);
    await check(p, 'naive', rt.caps);
  });
});

describe('chooseMatmulVariant', () => {
  test('picks a supported variant for every case', () => {
    for (const [, p] of cases) {
      const name = chooseMatmulVariant(p, rt.caps);
      expect(MATMUL_VARIANTS.find((v) => v.name === name)!.supports(p, rt.caps)).toBe(true);
    }
  });

  test('falls back when subgroups are missing or of variable size', () => {
    const p = contiguousMatmul([], 256, 256, 256);
    const noSubgroups = { ...rt.caps, features: new Set<string>(), isSoftware: true };
    const varying = { ...rt.caps, features: new Set(['subgroups']), subgroupMinSize: 8, subgroupMaxSize: 32, isSoftware: true };
    const fixed8 = { ...rt.caps, features: new Set(['subgroups']), subgroupMinSize: 8, subgroupMaxSize: 8, isSoftware: true };
    expect(chooseMatmulVariant(p, fixed8)).toBe('subgroup');
    expect(chooseMatmulVariant(p, { ...fixed8, isSoftware: false })).toBe('vec4');
    expect(chooseMatmulVariant(contiguousMatmul([], 4, 4, 4), fixed8)).toBe('naive');
    expect(chooseMatmulVariant(p, noSubgroups)).not.toBe('subgroup');
    expect(chooseMatmulVariant(p, varying)).not.toBe('subgroup');
    expect(() => matmulKernel(p, varying, 'subgroup')).toThrow(/does not support/);
  });

  test('rejects bad params with a message naming them', () => {
    expect(() => matmulKernel({ ...contiguousMatmul([], 2, 2, 2), K: 0 }, rt.caps)).toThrow(/K must be a positive integer/);
    expect(() => matmulKernel(contiguousMatmul([], 2, 2, 2), rt.caps, 'nope')).toThrow(/unknown variant 'nope'/);
  });
});
