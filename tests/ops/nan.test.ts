// NaN and infinities follow IEEE and PyTorch, although WGSL lets a driver assume they never occur
// (lavapipe's fast math gave x / 0 = 0, relu(NaN) = 0, and max/argmax skipped NaN): shaders/ieee.wgsl.
import { expect, test } from 'vitest';
import { useGpu } from '../helpers/gpu.js';

const sg = useGpu();
const withNaN = (values: number[], shape = [values.length]) => sg.tensor(values, shape, { allowNonFinite: true });
const read = async (t: { data(): Promise<ArrayLike<number>> }) => Array.from(await t.data());

test('division by zero: ±Inf by the signs, NaN for 0/0, by a scalar zero and by a tensor of zeros', async () => {
  const x = sg.tensor([3, -2, 0, 5]);
  const want = [Infinity, -Infinity, NaN, Infinity];
  expect(await read(x.div(0))).toEqual(want);
  expect(await read(x.div(sg.zeros([4])))).toEqual(want);
  expect(await read(x.div(withNaN([-0, -0, 1, 0])))).toEqual([-Infinity, Infinity, 0, Infinity]); // -0 flips the sign
  expect(await read(withNaN([NaN]).div(0))).toEqual([NaN]);
  expect(await read(x.div(2))).toEqual([1.5, -1, 0, 2.5]); // ordinary division is unchanged
});

test('relu, maximum and minimum propagate NaN', async () => {
  const x = withNaN([1, NaN, -2, 0]);
  expect(await read(x.relu())).toEqual([1, NaN, 0, 0]);
  expect(await read(x.maximum(0.5))).toEqual([1, NaN, 0.5, 0.5]);
  expect(await read(x.minimum(0.5))).toEqual([0.5, NaN, -2, 0]);
  expect(await read(sg.tensor([1, 2]).maximum(withNaN([NaN, 0])))).toEqual([NaN, 2]);
});

test('max/min reductions are NaN when a NaN is reduced; argmax/argmin give the first NaN', async () => {
  const x = withNaN([1, 5, NaN, 7, NaN, 2, 3, -1, 0, 4, 8, 6], [3, 4]);
  // rows: [1, 5, NaN, 7], [NaN, 2, 3, -1], [0, 4, 8, 6]
  expect(await read(x.max(1))).toEqual([NaN, NaN, 8]);
  expect(await read(x.min(1))).toEqual([NaN, NaN, 0]);
  expect(await read(x.argmax(1))).toEqual([2, 0, 2]);
  expect(await read(x.argmin(1))).toEqual([2, 0, 0]);
  expect(await read(x.max())).toEqual([NaN]);
  expect(await read(x.argmax(0))).toEqual([1, 0, 0, 0]); // columns: [1, NaN, 0] → 1; [5, 2, 4] → 0; [NaN, 3, 8] → 0; [7, -1, 6] → 0
  // a long row (many lanes, the tree combine): the NaN far from the start still wins, at its index
  const long = new Float32Array(1000).map((_, i) => i % 97);
  long[611] = NaN;
  long[900] = NaN;
  const l = withNaN(Array.from(long));
  expect(await read(l.argmax(0))).toEqual([611]);
  expect(await read(l.max())).toEqual([NaN]);
});
