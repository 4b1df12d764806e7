// Runs a prepared KernelSpec `reps` times in one compute pass and one submit, then reads the output
// back (as the peer's `await data()` does), with GPU time from timestamp queries when available.
import type { KernelSpec } from '../src/kernels/types.js';
import { readBuffer } from '../src/runtime/readback.js';
import { bindGroupFor, uniformBuffer, type Runtime } from '../src/runtime/runtime.js';

export interface PreparedKernel {
  run(reps: number): Promise<{ gpuMs?: number }>;
  /** Reads the output binding (the last storage binding). */
  read(): Promise<Float32Array>;
  destroy(): void;
}

/** `buffers` in binding order; the last one is the output of `outLength` floats. */
export async function prepareKernel(rt: Runtime, spec: KernelSpec, buffers: GPUBuffer[], outLength: number): Promise<PreparedKernel> {
  const pipeline = await rt.pipelines.get(spec);
  const params = spec.params ? uniformBuffer(rt, spec.params) : undefined;
  const bindGroup = bindGroupFor(rt, spec, buffers, params);
  const out = buffers[buffers.length - 1];
  const timestamps = rt.caps.features.has('timestamp-query');
  const querySet = timestamps ? rt.device.createQuerySet({ type: 'timestamp', count: 2 }) : undefined;
  const resolve = timestamps ? rt.device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC }) : undefined;

  return {
    async run(reps) {
      const enc = rt.device.createCommandEncoder();
      const pass = enc.beginComputePass(
        querySet ? { timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : {},
      );
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      for (let i = 0; i < reps; i++) pass.dispatchWorkgroups(...spec.workgroups);
      pass.end();
      if (querySet) enc.resolveQuerySet(querySet, 0, 2, resolve!, 0);
      rt.device.queue.submit([enc.finish()]);
      rt.dispatches += reps;
      rt.submits += 1;
      await readBuffer(rt, out, 0, outLength * 4);
      if (!resolve) return {};
      const ns = new BigInt64Array(await readBuffer(rt, resolve, 0, 16));
      const gpuMs = Number(ns[1] - ns[0]) / 1e6;
      // some implementations report zeros; treat as "no GPU time" rather than infinitely fast
      return gpuMs > 0 ? { gpuMs } : {};
    },
    async read() {
      return new Float32Array(await readBuffer(rt, out, 0, outLength * 4));
    },
    destroy() {
      params?.destroy();
      querySet?.destroy();
      resolve?.destroy();
    },
  };
}
