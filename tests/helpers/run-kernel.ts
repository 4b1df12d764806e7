// Runs one KernelSpec once on fresh buffers and reads its last binding back (tests only: no pooling).
import type { KernelSpec } from '../../src/kernels/types.js';
import { createStorage } from '../../src/runtime/buffers.js';
import { readBuffer } from '../../src/runtime/readback.js';
import { bindGroupFor, uniformBuffer, withErrorScopes, type Runtime } from '../../src/runtime/runtime.js';

export async function runKernel(rt: Runtime, spec: KernelSpec, inputs: Float32Array<ArrayBuffer>[], outLength: number): Promise<Float32Array> {
  const pipeline = await rt.pipelines.get(spec);
  const buffers = [...inputs.map((x) => createStorage(rt, x)), createStorage(rt, outLength)];
  const params = spec.params ? uniformBuffer(rt, spec.params) : undefined;
  try {
    await withErrorScopes(rt, spec.key, () => {
      const enc = rt.device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroupFor(rt, spec, buffers, params));
      pass.dispatchWorkgroups(...spec.workgroups);
      pass.end();
      rt.device.queue.submit([enc.finish()]);
    });
    const out = buffers[buffers.length - 1];
    return new Float32Array(await readBuffer(rt, out, 0, outLength * 4));
  } finally {
    for (const b of buffers) b.destroy();
    params?.destroy();
  }
}
