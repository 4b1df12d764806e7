// A tensor whose buffer is gone, by dispose() or by sg.destroy(), is refused with a DisposedTensorError
// naming its state; before this, data() after dispose() returned the values of the tensor that got the
// buffer next, and after sg.destroy() + sg.init() old tensors read zeros or raised raw WebGPU errors.
import { afterAll, beforeAll, expect, test } from 'vitest';
import * as sg from '../../src/node/index.js';

beforeAll(() => sg.init());
afterAll(() => sg.destroy());

test('data(), item() and ops on a disposed tensor are refused, never another tensor\'s values', async () => {
  const a = sg.tensor([1, 2, 3]);
  await a.data();
  a.dispose();
  const b = sg.tensor([7, 8, 9]); // likely to get a's pooled buffer
  await b.data();
  await expect(a.data()).rejects.toThrow(sg.DisposedTensorError);
  await expect(a.data()).rejects.toThrow('a disposed tensor (Tensor([3], float32)) was read: dispose() freed its buffer');
  const one = sg.tensor([5]);
  await one.data();
  one.dispose();
  await expect(one.item()).rejects.toThrow(sg.DisposedTensorError);
  expect(() => a.add(1)).toThrow(/was used as an op input/);
  expect(Array.from(await b.data())).toEqual([7, 8, 9]); // the live tensor is untouched
});

// A slice cannot free the buffer the tensor it was cut from still uses (the bench's Adam case read its
// parameter after disposing a 4-element slice of it: the parameter's buffer had gone back to the pool).
test('dispose() on a slice ends the slice only; on a whole view it frees the shared buffer', async () => {
  const base = sg.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  await base.data();
  const head = base.slice([0, 0], [1, 2]);
  expect(Array.from(await head.data())).toEqual([1, 2]);
  head.dispose();
  await expect(head.data()).rejects.toThrow('a disposed tensor (Tensor([1, 2], float32)) was read: dispose() ended this view');
  expect(() => head.add(1)).toThrow(sg.DisposedTensorError);
  const odd = base.reshape([6]).slice([1], [6]); // offset window
  odd.dispose();
  const col = base.transpose(0, 1).slice([1, 0], [2, 2]); // strided window
  col.dispose();
  sg.tensor([9, 9, 9, 9, 9, 9]); // would take base's buffer if it had been freed
  expect(Array.from(await base.data())).toEqual([1, 2, 3, 4, 5, 6]);
  const whole = base.reshape([3, 2]);
  whole.dispose(); // covers every element: the buffer goes
  await expect(base.data()).rejects.toThrow(/dispose\(\) freed its buffer/);
});

test('after sg.destroy() and sg.init(), tensors of the old runtime are refused; new ones work', async () => {
  const old = sg.tensor([4, 5]);
  await old.data();
  const model = new sg.nn.Linear(2, 1);
  sg.destroy();
  await sg.init();
  await expect(old.data()).rejects.toThrow(/a tensor \(Tensor\(\[2\], float32\)\) of a runtime that sg.destroy\(\) ended was read: make it again after sg.init\(\)/);
  expect(() => old.mul(2)).toThrow(sg.DisposedTensorError);
  expect(() => model.forward(sg.tensor([[1, 2]]))).toThrow(sg.DisposedTensorError);
  expect(Array.from(await sg.tensor([4, 5]).mul(2).data())).toEqual([8, 10]);
});

// Recorded but not realized before sg.destroy(): realizing it afterwards used to raise a raw WebGPU
// validation error ("[Buffer] is associated with [Device], and cannot be used with [Device]").
test('a graph recorded before sg.destroy() and realized after it is refused, step included', async () => {
  const a = sg.tensor([1, 2]);
  const pending = a.mul(2).add(1);
  const model = new sg.nn.Linear(2, 1);
  const opt = new sg.optim.SGD(model.parameters(), { lr: 0.1 });
  model.forward(sg.tensor([[1, 2]])).sum().backward();
  sg.destroy();
  await sg.init();
  await expect(pending.data()).rejects.toThrow(/a pending computation was recorded on a runtime that sg.destroy\(\) ended/);
  expect(() => sg.realize(pending)).toThrow(sg.DisposedTensorError);
  expect(() => opt.step()).toThrow(sg.DisposedTensorError);
  expect(Array.from(await sg.tensor([1, 2]).mul(2).data())).toEqual([2, 4]);
});
