// `train --logdir DIR --max-steps N --json` writes TensorBoard events (read by the independent reader) and
// DIR/run.json; `runs --json` lists and compares the runs; the refusals say what is wrong.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventFiles, readEvents, summaryValues } from '../helpers/tfevents-reader.js';

const bin = resolve(import.meta.dirname, '../../bin/shadergrad.js');
let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'sg-cli-runs-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function shadergrad(args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
}
function lastJson(args: string[]): Record<string, any> {
  const r = shadergrad(args);
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

const f32 = Math.fround;

describe('train --logdir and runs', () => {
  test('events: per-step loss, per-epoch accuracies and lr, parameter and gradient histograms, the input digits; run.json; runs lists both runs', () => {
    const runs = join(dir, 'runs');
    // 9 steps per epoch at batch 1000: epoch 1 whole, epoch 2 stopped by --max-steps after 3
    const a = lastJson(['train', '--model', 'mlp', '--hidden', '16', '--epochs', '2', '--batch-size', '1000', '--max-steps', '12', '--logdir', join(runs, 'a'), '--json']);
    expect(a).toMatchObject({ command: 'train', model: 'mlp', logdir: join(runs, 'a'), config: { max_steps: 12, batch_size: 1000 } });

    const record = JSON.parse(readFileSync(join(runs, 'a', 'run.json'), 'utf8'));
    expect(record).toMatchObject({ name: 'a', command: 'train', model: 'mlp', status: 'finished', steps: 12, config: a.config, metrics: a.metrics });
    expect(record.epochs.map((e: any) => [e.epoch, e.step, e.steps])).toEqual([[1, 9, 9], [2, 12, 3]]);
    expect(Date.parse(record.started)).toBeLessThanOrEqual(Date.parse(record.ended));
    const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: import.meta.dirname, encoding: 'utf8' });
    if (head.status === 0) expect(record.git.revision).toBe(head.stdout.trim());
    else expect(record.git).toBeNull();

    const files = eventFiles(join(runs, 'a'));
    expect(files.map((f) => f.slice(f.lastIndexOf('/') + 1))).toEqual([record.event_file]);
    const events = readEvents(files[0]);
    expect(events[0].file_version).toBe('brain.Event:2');
    const values = summaryValues(events);
    const at = (tag: string) => values.filter(([, v]) => v.tag === tag);
    const losses = at('train/loss');
    expect(losses.map(([s]) => s)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    // the epoch's loss is the mean of its steps' losses (all batches of 1000)
    const epoch2 = losses.slice(9).map(([, v]) => v.simple_value as number);
    expect(at('train/epoch_loss').map(([s]) => s)).toEqual([9, 12]);
    expect(at('train/epoch_loss')[1][1].simple_value).toBeCloseTo(epoch2.reduce((x, y) => x + y) / 3, 5);
    expect(at('test/accuracy').map(([s, v]) => [s, v.simple_value])).toEqual([[9, f32(record.epochs[0].test_accuracy)], [12, f32(a.metrics.test_accuracy)]]);
    expect(at('train/accuracy')[1][1].simple_value).toBe(f32(a.metrics.train_accuracy));
    expect(at('lr').map(([, v]) => v.simple_value)).toEqual([f32(0.002), f32(0.002)]);
    // every parameter of 784-16-10 and its gradient, at the end of each epoch
    for (const [name, num] of [['0.weight', 784 * 16], ['0.bias', 16], ['2.weight', 160], ['2.bias', 10]] as const) {
      for (const kind of ['param', 'grad']) {
        const h = at(`${kind}/${name}`);
        expect(h.map(([s]) => s), `${kind}/${name}`).toEqual([9, 12]);
        expect(h[1][1].histo!.num).toBe(num);
      }
    }
    // a real gradient: cross-entropy's gradient with respect to the last bias sums to 0 over the classes
    const g = at('grad/2.bias')[1][1].histo!;
    expect(Math.abs(g.sum)).toBeLessThan(1e-6);
    expect(g.max).toBeGreaterThan(1e-4);
    const [[imageStep, image]] = at('train/input_digits');
    expect(imageStep).toBe(0);
    expect(image.image).toMatchObject({ width: 8 * 30 + 2, height: 8 * 30 + 2, colorspace: 1 });

    const b = lastJson(['train', '--model', 'mlp', '--hidden', '16', '--epochs', '1', '--batch-size', '1000', '--lr', '0.01', '--max-steps', '2', '--logdir', join(runs, 'b'), '--quiet', '--json']);
    mkdirSync(join(runs, 'broken'));
    writeFileSync(join(runs, 'broken', 'run.json'), '{"model": ');
    mkdirSync(join(runs, 'not-a-run')); // no run.json: not listed
    const r = shadergrad(['runs', '--logdir', runs, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const listed = JSON.parse(lines[lines.length - 1]);
    expect(listed.command).toBe('runs');
    expect(listed.metrics.runs.map((x: any) => x.name)).toEqual(['broken', 'a', 'b']); // start order; unreadable first
    expect(listed.metrics.runs[0].error).toMatch(/run.json is not valid JSON/);
    expect(listed.metrics.runs[1]).toMatchObject({ model: 'mlp', status: 'finished', epochs: 2, steps: 12, metrics: a.metrics, git_revision: record.git?.revision ?? null });
    expect(listed.metrics.runs[2]).toMatchObject({ epochs: 1, steps: 2, metrics: b.metrics, config: { lr: 0.01 } });
    // the table: a header with the setting that differs (lr, max_steps, epochs) and the metrics, a row per run
    const table = lines.slice(0, -1);
    expect(table[0]).toMatch(/^run\s+model\s+status\s+epochs\s+steps\s+started\s+.*\blr\b.*test_accuracy/);
    expect(table[1]).toMatch(/^broken\s+-\s+unreadable: run.json is not valid JSON/);
    expect(table[2]).toMatch(new RegExp(`^a\\s+mlp\\s+finished\\s+2\\s+12\\s.*0\\.002\\b.*${Number(a.metrics.test_accuracy.toPrecision(4))}`));
    expect(table[3]).toMatch(/^b\s+mlp\s+finished\s+1\s+2\s.*0\.01\b/);
  }, 120_000);

  test('a run that fails: run.json says so, with the error; the steps before it are in the event file', () => {
    const logdir = join(dir, 'diverged');
    const r = shadergrad(['train', '--model', 'mlp', '--hidden', '16', '--optimizer', 'sgd', '--lr', '1e30', '--batch-size', '1000', '--max-steps', '5', '--logdir', logdir, '--quiet']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/NonFiniteLossError: loss is NaN at step 2/);
    const record = JSON.parse(readFileSync(join(logdir, 'run.json'), 'utf8'));
    expect(record).toMatchObject({ status: 'failed', error: expect.stringMatching(/^loss is NaN at step 2/), epochs: [] });
    expect(Date.parse(record.ended)).toBeGreaterThanOrEqual(Date.parse(record.started));
    const losses = summaryValues(readEvents(eventFiles(logdir)[0])).filter(([, v]) => v.tag === 'train/loss');
    expect(losses.map(([s]) => s)).toEqual([1]);
  });

  test('refused: a logdir that holds a run, --max-steps with --checkpoint, runs of a missing folder', () => {
    const used = join(dir, 'used');
    mkdirSync(used);
    writeFileSync(join(used, 'run.json'), '{}');
    const again = shadergrad(['train', '--model', 'mlp', '--max-steps', '1', '--logdir', used]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/--logdir .*used: already holds a run \(run\.json\)/);
    const both = shadergrad(['train', '--model', 'mlp', '--max-steps', '1', '--checkpoint', join(dir, 'x.ckpt')]);
    expect(both.status).toBe(1);
    expect(both.stderr).toMatch(/--max-steps cannot go with --checkpoint/);
    const zero = shadergrad(['train', '--max-steps', '0']);
    expect(zero.status).toBe(1);
    expect(zero.stderr).toMatch(/max-steps must be a positive integer/);
    const missing = shadergrad(['runs', '--logdir', join(dir, 'nowhere')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/--logdir .*nowhere: no such folder/);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect(lastJson(['runs', '--logdir', empty, '--json']).metrics).toEqual({ runs: [] });
  });
});
