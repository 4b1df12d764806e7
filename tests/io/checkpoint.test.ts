// Checkpoints: a resumed run continues with exactly the losses of an uninterrupted one, a crash at any
// moment of a save loop leaves a checkpoint that loads, and mismatched checkpoints are refused.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { useGpu } from '../helpers/gpu.js';
import { batchesFrom, checkpointBytes, restoreCheckpoint } from '../../src/io/checkpoint.js';
import { Random } from '../../src/core/random.js';
import { parse, serialize, type HostTensor } from '../../src/io/safetensors.js';
import { getRandomState } from '../../src/tensor/creation.js';

useGpu();

const dir = mkdtempSync(join(tmpdir(), 'sg-checkpoint-'));

/** Synthetic 4-class data: 120 samples of 20 features, labels from a fixed linear rule. */
function data(): sg.data.TensorDataset {
  const rng = new Random(99);
  const r = () => rng.next() * 2 - 1;
  const x = Float32Array.from({ length: 120 * 20 }, r);
  const y = Int32Array.from({ length: 120 }, (_, i) => (x[i * 20] > 0 ? 1 : 0) + (x[i * 20 + 1] > 0 ? 2 : 0));
  return new sg.data.TensorDataset({ x, sampleShape: [20], y });
}

/** A fresh run: model from the global seed, Adam, a step LR schedule per epoch, a shuffled loader. */
function makeRun(seed: number) {
  sg.manualSeed(seed);
  const model = new sg.nn.Sequential(new sg.nn.Linear(20, 16), new sg.nn.ReLU(), new sg.nn.Linear(16, 4));
  const optimizer = new sg.optim.Adam(model.parameters(), { lr: 2e-2 });
  const scheduler = new sg.optim.StepLR(optimizer, 1, 0.5);
  const loader = new sg.data.DataLoader(data(), { batchSize: 32, shuffle: true, seed: 5 }); // 4 batches per epoch
  return { model, optimizer, scheduler, loader };
}
type Run = ReturnType<typeof makeRun>;
/** What a checkpoint saves and restores (the loader is not one of its targets: its place is in the run position). */
const targets = ({ model, optimizer, scheduler }: Run) => ({ model, optimizer, scheduler });

/**
 * Trains from (epoch, batch) for `steps` steps and returns each step's loss. Inputs get noise from the
 * global RNG stream (sg.randn without a seed), so the stream's position must be restored too.
 */
async function train(run: Run, from: { epoch: number; batch: number }, steps: number) {
  const losses: number[] = [];
  let { epoch, batch } = from;
  while (losses.length < steps) {
    for (const b of batchesFrom(run.loader, epoch, batch)) {
      const x = sg.tensor(b.x, b.xShape).add(sg.randn(b.xShape, { std: 0.05 }));
      const loss = sg.nn.functional.crossEntropy(run.model.forward(x), sg.tensor(b.y, b.yShape, { dtype: 'int32' }));
      run.optimizer.zeroGrad();
      loss.backward();
      run.optimizer.step();
      losses.push(await loss.item());
      batch++;
      if (losses.length === steps) break;
    }
    if (batch === run.loader.length) {
      run.scheduler.step();
      epoch++;
      batch = 0;
    }
  }
  return { losses, position: { epoch, batch } };
}

describe('resume', () => {
  test('a run resumed from a checkpoint (mid-epoch, after an LR decay) has exactly the losses of an uninterrupted one', async () => {
    const straight = await train(makeRun(3), { epoch: 0, batch: 0 }, 11);

    const first = makeRun(3);
    const head = await train(first, { epoch: 0, batch: 0 }, 6); // 1.5 epochs: one scheduler step, mid-epoch
    expect(head.losses).toEqual(straight.losses.slice(0, 6));
    const path = join(dir, 'run.ckpt');
    await sg.saveCheckpoint(path, targets(first), { epoch: head.position.epoch, step: 6, loader: head.position });

    sg.randn([1000]); // the stream moves on in this process; the checkpoint must put it back
    const second = makeRun(77); // different initial weights, fresh optimizer state
    const pos = await sg.loadCheckpoint(path, targets(second));
    expect(pos).toEqual({ epoch: 1, step: 6, loader: { epoch: 1, batch: 2 }, extra: undefined });
    expect(second.optimizer.stepCount).toBe(6);
    expect(second.optimizer.lr).toBe(1e-2);
    expect(second.scheduler.lastEpoch).toBe(1);
    const tail = await train(second, pos.loader!, 5);
    expect(tail.losses).toEqual(straight.losses.slice(6)); // bit-exact, not merely close
  });

  test('a checkpoint is refused, with FormatError, by a different model or optimizer, or when not a checkpoint', async () => {
    const run = makeRun(1);
    await train(run, { epoch: 0, batch: 0 }, 1);
    const bytes = await checkpointBytes(targets(run), { epoch: 0, step: 1 });
    const wider = new sg.nn.Sequential(new sg.nn.Linear(20, 17), new sg.nn.ReLU(), new sg.nn.Linear(17, 4));
    expect(() => restoreCheckpoint(bytes, { model: wider })).toThrow(/tensor '0.weight' is float32 \[16,20\] in the file, float32 \[17,20\] in the model/);
    const other = makeRun(1);
    const sgd = new sg.optim.SGD(other.model.parameters(), { lr: 0.1, momentum: 0.9 });
    expect(() => restoreCheckpoint(bytes, { model: other.model, optimizer: sgd })).toThrow(/optimizer state is for Adam, the run uses SGD/);
    const plain = await sg.save(run.model.stateDict());
    expect(() => restoreCheckpoint(plain, { model: other.model })).toThrow(sg.FormatError);
    expect(() => restoreCheckpoint(plain, { model: other.model })).toThrow(/not a shadergrad checkpoint/);
    expect(() => restoreCheckpoint(bytes.slice(0, bytes.length - 3), { model: other.model })).toThrow(sg.FormatError);
  });
});

