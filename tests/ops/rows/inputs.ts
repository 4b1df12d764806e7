// Small tensors for bad-input cases (values do not matter: the op must refuse before any GPU work).
import * as sg from '../../../src/node/index.js';

export const f32 = (shape: number[], requiresGrad = false) => sg.tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.5), shape, { requiresGrad });
export const ints = (values: number[], shape = [values.length]) => sg.tensor(Int32Array.from(values), shape, { dtype: 'int32' });
/** A tensor whose buffer was freed by dispose(). */
export function disposed(shape: number[]): sg.Tensor {
  const t = f32(shape);
  t.dispose();
  return t;
}
