// The peer: TensorFlow.js's WebGPU backend on the same Dawn GPU object, in the same process.
import { dawnGPU } from '../src/node/gpu.js';

export type Tf = typeof import('@tensorflow/tfjs');
export interface TfPeer {
  tf: Tf;
  name: string;
}

export async function loadTfPeer(): Promise<TfPeer> {
  // tfjs-backend-webgpu looks for navigator.gpu; Node 20 has no navigator at all.
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: dawnGPU() }, configurable: true, writable: true });
  const tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('TensorFlow.js could not start its webgpu backend');
  await tf.ready();
  return { tf, name: `tfjs-webgpu ${tf.version.tfjs}` };
}
