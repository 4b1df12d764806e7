// Import first (before anything from src/runtime): src/runtime/buffers.ts reads GPUBufferUsage at module
// load, and in Node those globals exist only once dawnGPU() has installed them.
import { dawnGPU } from '../../src/node/gpu.js';

dawnGPU();
