// Transfer learning from the command line: pre-train on some digits (train --digits), adapt to others
// (finetune: full, --freeze backbone, --lora-rank), the saved model merged and readable by classify.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lastJson, shadergrad as run } from '../helpers/cli.js';

let dir: string;
let pretrained: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sg-finetune-'));
  pretrained = join(dir, 'mlp01.ckpt');
  // a small MLP on digits 0 and 1 only (about 1,900 digits, one epoch)
  const t = lastJson(['train', '--model', 'mlp', '--hidden', '32', '--epochs', '1', '--digits', '0-1', '--checkpoint', pretrained, '--json', '--quiet']);
  expect(t.config.digits).toBe('0-1');
  expect(t.metrics.test_accuracy).toBeGreaterThan(0.95); // two classes, both held out in the test split
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('finetune', () => {
  test('LoRA: a new head and rank-r adapters train a small share of the parameters; the saved model is merged and classifies the same', () => {
    const out = join(dir, 'lora.ckpt');
    const f = lastJson(['finetune', '--checkpoint', pretrained, '--digits', '2-3', '--lora-rank', '2', '--epochs', '1', '--out', out, '--json', '--quiet']);
    expect(f).toMatchObject({ command: 'finetune', model: 'mlp', config: { digits: '2-3', mode: 'lora', lora_rank: 2, lora_alpha: 8, epochs: 1, lr: 5e-3 } });
    // base 784·32+32 + 32·10+10 = 25450; adapters on the first Linear 2·784 + 32·2 = 1632; the new head 330
    expect(f.metrics.total_params).toBe(25450 + 1632);
    expect(f.metrics.trainable_params).toBe(1632 + 330);
    expect(f.metrics.base_test_accuracy).toBe(0); // the old head knows only 0 and 1
    expect(f.metrics.test_accuracy).toBeGreaterThan(0.9);
    expect(f.metrics.merged_test_accuracy).toBeCloseTo(f.metrics.test_accuracy, 2);
    expect(existsSync(out)).toBe(true);
    // the merged checkpoint is a plain MLP; classify scores it on all ten classes, where it knows two
    const c = lastJson(['classify', '--checkpoint', out, '--json']);
    expect(c.metrics.accuracy).toBeGreaterThan(0.15);
    expect(c.metrics.accuracy).toBeLessThan(0.25);
  });

  test('--freeze backbone trains the head only; the default trains every layer', () => {
    const frozen = lastJson(['finetune', '--checkpoint', pretrained, '--digits', '2-3', '--freeze', 'backbone', '--max-steps', '20', '--json', '--quiet']);
    expect(frozen.config).toMatchObject({ mode: 'frozen-backbone', lr: 1e-2, max_steps: 20 });
    expect(frozen.metrics.trainable_params).toBe(330);
    expect(frozen.metrics.total_params).toBe(25450);
    const full = lastJson(['finetune', '--checkpoint', pretrained, '--digits', '2-3', '--max-steps', '20', '--json', '--quiet']);
    expect(full.config).toMatchObject({ mode: 'full', lr: 2e-3 });
    expect(full.metrics.trainable_params).toBe(25450);
  });

  test('contradictory or incomplete options are refused before any training', () => {
    const both = run(['finetune', '--checkpoint', pretrained, '--digits', '2-3', '--lora-rank', '2', '--freeze', 'backbone']);
    expect(both.status).not.toBe(0);
    expect(both.stderr).toMatch(/at most one of --lora-rank and --freeze/);
    const alpha = run(['finetune', '--checkpoint', pretrained, '--digits', '2-3', '--lora-alpha', '4']);
    expect(alpha.stderr).toMatch(/--lora-alpha needs --lora-rank/);
    const digits = run(['finetune', '--checkpoint', pretrained, '--digits', '2-12']);
    expect(digits.stderr).toMatch(/digits must be digits 0-9/);
    const missing = run(['finetune', '--checkpoint', join(dir, 'nope.ckpt'), '--digits', '2-3']);
    expect(missing.stderr).toMatch(/--checkpoint .*nope\.ckpt: no such file/);
    const table = run(['train', '--model', 'housing', '--digits', '0-4']);
    expect(table.stderr).toMatch(/--digits is for the MNIST models/);
  });
});
