// Creation ops recorded as kernels: no upload, the values are written by the fused kernel that first needs
// them (a value baked into the shader, or a function of the output coordinates). Host uploads (tensor,
// seeded rand/randn) are not ops: they live in tensor/creation.ts.
import type { DType } from '../core/dtype.js';
import { DTypeError, ShapeError, ValueError } from '../core/errors.js';
import { ndNumel, type Nd } from '../core/nd.js';
import { checkShape } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { f32Literal } from '../kernels/wgsl.js';
import { elementwise, named } from './record.js';
import { NOT_DIFFERENTIABLE, primitive, type OutputSpec } from './op.js';

const FUSED = { module: 'kernels/elementwise.ts', variants: 'one kernel per fused group (graph/plan.ts)' };

function checkDtype(op: string, dtype: DType): void {
  if (dtype !== 'float32' && dtype !== 'int32') throw new DTypeError(`${op}: unsupported dtype '${dtype}' (float32 or int32)`);
}

function checkFiniteArg(op: string, name: string, v: number): void {
  if (!Number.isFinite(v)) throw new ValueError(`${op}: ${name} must be a finite number, got ${v}`);
}

export const CREATION_OPS = {
  full: primitive({
    doc: "one value everywhere (torch.full); int32 truncates it. lower.ts's constant() is its float32 form for scalar operands",
    shape: (shape: number[], value: number, dtype: DType): OutputSpec => {
      checkShape('full', shape);
      checkDtype('full', dtype);
      if (dtype === 'int32') checkFiniteArg('full', 'an int32 fill value', value);
      return { shape: [...shape], dtype };
    },
    kernel: FUSED,
    /** The value as a WGSL literal (int32 outputs are stored from an f32 expression). */
    exprFor: (value: number, dtype: DType): string => (dtype === 'int32' ? String(Math.trunc(value)) + '.0' : f32Literal(value)),
    grad: NOT_DIFFERENTIABLE,
    reference: (shape: number[], value: number, dtype: DType = 'float32'): Nd => ({
      shape: [...shape],
      data: new Float64Array(ndNumel(shape)).fill(dtype === 'int32' ? Math.trunc(value) : value),
    }),
  }),
  arange: primitive({
    doc: '[start, start + step, ...) below end (torch.arange), from the output coordinate',
    shape: (start: number, end: number, step: number, dtype: DType): OutputSpec => {
      checkFiniteArg('arange', 'start', start);
      checkFiniteArg('arange', 'end', end);
      checkFiniteArg('arange', 'step', step);
      if (step === 0) throw new ShapeError('arange: step must not be 0');
      checkDtype('arange', dtype);
      // as torch.arange: the range must run the way step points (else its size would be negative)
      if ((end - start) / step < 0) throw new ValueError(`arange: end ${end} lies on the wrong side of start ${start} for step ${step} (a negative size)`);
      return { shape: [Math.max(0, Math.ceil((end - start) / step))], dtype };
    },
    kernel: FUSED,
    /** start + coordinate * step, in f32 (int32 outputs are stored from it). */
    exprFor: (start: number, step: number): string => `(f32(${start}) + f32($c0) * f32(${step}))`,
    grad: NOT_DIFFERENTIABLE,
    reference: (start: number, end: number, step: number): Nd => {
      const n = Math.max(0, Math.ceil((end - start) / step));
      return { shape: [n], data: Float64Array.from({ length: n }, (_, i) => start + i * step) };
    },
  }),
};

/** A tensor of `value` everywhere; lazy: written by the kernel that first needs it, no upload. */
export function full(shape: number[], value: number, dtype: DType = 'float32'): Tensor {
  const def = CREATION_OPS.full;
  const out = def.shape(shape, value, dtype);
  return named(elementwise(def.exprFor(value, out.dtype), [], out.shape, out.dtype), 'full');
}

/** [start, start + step, ...) below end; int32 when start and step are integers unless a dtype is given. */
export function arange(startOrEnd: number, end?: number, step = 1, dtype?: DType): Tensor {
  const start = end === undefined ? 0 : startOrEnd;
  const stop = end === undefined ? startOrEnd : end;
  const def = CREATION_OPS.arange;
  const out = def.shape(start, stop, step, dtype ?? (Number.isInteger(start) && Number.isInteger(step) ? 'int32' : 'float32'));
  return named(elementwise(def.exprFor(start, step), [], out.shape, out.dtype), 'arange');
}

