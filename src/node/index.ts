// shadergrad for Node: the browser-safe API, with the GPU from the `webgpu` package (Dawn).
import { totalmem } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as core from '../index.js';
import { dawnGPU } from './gpu.js';

export * from '../index.js';
// file forms of save/load (a path, or bytes as in browsers) and atomic checkpoints
export { save, load, saveCheckpoint, loadCheckpoint, writeFileAtomic } from './files.js';
// TensorBoard event files (torch.utils.tensorboard's SummaryWriter)
export { SummaryWriter, type SummaryWriterOptions } from './summary-writer.js';
export type { ImagePixels } from '../io/tfevents.js';

/** Like the core init(), but finds Dawn's GPU when none is given, and lets GPU memory pressure trigger GC. */
export async function init(options: core.InitOptions = {}): Promise<void> {
  await core.init({ ...options, gpu: options.gpu ?? dawnGPU(), collectGarbage: options.collectGarbage ?? nodeGc(), hostMemoryBytes: options.hostMemoryBytes ?? totalmem() });
}

/** V8's gc() without --expose-gc on the command line (flag set at run time, function taken from a fresh context). */
function nodeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
