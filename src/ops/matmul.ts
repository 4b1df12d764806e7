// Batched matmul with NumPy batch broadcasting; transposes and broadcasts are folded into the kernel's
// strides, so the backward pass (g @ Bᵀ, Aᵀ @ g) reads the same buffers without copies.
import type { View } from '../graph/node.js';
import { matmulKernel, type MatmulParams } from '../kernels/matmul.js';
import { DTypeError, ShapeError } from '../core/errors.js';
import { runtime } from '../runtime/runtime.js';
import { broadcastShapes, numel, shapeStr } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { contiguous } from './elementwise.js';
import { broadcastView, constant, kernelNode, unbroadcast, withGrad } from './lower.js';

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
  for (const [arg, t] of [['first', aIn], ['second', bIn]] as const)
    if (t.dtype !== 'float32') throw new DTypeError(`matmul: the ${arg} argument must be float32, got ${t.dtype} tensor of shape ${shapeStr(t.shape)}`);
  if (aIn.rank === 0 || bIn.rank === 0) throw new ShapeError(`matmul: arguments must have at least 1 dimension, got shapes ${shapeStr(aIn.shape)} and ${shapeStr(bIn.shape)}`);
  // 1-D operands as in NumPy: a vector on the left is a row, on the right a column; that dim is dropped after
  if (aIn.rank === 1) return matmul(aIn.unsqueeze(0), bIn).squeeze(bIn.rank === 1 ? -1 : -2);
  if (bIn.rank === 1) return matmul(aIn, bIn.unsqueeze(-1)).squeeze(-1);
  const [M, K] = aIn.shape.slice(-2);
  const [K2, N] = bIn.shape.slice(-2);
  if (K !== K2) throw new ShapeError(`matmul: inner dimensions differ: ${shapeStr(aIn.shape)} @ ${shapeStr(bIn.shape)} (${K} vs ${K2})`);
  const batch = broadcastShapes('matmul', aIn.shape.slice(0, -2), bIn.shape.slice(0, -2));
  const outShape = [...batch, M, N];
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
    y = kernelNode('matmul', [a, b], outShape, 'float32', (node, caps) => {
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
  return withGrad(y, 'matmul', [aIn, bIn], (g) => [
    aIn.requiresGrad ? unbroadcast(g.matmul(bIn.detach().transpose(-2, -1)), aIn.shape) : null,
    bIn.requiresGrad ? unbroadcast(aIn.detach().transpose(-2, -1).matmul(g), bIn.shape) : null,
  ]);
}
