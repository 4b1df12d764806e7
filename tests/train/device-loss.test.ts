// Training survives a lost device (issue 12): a readback after the loss rejects with DeviceLostError within
// 1 s, sg.destroy() and sg.init() then give a working device, and `shadergrad train --checkpoint` rebuilds
// the run from its last checkpoint and ends with exactly the numbers of an uninterrupted run. The loss is
// injected (device.destroy(), as a driver reset) at several points of a step: a batch upload, the step's
// submit, the readback of its loss, a checkpoint save.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import * as sg from '../../src/node/index.js';
import { train, type TrainOptions, type TrainResult } from '../../src/cli/train.js';

describe('the library after a device loss', () => {
  afterAll(() => sg.destroy());
  test.each(['upload', 'submit', 'readback'] as const)('lost before a %s: DeviceLostError within 1 s, then destroy() and init() work', async (point) => {
    await sg.init();
    const old = sg.tensor([1, 2, 3]);
    await old.data();
    sg.testing.loseDeviceAt(point, 1);
    const t0 = performance.now();
    await expect(sg.tensor([4, 5]).mul(2).data()).rejects.toThrow(sg.DeviceLostError);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(() => sg.destroy()).not.toThrow();
    await sg.init();
    expect(Array.from(await sg.tensor([4, 5]).mul(2).data())).toEqual([8, 10]);
    await expect(old.data()).rejects.toThrow(sg.DisposedTensorError);
    sg.destroy();
  });
});

describe('shadergrad train --checkpoint after a device loss', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-device-loss-'));
  const options = (name: string): TrainOptions => ({
    model: 'mlp', epochs: 2, batchSize: 256, hidden: 32, optimizer: 'adam', seed: 3, quiet: false, checkpoint: join(dir, `${name}.ckpt`),
  });
  /** Runs `train` with its output captured; `atEpochEnd` gets the event counts when each epoch's line is printed. */
  async function run(name: string, atEpochEnd?: (counts: ReturnType<typeof sg.testing.faultPointCounts>) => void) {
    const errors: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => { if (/^epoch \d/.test(line)) atEpochEnd?.(sg.testing.faultPointCounts()); });
    const err = vi.spyOn(console, 'error').mockImplementation((line: string) => { errors.push(line); });
    try {
      return { result: await train(options(name)), errors };
    } finally {
      log.mockRestore();
      err.mockRestore();
      sg.testing.disarmDeviceLoss();
    }
  }
  let clean: TrainResult;
  const ends: ReturnType<typeof sg.testing.faultPointCounts>[] = [];
  let start: ReturnType<typeof sg.testing.faultPointCounts>;

  beforeAll(async () => {
    start = sg.testing.faultPointCounts();
    clean = (await run('clean', (c) => ends.push(c))).result;
    expect(clean.recoveries).toBe(0);
    expect(clean.epochs).toHaveLength(2);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // nth event from now of a point, counted from the clean run: `at(c => ...)` picks a count within it
  const cases: [string, 'upload' | 'submit' | 'readback', () => number][] = [
    ['a batch upload in epoch 1, before any checkpoint (starts again)', 'upload', () => Math.round((ends[0].upload - start.upload) / 2)],
    ['the submit of a step in epoch 2', 'submit', () => Math.round((ends[0].submit - start.submit + ends[1].submit - start.submit) / 2)],
    ['the readback of the loss of epoch 2\'s first step', 'readback', () => ends[0].readback - start.readback + 1],
    ['the checkpoint save at the end of epoch 2', 'readback', () => ends[1].readback - start.readback - 2],
  ];
  test.each(cases)('lost at %s: one line says so, and the run ends as an uninterrupted one', async (_, point, nth) => {
    const n = nth();
    // counts of the clean run, relative to its start: the same code runs the same events in the same order
    sg.testing.loseDeviceAt(point, n);
    const { result, errors } = await run(`lost-${point}-${n}`);
    expect(result.recoveries).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^shadergrad: GPU device lost \(destroyed\).* in epoch [12]; re-acquired a GPU device and resumed from /);
    expect(result.epochs).toEqual(clean.epochs); // losses, accuracies and test accuracies, exactly
  }, 60_000);

  test('without --checkpoint the loss is one error that says how to resume', async () => {
    sg.testing.loseDeviceAt('submit', 5);
    const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await expect(train({ ...options('none'), checkpoint: undefined })).rejects.toThrow(/GPU device lost .*in epoch 1; pass --checkpoint FILE to resume/);
    } finally {
      spy.mockRestore();
      sg.testing.disarmDeviceLoss();
    }
  }, 60_000);
});
