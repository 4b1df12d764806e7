// Helpers every op family uses to record nodes and gradient contexts.
import type { DType } from '../core/dtype.js';
import { labelNode } from '../graph/anomaly.js';
import { LazyNode, contiguousView, type KernelBuilder, type Storage, type View } from '../graph/node.js';
import { f32Literal } from '../kernels/wgsl.js';
import { ShapeError } from '../core/errors.js';
import { broadcastShapes, numel, shapeStr } from '../core/shape.js';
import { Tensor, checkUsable, isGradEnabled, type GradContext, type TensorLike } from '../tensor/tensor.js';

/** `view` broadcast to `shape` (NumPy rules; the caller has checked they fit). */
export function broadcastView(view: View, shape: number[]): View {
  const lead = shape.length - view.shape.length;
  const strides = shape.map((d, i) => {
    const j = i - lead;
    if (j < 0) return 0;
    return view.shape[j] === 1 && d !== 1 ? 0 : view.strides[j];
  });
  return { shape: [...shape], strides, offset: view.offset };
}

/** An elementwise node over `inputs` broadcast to `shape`; `expr` uses $0, $1, ... and $c0.. (coordinates). */
export function elementwise(expr: string, inputs: Tensor[], shape: number[], dtype: DType = 'float32'): Tensor {
  checkLive(inputs);
  const sources = inputs.map((t) => ({ node: t.node, view: broadcastView(t.view, shape) }));
  const node = new LazyNode({ type: 'elementwise', expr, cacheKey: expr }, sources, [...shape], dtype);
  return new Tensor(node, contiguousView(shape));
}

/** A node made by explicit kernels (matmul, reduce, softmax, ...). */
export function kernelNode(cacheKey: string, inputs: Tensor[], shape: number[], dtype: DType, build: KernelBuilder, scratchBytes: number[] = []): Tensor {
  checkLive(inputs);
  const node = new LazyNode({ type: 'kernel', cacheKey, build }, inputs.map((t) => t.source()), [...shape], dtype);
  node.scratchBytes = scratchBytes;
  return new Tensor(node, contiguousView(shape));
}

/** Refuses an input whose buffer is gone (dispose(), or a destroyed runtime): reading it would return whatever reuses the buffer. */
function checkLive(inputs: Tensor[]): void {
  for (const t of inputs) checkUsable(t, 'used as an op input');
}

/** A scalar constant (no upload: the value is baked into the fused kernel). */
export function constant(v: number, shape: number[] = []): Tensor {
  return elementwise(f32Literal(v), [], shape);
}

export function asTensor(x: TensorLike): Tensor {
  return typeof x === 'number' ? constant(x) : x;
}

/** Names the op that made `out`'s node for anomaly mode (graph/anomaly.ts; nothing when the mode is off). withGrad does it too. */
export function named(out: Tensor, op: string, inputs: Tensor[] = []): Tensor {
  labelNode(out.node, op, inputs.map((t) => t.node));
  return out;
}

/** Records how `out` was made so backward() can reach `inputs`. No-op under noGrad or when nothing needs grad. */
export function withGrad(out: Tensor, op: string, inputs: Tensor[], backward: GradContext['backward']): Tensor {
  named(out, op, inputs);
  if (isGradEnabled() && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.ctx = { op, inputs, backward };
  }
  return out;
}

/** Sums a broadcast gradient back down to `shape` (the inverse of broadcasting). */
export function unbroadcast(g: Tensor, shape: number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  g.shape.forEach((d, i) => {
    if (i < lead || (shape[i - lead] === 1 && d !== 1)) axes.push(i);
  });
  const summed = axes.length ? g.sum(axes, true) : g;
  return summed.reshape(shape);
}

export function checkSameDtype(op: string, a: Tensor, want: DType, arg: string): void {
  if (a.dtype !== want) throw new ShapeError(`${op}: ${arg} must be ${want}, got ${a.dtype} tensor of shape ${shapeStr(a.shape)}`);
}

export { broadcastShapes, numel };

/**
 * An in-place update (optimizer step): kernels that read `inputs` and write `writes` (storages of realized
 * tensors) in place. Realized with the step's other work; runs after every read of the old values.
 */
export function effectNode(cacheKey: string, inputs: Tensor[], writes: Storage[], build: KernelBuilder, dynamicParams: ArrayBuffer | null = null): LazyNode {
  const node = new LazyNode({ type: 'effect', cacheKey, build, writes }, inputs.map((t) => t.source()), [0], 'float32');
  node.dynamicParams = dynamicParams;
  return node;
}
