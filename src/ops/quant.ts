// int8 quantization ops: symmetric per-row packing of float rows into int8 (four to an int32 word), the
// int8 GEMM with i32 accumulation and dequantised float32 output, and fake quantization (the forward of
// quantization-aware training). None has a useful derivative (round is flat almost everywhere): QAT's
// straight-through estimator is written where it is used (src/nn/quantized.ts), not hidden in an op.
import { DTypeError, ShapeError, ValueError } from '../core/errors.js';
import { zipWith, type Nd } from '../core/nd.js';
import { shapeStr } from '../core/shape.js';
import { isContiguous } from '../graph/node.js';
import { INT8_MATMUL_VARIANTS, int8MatmulKernel, int8PackKernel, packedWords, type Int8MatmulVariant } from '../kernels/quant.js';
import type { Tensor } from '../tensor/tensor.js';
import { contiguous } from './elementwise.js';
import { NOT_DIFFERENTIABLE, primitive, type OutputSpec, type TensorMeta } from './op.js';
import { elementwise, kernelNode, named } from './record.js';

/** The largest magnitude of a symmetric int8 value (−128 is left out, as PyTorch's qint8 symmetric range). */
export const INT8_MAX = 127;

/** Round half to even (WGSL's round). */
function roundEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
const quantize = (v: number, s: number) => (s > 0 ? Math.max(-INT8_MAX, Math.min(INT8_MAX, roundEven(v / s))) : 0);

function checkDtype(op: string, arg: string, t: TensorMeta, want: 'float32' | 'int32'): void {
  if (t.dtype !== want) throw new DTypeError(`${op}: ${arg} must be ${want}, got ${t.dtype} tensor of shape ${shapeStr(t.shape)}`);
}

function packShape(x: TensorMeta, scale: TensorMeta): OutputSpec {
  checkDtype('int8Pack', 'input', x, 'float32');
  checkDtype('int8Pack', 'scale', scale, 'float32');
  if (x.shape.length !== 2) throw new ShapeError(`int8Pack: input must be [rows, k], got shape ${shapeStr(x.shape)}`);
  if (scale.shape.length !== 1 || scale.shape[0] !== x.shape[0]) throw new ShapeError(`int8Pack: scale must be [${x.shape[0]}] (one per row of input ${shapeStr(x.shape)}), got ${shapeStr(scale.shape)}`);
  return { shape: [x.shape[0], packedWords(x.shape[1])], dtype: 'int32' };
}

function matmulShape(a: TensorMeta, w: TensorMeta, aScale: TensorMeta, wScale: TensorMeta): OutputSpec {
  checkDtype('int8Matmul', 'a', a, 'int32');
  checkDtype('int8Matmul', 'w', w, 'int32');
  checkDtype('int8Matmul', 'aScale', aScale, 'float32');
  checkDtype('int8Matmul', 'wScale', wScale, 'float32');
  if (a.shape.length !== 2 || w.shape.length !== 2 || a.shape[1] !== w.shape[1])
    throw new ShapeError(`int8Matmul: a [M, K/4] and w [N, K/4] must be packed along the same K, got shapes ${shapeStr(a.shape)} and ${shapeStr(w.shape)}`);
  if (aScale.shape.length !== 1 || aScale.shape[0] !== a.shape[0]) throw new ShapeError(`int8Matmul: aScale must be [${a.shape[0]}], got ${shapeStr(aScale.shape)}`);
  if (wScale.shape.length !== 1 || wScale.shape[0] !== w.shape[0]) throw new ShapeError(`int8Matmul: wScale must be [${w.shape[0]}], got ${shapeStr(wScale.shape)}`);
  return { shape: [a.shape[0], w.shape[0]], dtype: 'float32' };
}

/** The four int8 values of a packed word (little-endian bytes, sign-extended). */
export function unpackWord(word: number): number[] {
  return [0, 8, 16, 24].map((b) => ((word << (24 - b)) >> 24));
}

