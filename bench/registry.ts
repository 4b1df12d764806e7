// Every benchmarked kernel family, one file each under bench/families/. To add one, write
// bench/families/<name>.ts exporting a BenchFamily ({ name, cases, run }) and list it here.
import type { BenchFamily } from './harness.js';
import { matmulFamily } from './families/matmul.js';
import { mlpStepFamily } from './families/mlp-step.js';
import { convFamily } from './families/conv.js';
import { softmaxFamily } from './families/softmax.js';
import { reduceFamily } from './families/reduce.js';
import { elementwiseFamily } from './families/elementwise.js';
import { optimFamily } from './families/optim.js';
import { lenetStepFamily } from './families/lenet-step.js';
import { attentionFamily } from './families/attention.js';
import { gptStepFamily } from './families/gpt-step.js';
import { graphFamily } from './families/graph.js';

export const FAMILIES: BenchFamily<any>[] = [
  matmulFamily,
  // a whole MLP training step (forward, backward, Adam, loss readback) next to TF.js's optimizer.minimize
  mlpStepFamily,
  // conv2d forward (im2col + matmul, implicit GEMM) and backward next to TF.js's conv kernels
  convFamily,
  softmaxFamily,
  reduceFamily,
  elementwiseFamily,
  optimFamily,
  // a whole LeNet-5 step next to the same network written with TF.js ops
  lenetStepFamily,
  // fused flash-style attention (forward; forward + backward) next to the unfused composition and TF.js's
  attentionFamily,
  // message passing on a 100k-edge stochastic block model next to TF.js's gather + unsortedSegmentSum
  graphFamily,
  gptStepFamily, // a char-level GPT step (4 layers, d = 128, T = 128) next to the same model written with TF.js ops
];
