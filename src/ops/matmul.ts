// Batched matmul with NumPy batch broadcasting and 1-D operands; transposes and broadcasts are folded into
// the kernel's strides, so the backward pass (g @ Bᵀ, Aᵀ @ g) reads the same buffers without copies. The
// kernel variant is picked per shape and adapter by chooseMatmulVariant (kernels/matmul.ts).
import type { View } from '../graph/node.js';
import { MATMUL_VARIANTS, matmulKernel, type MatmulParams } from '../kernels/matmul.js';
import { DTypeError, InternalError, ShapeError } from '../core/errors.js';
import { broadcastShape, ndNumel, unravel, type Nd } from '../core/nd.js';
import { broadcastShapes, numel, shapeStr } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { contiguous } from './elementwise.js';
import { broadcastView, constant, kernelNode, unbroadcast, withGrad } from './record.js';
import { primitive, type OutputSpec, type TensorMeta } from './op.js';

/** The output, and the problem as the kernel sees it (1-D operands promoted to a row / a column). */
type MatmulSpec = OutputSpec & { batch: number[]; M: number; K: number; N: number };

function matmulShape(a: TensorMeta, b: TensorMeta): MatmulSpec {
  for (const [arg, t] of [['first', a], ['second', b]] as const)
    if (t.dtype !== 'float32') throw new DTypeError(`matmul: the ${arg} argument must be float32, got ${t.dtype} tensor of shape ${shapeStr(t.shape)}`);
  if (a.shape.length === 0 || b.shape.length === 0) throw new ShapeError(`matmul: arguments must have at least 1 dimension, got shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  // 1-D operands as in NumPy: a vector on the left is a row, on the right a column; that dim is dropped after
  const a2 = a.shape.length === 1 ? [1, ...a.shape] : a.shape;
  const b2 = b.shape.length === 1 ? [...b.shape, 1] : b.shape;
  const [M, K] = a2.slice(-2);
  const [K2, N] = b2.slice(-2);
  if (K !== K2) throw new ShapeError(`matmul: inner dimensions differ: ${shapeStr(a2)} @ ${shapeStr(b2)} (${K} vs ${K2})`);
  const batch = broadcastShapes('matmul', a2.slice(0, -2), b2.slice(0, -2));
  const shape = [...batch, ...(a.shape.length === 1 ? [] : [M]), ...(b.shape.length === 1 ? [] : [N])];
  return { shape, dtype: 'float32', batch, M, K, N };
}

/** NumPy matmul in float64: batched with broadcast batch dims; a 1-D left operand is a row, a 1-D right one a column. */
function matmulReference(a: Nd, b: Nd): Nd {
  const a2: Nd = a.shape.length === 1 ? { shape: [1, a.shape[0]], data: a.data } : a;
  const b2: Nd = b.shape.length === 1 ? { shape: [b.shape[0], 1], data: b.data } : b;
  const [M, K] = a2.shape.slice(-2);
  const [K2, N] = b2.shape.slice(-2);
  if (K !== K2) throw new InternalError(`reference matmul: inner dims ${K} vs ${K2}`);
  const aBatch = a2.shape.slice(0, -2);
  const bBatch = b2.shape.slice(0, -2);
  const batch = broadcastShape(aBatch, bBatch);
  const out = new Float64Array(ndNumel(batch) * M * N);
  for (let bi = 0; bi < ndNumel(batch); bi++) {
    const idx = unravel(bi, batch);
    // batch offset of each operand under broadcasting
    const aOff = broadcastFlat(aBatch, idx) * M * K;
    const bOff = broadcastFlat(bBatch, idx) * K * N;
    for (let m = 0; m < M; m++)
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a2.data[aOff + m * K + k] * b2.data[bOff + k * N + n];
        out[(bi * M + m) * N + n] = s;
      }
  }
  const shape = [...batch, M, N];
  if (b.shape.length === 1) shape.pop(); // drop the column dim N
  if (a.shape.length === 1) shape.splice(shape.length - (b.shape.length === 1 ? 1 : 2), 1); // drop the row dim M
  return { shape, data: out };
}

/** Flat index into an array of `shape` at the multi-index `idx` of a broadcast (larger) shape. */
function broadcastFlat(shape: number[], idx: number[]): number {
  const lead = idx.length - shape.length;
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d] + (shape[d] === 1 ? 0 : idx[d + lead]);
  return flat;
}

export const MATMUL_OPS = {
  matmul: primitive({
    doc: 'a @ b (NumPy matmul: broadcast batch dims, 1-D operands as a row / a column)',
    shape: matmulShape,
    kernel: {
      module: 'kernels/matmul.ts',
      variants: `chooseMatmulVariant(params, caps) over MATMUL_VARIANTS (${MATMUL_VARIANTS.map((v) => v.name).join(', ')}): naive when M*N*K <= 4096, subgroup on CPU adapters with a fixed subgroup size, else vec4, else naive`,
    },
    /** Gradients of a and b (rank >= 2, `wants` says which), summed back over broadcast batch dims. */
    grad: (a: Tensor, b: Tensor, g: Tensor, wants: readonly [boolean, boolean]): [Tensor | null, Tensor | null] => [
      wants[0] ? unbroadcast(g.matmul(b.transpose(-2, -1)), a.shape) : null,
      wants[1] ? unbroadcast(a.transpose(-2, -1).matmul(g), b.shape) : null,
    ],
    reference: matmulReference,
  }),
};

/** Strides (along rows, along cols) of the last two dims when one of them is 1, else null (needs a copy). */
function matrixStrides(view: View): { row: number; col: number } | null {
  const r = view.shape.length;
  const rows = view.shape[r - 2];
  const cols = view.shape[r - 1];
  let row = view.strides[r - 2];
  let col = view.strides[r - 1];
  if (cols === 1) col = 1;
  else if (rows === 1) row = col === 1 ? cols : 1;
  return row === 1 || col === 1 ? { row, col } : null;
}

export function matmul(aIn: Tensor, bIn: Tensor): Tensor {
  const def = MATMUL_OPS.matmul;
  const { shape: outShape, dtype, batch, M, K, N } = def.shape(aIn, bIn);
  // a 1-D operand: as a row / a column, that dim dropped after (the 2-D call records the gradient)
  if (aIn.rank === 1) return matmul(aIn.unsqueeze(0), bIn).squeeze(bIn.rank === 1 ? -1 : -2);
  if (bIn.rank === 1) return matmul(aIn, bIn.unsqueeze(-1)).squeeze(-1);
  if (batch.length > 3) {
    // the kernel takes up to 3 batch dims: fold the batch into one after materialising the broadcast
    const a3 = contiguous(aIn.expand([...batch, M, K])).reshape([numel(batch), M, K]);
    const b3 = contiguous(bIn.expand([...batch, K, N])).reshape([numel(batch), K, N]);
    return matmul(a3, b3).reshape(outShape);
  }
  let a = aIn;
  let b = bIn;
  if (!matrixStrides(a.view)) a = contiguous(a);
  if (!matrixStrides(b.view)) b = contiguous(b);

  let y: Tensor;
  if (numel(outShape) === 0 || K === 0) {
    y = constant(0, outShape);
  } else {
    y = kernelNode('matmul', [a, b], outShape, dtype, (node, caps) => {
      const av = broadcastView(node.inputs[0].view, [...batch, M, K]);
      const bv = broadcastView(node.inputs[1].view, [...batch, K, N]);
      const as = matrixStrides(av)!;
      const bs = matrixStrides(bv)!;
      const p: MatmulParams = {
        batchShape: batch, M, N, K,
        aBatchStrides: av.strides.slice(0, batch.length), bBatchStrides: bv.strides.slice(0, batch.length),
        aOffset: av.offset, bOffset: bv.offset,
        aRowStride: as.row, aColStride: as.col, bRowStride: bs.row, bColStride: bs.col,
      };
      return [{ spec: matmulKernel(p, caps), bind: [{ input: 0 }, { input: 1 }, { output: true }] }];
    });
  }
  return withGrad(y, 'matmul', [aIn, bIn], (g) => def.grad(aIn.detach(), bIn.detach(), g, [aIn.requiresGrad, bIn.requiresGrad]));
}
