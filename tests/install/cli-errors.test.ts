// Every CLI failure is one clear line on stderr and a non-zero exit, found before any training work.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const bin = resolve(import.meta.dirname, '../../bin/shadergrad.js');
let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'sg-cli-errors-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 200_000 });
  return { ...r, seconds: (performance.now() - started) / 1000 };
}

/** Exit 1, and stderr is exactly one line, `shadergrad: ...` matching `pattern`, with no stack frame. */
function expectOneLineError(r: ReturnType<typeof run>, pattern: RegExp): void {
  expect(r.status, r.stdout).toBe(1);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^shadergrad: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

describe('CLI errors', () => {
  test('--resume of a missing file or of a folder', () => {
    expectOneLineError(run(['train', '--resume', join(dir, 'nope.ckpt')]), /--resume .*nope\.ckpt: no such file/);
    expectOneLineError(run(['train', '--resume', dir]), /--resume .*: is a directory/);
  });

  test('charlm refuses the options it has no use for instead of ignoring them', () => {
    expectOneLineError(run(['train', '--model', 'charlm', '--resume', join(dir, 'x.ckpt')]), /--resume is not supported for --model charlm/);
    expectOneLineError(run(['train', '--model', 'charlm', '--continue-on-nan']), /--continue-on-nan is not supported for --model charlm/);
  });

  test('housing refuses the options it has no use for; compare-optimizers refuses an --out folder', () => {
    for (const [flag, ...value] of [['--logdir', join(dir, 'runs')], ['--max-steps', '3'], ['--resume', join(dir, 'x.ckpt')], ['--continue-on-nan']])
      expectOneLineError(run(['train', '--model', 'housing', flag, ...value]), new RegExp(`${flag} is not supported for --model housing`));
    expectOneLineError(run(['train', '--model', 'housing-cls', '--checkpoint', dir]), /--checkpoint .*: is a directory/);
    expectOneLineError(run(['compare-optimizers', '--out', dir]), /--out .*: is a directory/);
  });

  test('a --checkpoint path that cannot be written is refused before the first epoch', () => {
    const r = run(['train', '--model', 'mlp', '--checkpoint', join(dir, 'missing-folder', 'run.ckpt')]);
    expectOneLineError(r, /--checkpoint .*run\.ckpt: the folder .*missing-folder does not exist/);
    expect(r.stdout).not.toMatch(/^epoch /m);
    expectOneLineError(run(['train', '--model', 'mlp', '--checkpoint', dir]), /--checkpoint .*: is a directory/);
  });

  test('resuming a run that already has the epochs asked for says so instead of printing 0%', () => {
    const ckpt = join(dir, 'two.ckpt');
    const first = run(['train', '--model', 'mlp', '--hidden', '16', '--epochs', '2', '--checkpoint', ckpt, '--quiet']);
    expect(first.status, first.stderr).toBe(0);
    const again = run(['train', '--model', 'mlp', '--hidden', '16', '--epochs', '1', '--resume', ckpt]);
    expectOneLineError(again, /already trained 2 epochs: pass --epochs greater than 2/);
    expect(again.stdout).not.toMatch(/test accuracy/);
  });

  test('a diverging run stops at its first non-finite loss, naming the step; --continue-on-nan goes on', () => {
    const r = run(['train', '--model', 'mlp', '--hidden', '16', '--optimizer', 'sgd', '--lr', '1e30', '--epochs', '1']);
    expectOneLineError(r, /NonFiniteLossError: loss is (NaN|-?Infinity) at step \d+ of epoch 1: training stopped/);
    const on = run(['train', '--model', 'mlp', '--hidden', '16', '--optimizer', 'sgd', '--lr', '1e30', '--epochs', '1', '--continue-on-nan', '--json']);
    expect(on.status, on.stderr).toBe(0);
    expect(JSON.parse(on.stdout.trimEnd().split('\n').pop()!).metrics.train_loss).toBeNull(); // NaN is not JSON: null
  });

  test('a malformed checkpoint is one line naming the file problem', () => {
    const bad = join(dir, 'bad.ckpt');
    writeFileSync(bad, 'not a checkpoint');
    expectOneLineError(run(['train', '--model', 'mlp', '--resume', bad]), /FormatError/);
  });
});
