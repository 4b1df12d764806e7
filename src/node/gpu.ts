// Node: a WebGPU implementation from the `webgpu` package (Google's Dawn).
import { create, globals } from 'webgpu';

let gpu: GPU | null = null;

/** Returns Dawn's GPU object, installing WebGPU's globals (GPUBufferUsage, ...) on first use. */
export function dawnGPU(): GPU {
  if (!gpu) {
    Object.assign(globalThis, globals);
    process.env.XDG_RUNTIME_DIR ??= '/tmp';
    gpu = create([]) as GPU;
  }
  return gpu;
}
