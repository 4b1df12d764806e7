// Memory under pressure (issue 12). A loop that never awaits cannot get its unreachable tensors back (JS
// runs FinalizationRegistry callbacks only between tasks): it used to grow until the process died; now the
// pool's limits (live + pooled bytes and buffers) end it with an OutOfMemoryError that says what to do,
// before any GPU work of the failing call, and the runtime is usable again once JS gets its turn. The
// pipeline and plan caches are LRU with stated sizes, so a shape that changes every step no longer grows
// them forever.
import { afterEach, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { MAX_CACHED_PLANS } from '../../src/graph/execute.js';
import { PipelineCache } from '../../src/runtime/pipelines.js';
import { runtime } from '../../src/runtime/runtime.js';

afterEach(() => sg.destroy());

/** One turn of the event loop and a collection: unreachable tensors' buffers go back to the pool. */
async function letJsCollect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    runtime().options.collectGarbage?.();
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a training loop that never awaits ends in an OutOfMemoryError naming the limit, then recovers', async () => {
  await sg.init({ maxBuffers: 600 });
  const model = new sg.nn.Sequential(new sg.nn.Linear(20, 16), new sg.nn.ReLU(), new sg.nn.Linear(16, 4));
  const opt = new sg.optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = sg.randn([8, 20]);
  const y = sg.tensor([0, 1, 2, 3, 0, 1, 2, 3], [8], { dtype: 'int32' });
  const step = () => {
    opt.zeroGrad();
    const loss = sg.nn.functional.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    return loss;
  };
  let error: unknown = null;
  let steps = 0;
  try {
    for (; steps < 5000; steps++) step(); // each step's loss stays allocated until JS gets a turn
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(sg.OutOfMemoryError);
  expect((error as Error).message).toMatch(/GPU memory limit reached: \d+ live buffers .*limits: \d+ bytes, 600 buffers; sg\.init\(\{ memoryLimitBytes, maxBuffers \}\).*a loop that never awaits keeps them all/);
  expect(steps).toBeGreaterThan(50);
  expect(steps).toBeLessThan(600);
  await letJsCollect();
  // awaiting each step lets the pool collect before the limit (from 3/4 of it): three times the steps
  // that the limit allowed without awaiting, and no error
  for (let i = 0; i < 3 * steps; i++) await step().item();
  expect(sg.memory().buffers).toBeLessThan(600);
}, 60_000);

test('memoryLimitBytes caps live + pooled bytes; tensors held past it are an OutOfMemoryError, dispose() makes room', async () => {
  await sg.init({ memoryLimitBytes: 16 * 2 ** 20 });
  const held: sg.Tensor[] = [];
  const make = () => {
    const t = sg.zeros([2 ** 20]); // 4 MiB
    sg.realize(t);
    return t;
  };
  expect(() => { for (let i = 0; i < 8; i++) held.push(make()); }).toThrow(/GPU memory limit reached: .*limits: 16777216 bytes/);
  expect(held.length).toBe(4); // 4 × 4 MiB fill the 16 MiB exactly
  held.forEach((t) => t.dispose());
  const t = make(); // room again: the freed buffers are reused from the pool
  expect((await t.data())[0]).toBe(0);
});

test('the default limits are stated: no byte cap on GPUs, half the host memory on a software adapter, 50,000 buffers', async () => {
  await sg.init();
  const { limits } = runtime().pool;
  expect(limits.buffers).toBe(50_000);
  if (sg.deviceInfo().isSoftware) expect(limits.bytes).toBe((await import('node:os')).totalmem() / 2);
  else expect(limits.bytes).toBe(Infinity);
  sg.destroy();
  await expect(sg.init({ memoryLimitBytes: -1 })).rejects.toThrow(/init: memoryLimitBytes must be a finite number > 0/);
  await expect(sg.init({ maxBuffers: 1.5 })).rejects.toThrow(/init: maxBuffers must be a finite integer >= 1/);
});

test('a new shape every step: the pipeline cache stays at its size (LRU), results stay right', async () => {
  await sg.init();
  const rt = runtime();
  rt.pipelines = new PipelineCache(rt.device, 6); // the default (512) takes hundreds of shapes to fill
  const w = sg.randn([12, 5]);
  const wHost = await w.data();
  for (let n = 1; n <= 14; n++) {
    const x = sg.arange(n * 12).reshape([n, 12]).div(50);
    const got = await x.matmul(w).relu().sum(1).data();
    for (let i = 0; i < n; i++) {
      let row = 0;
      for (let j = 0; j < 5; j++) {
        let s = 0;
        for (let k = 0; k < 12; k++) s += ((i * 12 + k) / 50) * wHost[k * 5 + j];
        row += Math.max(0, s);
      }
      expect(got[i]).toBeCloseTo(row, 4);
    }
    expect(sg.stats().pipelines).toBeLessThanOrEqual(6);
  }
});

test(`a new shape every step: at most ${MAX_CACHED_PLANS} plans stay cached`, async () => {
  await sg.init();
  for (let n = 1; n <= MAX_CACHED_PLANS + 20; n++) {
    const got = await sg.ones([n]).mul(n).data();
    expect(got[n - 1]).toBe(n);
  }
  expect(sg.stats().plansCached).toBe(MAX_CACHED_PLANS);
});

// The refused realization used to create its pipeline first: the next, unrelated readback then failed
// with that shader's ShaderCompileError ("value cannot be represented as 'u32'").
test('a realization refused as too large leaves nothing behind: the next readback works', async () => {
  await sg.init();
  await expect(sg.arange(1e10).data()).rejects.toThrow(/a buffer of 40000000000 bytes exceeds this adapter's storage binding limit/);
  expect(Array.from(await sg.tensor([1, 2]).add(1).data())).toEqual([2, 3]);
});
