// The op table is complete: every op has op-test rows (value vs its reference, gradient check unless it is
// NOT_DIFFERENTIABLE) and a bad-input test; composites are written from ops of the table.
import { expect, test } from 'vitest';
import { NOT_DIFFERENTIABLE } from '../../src/ops/op.js';
import { OPS, type OpName } from '../../src/ops/table.js';
import type { BadInput, OpRow } from '../helpers/opcheck.js';
import * as conv from './rows/conv.js';
import * as activation from './rows/activation.js';
import * as elementwise from './rows/elementwise.js';
import * as loss from './rows/loss.js';
import * as matmul from './rows/matmul.js';
import * as reduce from './rows/reduce.js';
import * as softmax from './rows/softmax.js';

import * as pool from './rows/pool.js';

import * as movement from './rows/movement.js';
import * as creation from './rows/creation.js';
import * as dropout from './rows/dropout.js';
import * as optim from './rows/optim.js';
import * as attention from './rows/attention.js';
import * as norm from './rows/norm.js';
import * as quant from './rows/quant.js';
import * as graph from './rows/graph.js';
import * as interpolate from './rows/interpolate.js';

const families: Array<{ rows: OpRow[]; badInputs: BadInput[] }> = [elementwise, activation, reduce, softmax, matmul, loss, conv, pool, movement, creation, dropout, optim, attention, norm, quant, graph, interpolate];
const rows = families.flatMap((f) => f.rows);
const badInputs = families.flatMap((f) => f.badInputs);
const names = Object.keys(OPS) as OpName[];

test.each(names)('%s has op-test rows, a gradient check where differentiable, and a bad-input test', (name) => {
  const entry = OPS[name];
  const own = rows.filter((r) => r.op === name);
  expect(own.length, `${name}: no row in tests/ops/rows/`).toBeGreaterThan(0);
  const differentiable = entry.kind === 'composite' || entry.grad !== NOT_DIFFERENTIABLE;
  if (differentiable) expect(own.some((r) => r.opts.grad !== false), `${name}: no row checks its gradient`).toBe(true);
  expect(badInputs.some((b) => b.op === name), `${name}: no bad-input test`).toBe(true);
});

test.each(names.filter((n) => OPS[n].kind === 'composite'))('composite %s is written from ops of the table', (name) => {
  const entry = OPS[name];
  if (entry.kind !== 'composite') return;
  for (const part of entry.of) expect(names, `${name} is made of ${part}`).toContain(part);
});

test('every entry has a kernel choice or is a view, and a reference', () => {
  for (const name of names) {
    const e = OPS[name];
    expect(typeof e.reference, `${name} reference`).toBe('function');
    if (e.kind === 'primitive') expect(e.kernel, `${name} kernel`).toBeTruthy();
  }
});
