// The op table: every op of shadergrad, one typed entry each (src/ops/op.ts says what an entry holds).
// The compiler refuses an entry without its shape rule, kernel choice, gradient rule (or an explicit
// NOT_DIFFERENTIABLE) and float64 reference; tests/ops/table.test.ts refuses an op without op-test rows
// and a bad-input test. Adding an op: docs/ENGINE.md, "Adding an op".
import { ATTENTION_OPS } from './attention.js';
import { ELEMENTWISE_OPS } from './elementwise.js';
import { NORM_OPS } from './norm.js';
import type { OpEntry } from './op.js';

export const OPS = {
  ...ELEMENTWISE_OPS,
  ...ATTENTION_OPS,
  ...NORM_OPS,
} satisfies Record<string, OpEntry>;

export type OpName = keyof typeof OPS;
