// shadergrad for Node: the browser-safe API, with the GPU from the `webgpu` package (Dawn).
import * as core from '../index.js';
import { dawnGPU } from './gpu.js';

export * from '../index.js';

/** Like the core init(), but finds Dawn's GPU when none is given. */
export async function init(options: core.InitOptions = {}): Promise<void> {
  await core.init({ ...options, gpu: options.gpu ?? dawnGPU() });
}
