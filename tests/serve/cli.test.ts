// The commands: `classify` (checkpoint and ONNX, --json), `serve` (listens, answers, stops cleanly on
// SIGTERM) and their refusals, run as a user runs them (bin/shadergrad.js).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { restoreCheckpoint } from '../../src/io/checkpoint.js';
import { loadMnist } from '../../src/node/mnist-files.js';
import * as sg from '../../src/node/index.js';
import { classifySplit } from '../../src/cli/classify.js';
import { Predictor } from '../../src/serve/predictor.js';
import { HIDDEN, instances, post, scratchDir, trainCheckpoint } from './fixture.js';

const bin = resolve(import.meta.dirname, '../../bin/shadergrad.js');
const scratch = scratchDir();
const ckpt = `${scratch.dir}/mlp.safetensors`;
const onnx = `${scratch.dir}/mlp.onnx`;
let inProcess: number;

beforeAll(async () => {
  await sg.init();
  try {
    await trainCheckpoint(ckpt, { steps: 100 });
    const model = new sg.nn.Sequential(new sg.nn.Linear(784, HIDDEN), new sg.nn.ReLU(), new sg.nn.Linear(HIDDEN, 10));
    restoreCheckpoint(readFileSync(ckpt), { model });
    writeFileSync(onnx, await sg.onnx.exportModel(model, sg.zeros([1, 784])));
    inProcess = (await classifySplit(await Predictor.load({ checkpoint: ckpt }), (await loadMnist()).test, { count: 300 })).accuracy;
  } finally {
    sg.destroy();
  }
});
afterAll(() => scratch.remove());

function run(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
  const lines = r.stdout.trimEnd().split('\n');
  return { status: r.status, stderr: r.stderr, last: lines[lines.length - 1] };
}

describe('shadergrad classify', () => {
  test('--checkpoint and --onnx of the same weights: the accuracy classifySplit measures in-process', () => {
    for (const source of [['--checkpoint', ckpt], ['--onnx', onnx]]) {
      const r = run(['classify', ...source, '--count', '300', '--json']);
      expect(r.status, r.stderr).toBe(0);
      const j = JSON.parse(r.last);
      expect(j).toMatchObject({ command: 'classify', model: source[0] === '--onnx' ? 'onnx' : 'mlp', metrics: { count: 300 } });
      expect(j.metrics.accuracy).toBe(inProcess);
      expect(j.metrics.seconds).toBeGreaterThan(0);
    }
  });

  test('refusals name the problem', () => {
    const both = run(['classify', '--checkpoint', ckpt, '--onnx', onnx]);
    expect(both.status).toBe(1);
    expect(both.stderr).toMatch(/exactly one of --checkpoint FILE and --onnx FILE/);
    const missing = run(['classify', '--checkpoint', `${scratch.dir}/nope.safetensors`]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*nope.safetensors: no such file/);
    const none = run(['serve']);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/exactly one of --checkpoint FILE, --onnx FILE, --model-dir DIR/);
  });
});

/** Starts `shadergrad serve ...args --port 0 --json`; resolves with its JSON line, a stop (SIGTERM) and its exit code. */
async function startServe(args: string[]) {
  const child = spawn(process.execPath, [bin, 'serve', ...args, '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const line = await new Promise<string>((resolveLine, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const json = out.split('\n').find((l) => l.startsWith('{'));
      if (json) resolveLine(json);
    });
    child.on('exit', () => reject(new Error(`serve exited before listening: ${stderr}`)));
  });
  return { json: JSON.parse(line), stop: () => (child.kill('SIGTERM'), exited) };
}

test('shadergrad serve: listens, prints its URL as JSON, answers, and exits 0 on SIGTERM', async () => {
  const { json: j, stop } = await startServe(['--checkpoint', ckpt, '--name', 'digits']);
  expect(j).toMatchObject({ command: 'serve', model: 'mlp', name: 'digits', metrics: { version: 1 } });
  const r = await post(`${j.url}/v1/models/digits:predict`, { instances: instances((await loadMnist()).test, [0]) });
  expect(r.status).toBe(200);
  expect(r.json.predictions[0].probabilities).toHaveLength(10);
  expect(await stop()).toBe(0);
});

test('shadergrad serve without --name: the model a checkpoint holds names it', async () => {
  const { json: j, stop } = await startServe(['--checkpoint', ckpt]);
  expect(j.name).toBe('mlp');
  expect((await fetch(`${j.url}/v1/models/mlp`)).status).toBe(200);
  expect(await stop()).toBe(0);
});