export const QUANT_OPS = {
  int8Pack: primitive({
    doc: 'symmetric int8 quantization of the rows of x [rows, k]: clamp(round(x / scale[row]), −127, 127) (half to even), packed four to an int32 word [rows, ceil(k/4)] little-endian, zeros past k',
    shape: packShape,
    kernel: { module: 'kernels/quant.ts', variants: 'one variant (int8_pack.wgsl)' },
    grad: NOT_DIFFERENTIABLE,
    reference: (x: Nd, scale: Nd): Nd => {
      const [rows, k] = x.shape;
      const k4 = packedWords(k);
      const out = new Float64Array(rows * k4);
      for (let r = 0; r < rows; r++)
        for (let w = 0; w < k4; w++) {
          let word = 0;
          for (let j = 0; j < 4; j++) {
            const c = w * 4 + j;
            const q = c < k ? quantize(x.data[r * k + c], scale.data[r]) : 0;
            word |= (q & 0xff) << (8 * j);
          }
          out[r * k4 + w] = word | 0;
        }
      return { shape: [rows, k4], data: out };
    },
  }),
  int8Matmul: primitive({
    doc: 'int8 GEMM of packed a [M, K/4] and w [N, K/4] (int8Pack): f32(Σ_k a[m,k]·w[n,k], exact in i32) · aScale[m] · wScale[n] → float32 [M, N]',
    shape: matmulShape,
    kernel: { module: 'kernels/quant.ts', variants: `chooseInt8MatmulVariant(caps) over ${INT8_MATMUL_VARIANTS.join(', ')}: dot4 (dot4I8Packed) where the WGSL language feature packed_4x8_integer_dot_product is reported, else unpack` },
    grad: NOT_DIFFERENTIABLE,
    reference: (a: Nd, w: Nd, aScale: Nd, wScale: Nd): Nd => {
      const [M, K4] = a.shape;
      const N = w.shape[0];
      const out = new Float64Array(M * N);
      for (let m = 0; m < M; m++)
        for (let n = 0; n < N; n++) {
          let acc = 0;
          for (let k = 0; k < K4; k++) {
            const x = unpackWord(a.data[m * K4 + k]);
            const y = unpackWord(w.data[n * K4 + k]);
            for (let j = 0; j < 4; j++) acc += x[j] * y[j];
          }
          out[m * N + n] = acc * aScale.data[m] * wScale.data[n];
        }
      return { shape: [M, N], data: out };
    },
  }),
  fakeQuantize: primitive({
    doc: 'fake int8 quantization (torch.fake_quantize_per_channel_affine, symmetric): clamp(round(x / scale), −127, 127) · scale, scale broadcast against x (per tensor or per channel); 0 where scale ≤ 0',
    shape: (x: TensorMeta, scale: TensorMeta): OutputSpec => {
      checkDtype('fakeQuantize', 'input', x, 'float32');
      checkDtype('fakeQuantize', 'scale', scale, 'float32');
      return { shape: [...x.shape], dtype: 'float32' };
    },
    kernel: { module: 'kernels/elementwise.ts', variants: 'fused elementwise', expr: 'select(clamp(round($0 / $1), -127.0, 127.0) * $1, 0.0, $1 <= 0.0)' },
    grad: NOT_DIFFERENTIABLE,
    reference: (x: Nd, scale: Nd): Nd => zipWith([x, scale], (v, s) => (s > 0 ? quantize(v, s) * s : 0)),
  }),
};

/** x [rows, k] quantized by per-row scales and packed (see QUANT_OPS.int8Pack). */
export function int8Pack(x: Tensor, scale: Tensor): Tensor {
  const out = QUANT_OPS.int8Pack.shape(x, scale);
  const [rows, k] = x.shape;
  if (rows * k === 0) return named(elementwise('0.0', [], out.shape, 'int32'), 'int8Pack', [x, scale]);
  const xs = isContiguous(x.view) && x.view.offset === 0 ? x : contiguous(x);
  const ss = isContiguous(scale.view) && scale.view.offset === 0 ? scale : contiguous(scale);
  const y = kernelNode(`int8Pack${rows}x${k}`, [xs, ss], out.shape, out.dtype, (_node, caps) => [
    { spec: int8PackKernel(rows, k, caps), bind: [{ input: 0 }, { input: 1 }, { output: true }] },
  ]);
  return named(y, 'int8Pack', [x, scale]);
}

/** The int8 GEMM (see QUANT_OPS.int8Matmul); `variant` forces 'dot4' or 'unpack' (tests, benchmarks). */
export function int8Matmul(a: Tensor, w: Tensor, aScale: Tensor, wScale: Tensor, options: { variant?: Int8MatmulVariant } = {}): Tensor {
  const out = QUANT_OPS.int8Matmul.shape(a, w, aScale, wScale);
  if (options.variant !== undefined && !INT8_MATMUL_VARIANTS.includes(options.variant))
    throw new ValueError(`int8Matmul: variant must be one of ${INT8_MATMUL_VARIANTS.join(', ')}, got ${JSON.stringify(options.variant)}`);
  const [M, K4] = a.shape;
  const N = w.shape[0];
  if (M * N === 0 || K4 === 0) return named(elementwise('0.0', [], out.shape), 'int8Matmul', [a, w, aScale, wScale]);
  const inputs = [a, w, aScale, wScale].map((t) => (isContiguous(t.view) && t.view.offset === 0 ? t : contiguous(t)));
  const y = kernelNode(`int8Matmul${M}x${N}x${K4}${options.variant ?? ''}`, inputs, out.shape, out.dtype, (_node, caps) => [
    { spec: int8MatmulKernel(M, N, K4, caps, options.variant), bind: [{ input: 0 }, { input: 1 }, { input: 2 }, { input: 3 }, { output: true }] },
  ]);
  return named(y, 'int8Matmul', [a, w, aScale, wScale]);
}

/** Fake int8 quantization of x by `scale` (broadcast: a scalar tensor or per channel), see QUANT_OPS.fakeQuantize. */
export function fakeQuantize(x: Tensor, scale: Tensor): Tensor {
  QUANT_OPS.fakeQuantize.shape(x, scale);
  const expr = (QUANT_OPS.fakeQuantize.kernel as { expr: string }).expr;
  const shape = [...x.shape];
  if (scale.rank > x.rank || scale.shape.some((d, i) => d !== 1 && d !== x.shape[x.rank - scale.rank + i]))
    throw new ShapeError(`fakeQuantize: scale of shape ${shapeStr(scale.shape)} does not broadcast to input ${shapeStr(x.shape)}`);
  return named(elementwise(expr, [x, scale], shape), 'fakeQuantize', [x, scale]);
}
