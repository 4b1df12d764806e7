// Peak micro-benchmarks, run before the suite: copy bandwidth (vec4 copy, GB/s) and FMA throughput
// (independent scalar fma chains, GFLOP/s). Every result row is also shown as a % of these, and of a
// vendor peak when the adapter is a known device (KNOWN_PEAKS, the one place such numbers live).
import copyTemplate from './peak-copy.wgsl';
import fmaTemplate from './peak-fma.wgsl';
import type { KernelSpec } from '../src/kernels/types.js';
import { grid1D, specialise } from '../src/kernels/wgsl.js';
import type { Runtime } from '../src/runtime/runtime.js';
import { createStorage } from '../src/runtime/buffers.js';
import { prepareKernel } from './dispatch.js';
import { median } from './harness.js';

/** Vendor peaks: FP32 TFLOP/s (no tensor cores, no sparsity) and memory bandwidth. First match wins. */
export const KNOWN_PEAKS: { pattern: RegExp; name: string; fp32Tflops: number; memGBs: number }[] = [
  { pattern: /H100.*PCIe/i, name: 'NVIDIA H100 PCIe', fp32Tflops: 51.2, memGBs: 2000 },
  { pattern: /H100/i, name: 'NVIDIA H100 SXM', fp32Tflops: 66.9, memGBs: 3350 },
  { pattern: /H200/i, name: 'NVIDIA H200 SXM', fp32Tflops: 67, memGBs: 4800 },
];

export interface KnownPeak {
  name: string;
  fp32Tflops: number;
  memGBs: number;
}

export function knownPeak(description: string): KnownPeak | null {
  const k = KNOWN_PEAKS.find((p) => p.pattern.test(description));
  return k ? { name: k.name, fp32Tflops: k.fp32Tflops, memGBs: k.memGBs } : null;
}

export interface Peaks {
  /** Best and median of the timed samples. */
  copyGBs: number;
  copyGBsMedian: number;
  fmaGflops: number;
  fmaGflopsMedian: number;
  /** Whether the samples are GPU time (timestamp queries) or wall clock including a small readback. */
  timing: 'gpu' | 'wall';
  known: KnownPeak | null;
  /** What was run, for the record. */
  copyBytes: number;
  fmaFlops: number;
}

const WG = 64;

export function copyKernel(floats: number, maxPerDim: number): KernelSpec {
  const n4 = Math.ceil(floats / 4);
  const code = specialise('peak-copy', copyTemplate, { WG, N4: n4 });
  return { key: `peak-copy-${n4}`, code, bindings: ['read', 'read_write'], workgroups: grid1D(Math.ceil(n4 / WG), maxPerDim) };
}

export function fmaKernel(invocations: number, chains: number, iters: number, maxPerDim: number): KernelSpec {
  const names = Array.from({ length: chains }, (_, k) => `a${k}`);
  const code = specialise('peak-fma', fmaTemplate, {
    WG,
    ITERS: iters,
    CHAINS: chains,
    DECLARE: names.map((a, k) => `  var ${a} = seed + ${k}.0;`).join('\n'),
    CHAIN_STEP: names.map((a) => `    ${a} = fma(${a}, m, c);`).join('\n'),
    SUM: names.join(' + '),
  });
  return { key: `peak-fma-${chains}x${iters}`, code, bindings: ['read', 'read_write'], workgroups: grid1D(Math.ceil(invocations / WG), maxPerDim) };
}

/** Times `run(reps)` in `samples` samples of about `sampleMs`; returns per-op milliseconds. */
async function sampleKernel(run: (reps: number) => Promise<{ gpuMs?: number }>, samples: number, sampleMs: number) {
  let t0 = performance.now();
  await run(1); // first use: pipeline and allocation
  t0 = performance.now();
  const first = await run(1);
  const single = first.gpuMs ?? performance.now() - t0;
  const reps = Math.max(1, Math.min(64, Math.round(sampleMs / Math.max(single, 1e-3))));
  const ms: number[] = [];
  let gpu = true;
  for (let s = 0; s < samples; s++) {
    const t = performance.now();
    const { gpuMs } = await run(reps);
    if (gpuMs === undefined) gpu = false;
    ms.push((gpuMs ?? performance.now() - t) / reps);
  }
  return { ms, gpu };
}

/** Copy bandwidth over `floats` f32 (read + write counted) and FMA throughput. */
export async function measurePeaks(rt: Runtime, options: { quick: boolean; floats?: number }): Promise<Peaks> {
  const maxPerDim = rt.caps.maxComputeWorkgroupsPerDimension;
  const floats = options.floats ?? (options.quick ? 1 << 22 : 1 << 24);
  const samples = options.quick ? 3 : 5;
  const sampleMs = options.quick ? 40 : 100;

  const src = createStorage(rt, new Float32Array(floats).fill(1));
  const dst = createStorage(rt, floats);
  // read back 4 floats only: the copy's output is large and the readback is not what is measured
  const copy = await prepareKernel(rt, copyKernel(floats, maxPerDim), [src, dst], 4);
  const c = await sampleKernel((r) => copy.run(r), samples, sampleMs);
  copy.destroy();
  src.destroy();
  dst.destroy();

  const chains = 16;
  const iters = 256;
  const invocations = options.quick ? 1 << 14 : 1 << 16;
  const coef = createStorage(rt, new Float32Array([0.999, 0.001, 0, 0]));
  const out = createStorage(rt, invocations);
  const fma = await prepareKernel(rt, fmaKernel(invocations, chains, iters, maxPerDim), [coef, out], 4);
  const f = await sampleKernel((r) => fma.run(r), samples, sampleMs);
  fma.destroy();
  coef.destroy();
  out.destroy();

  const copyBytes = 2 * floats * 4;
  const fmaFlops = 2 * chains * iters * invocations;
  const rate = (amount: number, ms: number) => amount / (ms * 1e6);
  return {
    copyGBs: rate(copyBytes, Math.min(...c.ms)),
    copyGBsMedian: rate(copyBytes, median(c.ms)),
    fmaGflops: rate(fmaFlops, Math.min(...f.ms)),
    fmaGflopsMedian: rate(fmaFlops, median(f.ms)),
    timing: c.gpu && f.gpu ? 'gpu' : 'wall',
    known: knownPeak(rt.caps.description),
    copyBytes,
    fmaFlops,
  };
}
