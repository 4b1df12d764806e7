// prune and distill from the command line, on a small MLP teacher trained for one epoch in the test.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const bin = resolve(import.meta.dirname, '../../bin/shadergrad.js');
let dir: string;
let teacher: string;
let teacherAccuracy: number;

const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 280_000 });

/** Runs `shadergrad ...args`, expects exit 0 and returns the parsed last stdout line. */
function lastJson(args: string[]): Record<string, any> {
  const r = run(args);
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sg-prune-'));
  teacher = join(dir, 'mlp.ckpt');
  teacherAccuracy = lastJson(['train', '--model', 'mlp', '--hidden', '64', '--epochs', '1', '--checkpoint', teacher, '--json', '--quiet']).metrics.test_accuracy;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('prune', () => {
  test('one-shot 50%: exactly half the weights zero; the saved file loads (masks and all) and classifies at the reported accuracy', () => {
    const out = join(dir, 'pruned.ckpt');
    const p = lastJson(['prune', '--checkpoint', teacher, '--sparsity', '0.5', '--finetune-epochs', '0', '--out', out, '--json', '--quiet']);
    expect(p).toMatchObject({ command: 'prune', model: 'mlp', config: { sparsity: 0.5, finetune_epochs: 0, structured: false } });
    expect(p.metrics.sparsity).toBe(0.5); // of 784·64 + 64·10 weights
    expect(p.metrics.before_test_accuracy).toBeCloseTo(teacherAccuracy, 6);
    expect(p.metrics.test_accuracy).toBeGreaterThan(teacherAccuracy - 0.05);
    const c = lastJson(['classify', '--checkpoint', out, '--json']);
    expect(c.metrics.accuracy).toBeCloseTo(p.metrics.test_accuracy, 6);
  });

  test('gradual pruning during fine-tuning reaches the sparsity asked', () => {
    const p = lastJson(['prune', '--checkpoint', teacher, '--sparsity', '0.8', '--finetune-epochs', '1', '--per-layer', '--json', '--quiet']);
    expect(p.metrics.sparsity).toBeCloseTo(0.8, 3);
    expect(p.metrics.test_accuracy).toBeGreaterThan(0.8);
  });

  test('bad options are refused before any work', () => {
    expect(run(['prune', '--checkpoint', teacher, '--sparsity', '1']).stderr).toMatch(/sparsity must be a number in \[0, 1\)/);
    expect(run(['prune', '--checkpoint', teacher, '--structured', '--per-layer']).stderr).toMatch(/--per-layer is for unstructured pruning/);
    expect(run(['prune', '--checkpoint', join(dir, 'none.ckpt')]).stderr).toMatch(/--checkpoint .*none\.ckpt: no such file/);
  });
});

describe('distill', () => {
  test('a student distilled from the teacher, and the same student alone, with the same steps', () => {
    const d = lastJson(['distill', '--teacher', teacher, '--student', 'mlp', '--hidden', '16', '--epochs', '1', '--json', '--quiet']);
    expect(d).toMatchObject({ command: 'distill', model: 'mlp', config: { teacher_model: 'mlp', hidden: 16, temperature: 4, alpha: 0.9 } });
    expect(d.metrics.teacher_test_accuracy).toBeCloseTo(teacherAccuracy, 6);
    expect(d.metrics.student_params).toBe(784 * 16 + 16 + 16 * 10 + 10);
    expect(d.metrics.steps).toBe(Math.ceil(9000 / 64));
    for (const k of ['test_accuracy', 'student_alone_test_accuracy']) expect(d.metrics[k]).toBeGreaterThan(0.8);
    expect(run(['distill', '--teacher', teacher, '--student', 'charlm']).stderr).toMatch(/argument 'charlm' is invalid/);
    expect(run(['distill', '--teacher', teacher, '--alpha', '1.5']).stderr).toMatch(/alpha must be a number in \[0, 1\]/);
  });
});
