// Every benchmarked kernel family, one file each under bench/families/. To add one (conv, attention,
// softmax, reduce, elementwise, optim), write bench/families/<name>.ts exporting a BenchFamily
// ({ name, cases, run }) and list it here.
import type { BenchFamily } from './harness.js';
import { matmulFamily } from './families/matmul.js';

export const FAMILIES: BenchFamily<any>[] = [
  matmulFamily,
  // Training step ("mlp-step"): one whole MLP 784-256-10 training step (forward, backward, Adam) per
  // sample, next to TF.js's optimizer.minimize. Added by the engine author as bench/families/mlp-step.ts
  // once the graph executor and optimizers exist; its `run` times the step, its cases are batch sizes.
];
