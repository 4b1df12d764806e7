// Failures of the GPU itself become typed errors with a message that says what happened, never a hang.
import { afterEach, describe, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';
import { runtime } from '../../src/runtime/runtime.js';

afterEach(() => sg.destroy());

describe('runtime errors', () => {
  test('no adapter: GPUUnavailableError with a hint on what to install', async () => {
    const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
    const err = await sg.init({ gpu: noAdapter }).catch((e) => e);
    expect(err).toBeInstanceOf(sg.GPUUnavailableError);
    expect(err.message).toMatch(/mesa-vulkan-drivers/);
  });

  test('using tensors before init names the fix', () => {
    expect(() => sg.tensor([1])).toThrow(/call `await sg.init\(\)` first/);
  });

  test('a WGSL error is a ShaderCompileError naming the shader and the line', async () => {
    await sg.init();
    const spec = { key: 'broken_test_shader', code: '@compute @workgroup_size(1)\nfn main() {\n  let x: f32 = undefined_thing;\n}', bindings: [], workgroups: [1, 1, 1] as [number, number, number] };
    const err = await runtime().pipelines.get(spec).catch((e) => e);
    expect(err).toBeInstanceOf(sg.ShaderCompileError);
    expect(err.message).toMatch(/broken_test_shader/);
    expect(err.message).toMatch(/line 3/);
  });

  test('a readback slower than the timeout rejects with ReadbackTimeoutError', async () => {
    await sg.init({ readbackTimeoutMs: 5 });
    const a = sg.rand([512, 512], { seed: 1 });
    let h = a;
    for (let i = 0; i < 8; i++) h = h.matmul(a); // far more than 5 ms of work on any device we run on
    await expect(h.sum().item()).rejects.toThrow(sg.ReadbackTimeoutError);
  });

  test('device loss: later work rejects with DeviceLostError instead of hanging', async () => {
    await sg.init();
    const x = sg.tensor([1, 2, 3]);
    await x.data();
    runtime().device.destroy();
    await runtime().device.lost;
    expect(() => x.add(1).realize()).toThrow(sg.DeviceLostError);
    await expect(x.data()).rejects.toThrow(sg.DeviceLostError);
  });
});
