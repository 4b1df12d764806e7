// prune, distill, quantize and finetune --int8-base from the command line, on a small MLP teacher trained for one epoch in the test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lastJson, shadergrad as run } from '../helpers/cli.js';

let dir: string;
let teacher: string;
let teacherAccuracy: number;

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

describe('quantize', () => {
  test('static and dynamic int8: accuracy next to float, about a quarter of the bytes; classify reads the int8 file', () => {
    const out = join(dir, 'int8.ckpt');
    const q = lastJson(['quantize', '--checkpoint', teacher, '--out', out, '--calibration-batches', '2', '--batch-size', '64', '--json', '--quiet']);
    expect(q).toMatchObject({ command: 'quantize', model: 'mlp', config: { activations: 'static', calibration_batches: 2, batch_size: 64 } });
    expect(q.metrics.float_test_accuracy).toBeCloseTo(teacherAccuracy, 6);
    expect(Math.abs(q.metrics.test_accuracy - q.metrics.float_test_accuracy)).toBeLessThan(0.02);
    expect(q.metrics.size_bytes / q.metrics.float_size_bytes).toBeLessThan(0.3);
    for (const k of ['ms_per_batch', 'float_ms_per_batch']) expect(q.metrics[k]).toBeGreaterThan(0);
    expect(lastJson(['classify', '--checkpoint', out, '--json']).metrics.accuracy).toBeCloseTo(q.metrics.test_accuracy, 6);
    const d = lastJson(['quantize', '--checkpoint', teacher, '--out', join(dir, 'dyn.ckpt'), '--activations', 'dynamic', '--json', '--quiet']);
    expect(Math.abs(d.metrics.test_accuracy - d.metrics.float_test_accuracy)).toBeLessThan(0.02);
    const qat = lastJson(['quantize', '--checkpoint', teacher, '--out', join(dir, 'qat.ckpt'), '--qat-epochs', '1', '--json', '--quiet']);
    expect(qat.config.qat_epochs).toBe(1);
    expect(qat.metrics.test_accuracy).toBeGreaterThan(qat.metrics.float_test_accuracy - 0.02); // a further epoch, fake-quantized
    expect(run(['quantize', '--checkpoint', teacher, '--out', join(dir, 'x.ckpt'), '--activations', 'dynamic', '--calibration-batches', '3']).stderr).toMatch(/--calibration-batches is for --activations static/);
  });

  test('finetune --lora-rank --int8-base trains adapters over the int8 model; its weights count in total_params', () => {
    const f = lastJson(['finetune', '--checkpoint', teacher, '--digits', '2-3', '--lora-rank', '2', '--int8-base', '--max-steps', '15', '--json', '--quiet']);
    expect(f.config).toMatchObject({ mode: 'lora', int8_base: true });
    expect(f.metrics.total_params).toBe(784 * 64 + 64 + 650 + (2 * 784 + 64 * 2));
    expect(f.metrics.trainable_params).toBe(2 * 784 + 64 * 2 + 650);
    expect(run(['finetune', '--checkpoint', teacher, '--digits', '2-3', '--int8-base']).stderr).toMatch(/--int8-base needs --lora-rank/);
  });
});