describe('a bad checkpoint is refused before anything changes', () => {
  type RunRecord = { step: number; epoch: number; rng: { seed: number; stream: number }; optimizer: { kind: string; step: number; lr: number } };
  /** The checkpoint with its tensors and run record edited. */
  function edit(bytes: Uint8Array, change: (tensors: Record<string, HostTensor>, record: RunRecord) => void): Uint8Array {
    const { tensors, metadata } = parse(bytes);
    const record = JSON.parse(metadata.run) as RunRecord;
    change(tensors, record);
    return serialize(tensors, { ...metadata, run: JSON.stringify(record) });
  }
  const f32 = (shape: number[]): HostTensor => ({ dtype: 'float32', shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(7) });

  const cases: [string, (t: Record<string, HostTensor>, r: RunRecord) => void, RegExp][] = [
    ['an optimizer slot missing', (t) => delete t['optimizer/2.1'], /optimizer state of parameter 2 is incomplete: missing slot\(s\) 'optimizer\/2.1'/],
    ['an optimizer tensor of the wrong shape', (t) => (t['optimizer/3.0'] = f32([5])), /optimizer state 'optimizer\/3.0' is float32 \[5\], its parameter float32 \[4\]/],
    ['an optimizer tensor of the wrong dtype', (t) => (t['optimizer/3.0'] = { dtype: 'int32', shape: [4], data: new Int32Array(4) }), /'optimizer\/3.0' is int32 \[4\]/],
    ['a slot the optimizer does not have', (t) => (t['optimizer/0.2'] = f32([16, 20])), /unexpected optimizer state 'optimizer\/0.2' \(4 parameters with 2 slot\(s\) each/],
    ['a parameter that does not exist', (t) => (t['optimizer/4.0'] = f32([4])), /unexpected optimizer state 'optimizer\/4.0'/],
    ['a key not in <param>.<slot> form', (t) => (t['optimizer/01.0'] = f32([16])), /unexpected optimizer state 'optimizer\/01.0'/],
    ['a __proto__ key', (t) => (t['optimizer/__proto__'] = f32([1])), /unexpected optimizer state 'optimizer\/__proto__'/],
    ['a negative lr', (_, r) => (r.optimizer.lr = -0.01), /optimizer.lr must be a finite number >= 0, got -0.01/],
    ['a non-finite lr (NaN is written as null)', (_, r) => (r.optimizer.lr = NaN), /optimizer.lr must be a finite number >= 0, got null/],
    ['an lr given as a string', (_, r) => ((r.optimizer as { lr: unknown }).lr = '0.1'), /optimizer.lr must be/],
    ['a fractional optimizer step', (_, r) => (r.optimizer.step = 1.5), /optimizer.step must be a non-negative integer, got 1.5/],
    ['a fractional run step', (_, r) => (r.step = 2.5), /step must be a non-negative integer, got 2.5/],
    ['a negative epoch', (_, r) => (r.epoch = -1), /epoch must be a non-negative integer, got -1/],
    ['an RNG seed out of range', (_, r) => (r.rng.seed = 2 ** 32), /rng.seed must be a 32-bit unsigned integer/],
    ['a fractional RNG stream', (_, r) => (r.rng.stream = 0.5), /rng.stream must be a non-negative integer/],
    ['no RNG state', (_, r) => delete (r as Partial<RunRecord>).rng, /rng must be an object/],
    ['a model tensor of the wrong shape', (t) => (t['model/2.bias'] = f32([5])), /tensor '2.bias' is float32 \[5\] in the file, float32 \[4\] in the model/],
  ];

  test.each(cases)('%s', async (_what, change, message) => {
    const saved = makeRun(1);
    await train(saved, { epoch: 0, batch: 0 }, 2);
    const bytes = edit(await checkpointBytes(targets(saved), { epoch: 0, step: 2 }), change);

    const target = makeRun(2);
    await train(target, { epoch: 0, batch: 0 }, 1); // has optimizer state of its own, to be kept
    const before = async () => ({
      model: await Promise.all(target.model.parameters().map((p) => p.data())),
      state: await Promise.all(Object.values(target.optimizer.stateDict().state).map((t) => t.data())),
      step: target.optimizer.stepCount,
      lr: target.optimizer.lr,
      epoch: target.scheduler.lastEpoch,
      rng: getRandomState(),
    });
    const expected = await before();
    expect(() => restoreCheckpoint(bytes, targets(target))).toThrow(sg.FormatError);
    expect(() => restoreCheckpoint(bytes, targets(target))).toThrow(message);
    expect(await before()).toEqual(expected); // nothing was applied
  });
});

describe('crash safety', () => {
  test('a save removes the temp files that killed writers of the same file left, and only those', async () => {
    const sub = mkdtempSync(join(tmpdir(), 'sg-stale-'));
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // exited and reaped: no such process now
    const names = {
      stale: `.t.ckpt.tmp-${dead}-abc123`,
      live: `.t.ckpt.tmp-${process.ppid}-def456`, // a writer that is still running
      other: `.u.ckpt.tmp-${dead}-ghi789`, // another file's
      unrelated: 't.ckpt.tmp-notes',
    };
    for (const n of Object.values(names)) writeFileSync(join(sub, n), 'partial');
    const run = makeRun(1);
    await sg.saveCheckpoint(join(sub, 't.ckpt'), targets(run), { epoch: 0, step: 0 });
    expect(readdirSync(sub).sort()).toEqual([names.live, names.other, 't.ckpt', names.unrelated].sort());
    await expect(sg.loadCheckpoint(join(sub, 't.ckpt'), targets(makeRun(2)))).resolves.toMatchObject({ epoch: 0, step: 0 });
  });

  /** Starts the save loop, waits for its first checkpoint, lets it run `ms` more, then SIGKILLs it. */
  function killDuringSaves(path: string, ms: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--import', './scripts/register-wgsl.mjs', 'tests/io/save-loop.ts', path], {
        env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let lastSaved = 0;
      let stderr = '';
      let timer: NodeJS.Timeout | undefined;
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        for (const m of chunk.matchAll(/saved (\d+)/g)) lastSaved = Number(m[1]);
        if (lastSaved > 0 && !timer) timer = setTimeout(() => child.kill('SIGKILL'), ms);
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(lastSaved) : reject(new Error(`save loop exited (${code}) before the kill: ${stderr}`))));
    });
  }

  test('SIGKILL at random moments of a save loop, 20 times: the last checkpoint always loads whole', async () => {
    const path = join(dir, 'loop.ckpt');
    const rng = new Random(2024);
    const rand = () => rng.next();
    const sgMod = (seed: number) => {
      sg.manualSeed(seed);
      return new sg.nn.Sequential(new sg.nn.Linear(256, 512), new sg.nn.ReLU(), new sg.nn.Linear(512, 10));
    };
    let previous = 0;
    for (let round = 0; round < 20; round++) {
      const acknowledged = await killDuringSaves(path, Math.floor(rand() * 250));
      const model = sgMod(round + 100);
      const optimizer = new sg.optim.Adam(model.parameters(), { lr: 1e-3 });
      const pos = await sg.loadCheckpoint(path, { model, optimizer });
      // the file is the last acknowledged save or the one after it (renamed just before the kill)
      expect(pos.step === acknowledged || pos.step === acknowledged + 1, `round ${round}: step ${pos.step}, acknowledged ${acknowledged}`).toBe(true);
      expect(optimizer.stepCount).toBe(pos.step);
      let sum = 0;
      for (const p of model.parameters()) for (const v of await p.data()) sum += v;
      expect(sum, `round ${round}`).toBe((pos.extra as { sum: number }).sum);
      previous = pos.step;
    }
    expect(previous).toBeGreaterThan(0);
    // a killed writer leaves its temp file (.loop.ckpt.tmp-*) but never a torn loop.ckpt; the next
    // writer's first save removes it, so at most the last kill's file is still there
    const torn = readdirSync(dir).filter((f) => f.includes('.tmp-'));
    console.log(`crash safety: ${torn.length} temp file(s) left after 20 kills (the next save removes them)`);
    expect(torn.length).toBeLessThanOrEqual(1);
    for (const f of torn) rmSync(join(dir, f));
  }, 90_000);
});
