// LayerNorm (PyTorch's F.layer_norm): normalise over the trailing dims, then scale and shift.
// A composition of reductions and elementwise ops (the planner fuses the elementwise parts), so the
// gradient needs no code of its own; a fused kernel waits for the bench to show it pays.
import { ShapeError, ValueError } from '../core/errors.js';
import { shapeStr } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';

export function layerNorm(x: Tensor, normalizedShape: number[], weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  const n = normalizedShape.length;
  const trailing = x.shape.slice(x.rank - n);
  if (n === 0 || x.rank < n || trailing.some((d, i) => d !== normalizedShape[i]))
    throw new ShapeError(`layerNorm: input of shape ${shapeStr(x.shape)} does not end with the normalized shape ${shapeStr(normalizedShape)}`);
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const)
    if (t && (t.rank !== n || t.shape.some((d, i) => d !== normalizedShape[i])))
      throw new ShapeError(`layerNorm: ${name} must have the normalized shape ${shapeStr(normalizedShape)}, got ${shapeStr(t.shape)}`);
  if (!(eps >= 0)) throw new ValueError(`layerNorm: eps must be non-negative, got ${eps}`);
  const axes = normalizedShape.map((_, i) => x.rank - n + i);
  const centered = x.sub(x.mean(axes, true));
  const variance = centered.mul(centered).mean(axes, true);
  let y = centered.div(variance.add(eps).sqrt());
  if (weight) y = y.mul(weight);
  if (bias) y = y.add(bias);
  return y;
}
