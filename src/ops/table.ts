// The op table: every op of shadergrad, one typed entry each (src/ops/op.ts says what an entry holds).
// The compiler refuses an entry without its shape rule, kernel choice, gradient rule (or an explicit
// NOT_DIFFERENTIABLE) and float64 reference; tests/ops/table.test.ts refuses an op without op-test rows
// and a bad-input test. Adding an op: docs/ENGINE.md, "Adding an op".
import { ACTIVATION_OPS } from './activation.js';
import { ATTENTION_OPS } from './attention.js';
import { CONV_OPS } from './conv.js';
import { CREATION_OPS } from './creation.js';
import { DROPOUT_OPS } from './dropout.js';
import { ELEMENTWISE_OPS } from './elementwise.js';
import { GRAPH_OPS } from './graph.js';
import { INTERPOLATE_OPS } from './interpolate.js';
import { LOSS_OPS } from './loss.js';
import { MATMUL_OPS } from './matmul.js';
import { MOVEMENT_OPS } from './movement.js';
import { NORM_OPS } from './norm.js';
import type { OpEntry } from './op.js';
import { OPTIM_OPS } from './optim.js';
import { POOL_OPS } from './pool.js';
import { QUANT_OPS } from './quant.js';
import { REDUCE_OPS } from './reduce.js';
import { SOFTMAX_OPS } from './softmax.js';

export const OPS = {
  ...ELEMENTWISE_OPS,
  ...ACTIVATION_OPS,
  ...REDUCE_OPS,
  ...SOFTMAX_OPS,
  ...MATMUL_OPS,
  ...MOVEMENT_OPS,
  ...CREATION_OPS,
  ...LOSS_OPS,
  ...CONV_OPS,
  ...POOL_OPS,
  ...INTERPOLATE_OPS,
  ...NORM_OPS,
  ...ATTENTION_OPS,
  ...DROPOUT_OPS,
  ...OPTIM_OPS,
  ...QUANT_OPS,
  ...GRAPH_OPS,
} satisfies Record<string, OpEntry>;

export type OpName = keyof typeof OPS;
