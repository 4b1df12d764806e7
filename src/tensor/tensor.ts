// Tensor: a lazy, strided view over a graph node, with reverse-mode autograd.
// Ops only record nodes; `data()`, `item()`, `sg.realize()` and optimizer steps run them on the GPU.
import { checkGpuErrors, realizeNodes } from '../graph/execute.js';
import { BYTES_PER_ELEMENT, type DType } from '../core/dtype.js';
import { LazyNode, Storage, contiguousView, isContiguous, type Source, type View } from '../graph/node.js';
import { DisposedTensorError, ShadergradError, ShapeError, ValueError } from '../core/errors.js';
import { readBuffer } from '../runtime/readback.js';
import { faultPoint } from '../runtime/fault-injection.js';
import { runtime } from '../runtime/runtime.js';
import { numel, shapeStr } from '../core/shape.js';
import { backward as autogradBackward } from '../graph/autograd.js';
import type * as OpsModule from '../ops/index.js';
import type { GeluOptions } from '../ops/activation.js';

export { noGrad, isGradEnabled } from '../graph/autograd.js';

export type Scalar = number;
export type TensorLike = Tensor | Scalar;

/** How a tensor was made, for backward: its inputs and a rule giving their gradients from the output's. */
export interface GradContext {
  op: string;
  inputs: Tensor[];
  backward: (grad: Tensor) => (Tensor | null)[];
}

/**
 * The op layer, which Tensor's methods call. src/ops/index.ts binds it when it loads (src/index.ts imports
 * it): ops construct Tensors, so a direct import here would make tensor ↔ ops an import cycle (the same
 * hand-off as TensorFlow.js's setOpHandler).
 */
let bound: typeof OpsModule | null = null;

export function bindTensorOps(ops: typeof OpsModule): void {
  bound = ops;
}

function ops(): typeof OpsModule {
  if (!bound) throw new ShadergradError('shadergrad: the op layer is not loaded (import shadergrad, not tensor/tensor.js alone)');
  return bound;
}

export class Tensor {
  requiresGrad = false;
  /** Accumulated gradient (a lazy tensor), set by backward() on tensors that require grad and are leaves. */
  grad: Tensor | null = null;
  ctx: GradContext | null = null;
  /** Host copy of int32 data made from the CPU, so ops can check values (class ids) before any GPU work. */
  hostInts: Int32Array | null = null;
  /** Set by dispose() on a view of part of a buffer (a slice): this handle is dead, the buffer is not. */
  handleDisposed = false;

  constructor(
    public node: LazyNode,
    public view: View,
  ) {}

  get shape(): number[] {
    return this.view.shape;
  }
  get dtype(): DType {
    return this.node.dtype;
  }
  get rank(): number {
    return this.view.shape.length;
  }
  get size(): number {
    return numel(this.view.shape);
  }
  get isLeaf(): boolean {
    return this.ctx === null;
  }
  toString(): string {
    return `Tensor(${shapeStr(this.shape)}, ${this.dtype}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }

  /** This tensor as an op input. */
  source(): Source {
    return { node: this.node, view: this.view };
  }

  /** Marks a leaf as needing a gradient (returns this, like requires_grad_()). */
  requiresGrad_(on = true): this {
    this.requiresGrad = on;
    return this;
  }

  /** A tensor sharing this one's data but cut from the autograd graph. */
  detach(): Tensor {
    return new Tensor(this.node, this.view);
  }

  // ---- realization and readback -------------------------------------------------------------

  /** Runs the pending graph behind this tensor (one submit); no readback. */
  realize(): this {
    realizeNodes([this.node]);
    return this;
  }

  /** Reads the values back (Float32Array, or Int32Array for int32 tensors). */
  async data(): Promise<Float32Array | Int32Array> {
    checkUsable(this, 'read');
    const t = isContiguous(this.view) ? this : this.contiguous();
    t.realize();
    const rt = runtime();
    const bytes = t.size * BYTES_PER_ELEMENT[t.dtype];
    await checkGpuErrors();
    const raw = await readBuffer(rt, t.node.storage!.buffer, t.view.offset * 4, bytes);
    await checkGpuErrors();
    return t.dtype === 'int32' ? new Int32Array(raw) : new Float32Array(raw);
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    checkUsable(this, 'read');
    if (this.size !== 1) throw new ShapeError(`item(): tensor of shape ${shapeStr(this.shape)} has ${this.size} elements, not 1`);
    return (await this.data())[0];
  }

  /** Nested arrays, like tensor.tolist() in PyTorch. */
  async array(): Promise<unknown> {
    const flat = Array.from(await this.data());
    const build = (dim: number, offset: number): unknown => {
      if (dim === this.rank) return flat[offset];
      const step = numel(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * step));
    };
    return build(0, 0);
  }

  /**
   * Frees this tensor's GPU buffer now (optional: unreachable tensors are freed anyway). A view of only
   * part of a buffer (a slice, a strided or offset window) cannot free what the rest of the buffer still
   * holds for the tensor it was cut from: disposing it ends this handle only (reading it afterwards is a
   * DisposedTensorError), and the buffer goes with the tensor that covers it whole.
   */
  dispose(): void {
    if (viewsPartOfNode(this)) this.handleDisposed = true;
    else if (this.node.storage) this.node.storage.dispose();
  }

  // ---- autograd ------------------------------------------------------------------------------

  /** Accumulates d(this)/d(leaf) into every leaf's `.grad`. `grad` defaults to 1 for a scalar. */
  backward(grad?: Tensor): void {
    autogradBackward(this, grad, () => ops().constant(1, []));
  }

  // ---- elementwise ---------------------------------------------------------------------------
  add(o: TensorLike): Tensor { return ops().binary('add', this, o); }
  sub(o: TensorLike): Tensor { return ops().binary('sub', this, o); }
  mul(o: TensorLike): Tensor { return ops().binary('mul', this, o); }
  div(o: TensorLike): Tensor { return ops().binary('div', this, o); }
  pow(o: TensorLike): Tensor { return ops().binary('pow', this, o); }
  maximum(o: TensorLike): Tensor { return ops().binary('maximum', this, o); }
  minimum(o: TensorLike): Tensor { return ops().binary('minimum', this, o); }
  lt(o: TensorLike): Tensor { return ops().binary('lt', this, o); }
  le(o: TensorLike): Tensor { return ops().binary('le', this, o); }
  gt(o: TensorLike): Tensor { return ops().binary('gt', this, o); }
  ge(o: TensorLike): Tensor { return ops().binary('ge', this, o); }
  eq(o: TensorLike): Tensor { return ops().binary('eq', this, o); }
  ne(o: TensorLike): Tensor { return ops().binary('ne', this, o); }
  neg(): Tensor { return ops().unary('neg', this); }
  exp(): Tensor { return ops().unary('exp', this); }
  log(): Tensor { return ops().unary('log', this); }
  sqrt(): Tensor { return ops().unary('sqrt', this); }
  abs(): Tensor { return ops().unary('abs', this); }
  relu(): Tensor { return ops().unary('relu', this); }
  sigmoid(): Tensor { return ops().unary('sigmoid', this); }
  tanh(): Tensor { return ops().unary('tanh', this); }
  square(): Tensor { return this.mul(this); }
  erf(): Tensor { return ops().unary('erf', this); }
  /** GELU, exact (erf) by default as PyTorch; `{ approximate: 'tanh' }` for the tanh form. */
  gelu(options?: GeluOptions): Tensor { return ops().gelu(this, options); }
  leakyRelu(slope = 0.01): Tensor { return ops().leakyRelu(this, slope); }
  where(cond: Tensor, other: TensorLike): Tensor { return ops().where(cond, this, other); }
  cast(dtype: DType): Tensor { return ops().cast(this, dtype); }
  float(): Tensor { return ops().cast(this, 'float32'); }
  int(): Tensor { return ops().cast(this, 'int32'); }

  // ---- reductions ----------------------------------------------------------------------------
  sum(axis?: number | number[], keepDim = false): Tensor { return ops().reduce('sum', this, axis, keepDim); }
  mean(axis?: number | number[], keepDim = false): Tensor { return ops().mean(this, axis, keepDim); }
  max(axis?: number | number[], keepDim = false): Tensor { return ops().reduce('max', this, axis, keepDim); }
  min(axis?: number | number[], keepDim = false): Tensor { return ops().reduce('min', this, axis, keepDim); }
  argmax(axis?: number, keepDim = false): Tensor { return ops().argReduce('argmax', this, axis, keepDim); }
  argmin(axis?: number, keepDim = false): Tensor { return ops().argReduce('argmin', this, axis, keepDim); }

  // ---- linear algebra, softmax ---------------------------------------------------------------
  matmul(o: Tensor): Tensor { return ops().matmul(this, o); }
  softmax(axis = -1): Tensor { return ops().softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return ops().logSoftmax(this, axis); }

  // ---- movement ------------------------------------------------------------------------------
  reshape(shape: number[]): Tensor { return ops().reshape(this, shape); }
  flatten(startDim = 0, endDim = -1): Tensor { return ops().flatten(this, startDim, endDim); }
  transpose(a = -2, b = -1): Tensor { return ops().transpose(this, a, b); }
  get T(): Tensor { return ops().transpose(this, -2, -1); }
  permute(perm: number[]): Tensor { return ops().permute(this, perm); }
  expand(shape: number[]): Tensor { return ops().expand(this, shape); }
  squeeze(axis?: number): Tensor { return ops().squeeze(this, axis); }
  unsqueeze(axis: number): Tensor { return ops().unsqueeze(this, axis); }
  slice(starts: number[], ends?: number[]): Tensor { return ops().slice(this, starts, ends); }
  contiguous(): Tensor { return ops().contiguous(this); }
  gather(indices: Tensor): Tensor { return ops().gather(this, indices); }
}

/** A tensor holding host data in a fresh GPU buffer (a realized leaf). */
export function fromHost(data: Float32Array | Int32Array, shape: number[], dtype: DType): Tensor {
  const rt = runtime();
  const bytes = Math.max(data.byteLength, 4);
  const storage = new Storage(rt.pool.acquire(bytes, 'tensor'), bytes, rt.pool.release, rt.pool);
  faultPoint(rt.device, 'upload');
  if (data.byteLength > 0) rt.device.queue.writeBuffer(storage.buffer, 0, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
  const node = new LazyNode({ type: 'leaf' }, [], [...shape], dtype, storage);
  const t = new Tensor(node, contiguousView(shape));
  if (dtype === 'int32') t.hostInts = data as Int32Array;
  return t;
}

/** Throws a ValueError when float input data holds NaN or ±Infinity (pass allowNonFinite to skip). */
export function checkFinite(op: string, data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i])) throw new ValueError(`${op}: input data has a non-finite value (${data[i]}) at flat index ${i}; pass { allowNonFinite: true } if that is intended`);
}

/** Realizes several tensors in one submit (e.g. the loss and the metrics of a step). */
export function realize(...tensors: Tensor[]): void {
  realizeNodes(tensors.map((t) => t.node));
}

/** True when the view addresses fewer than all of its node's elements (an offset, a slice, a stride > 1). */
function viewsPartOfNode(t: Tensor): boolean {
  if (t.view.offset !== 0) return true;
  let distinct = 1;
  t.view.shape.forEach((d, i) => { if (t.view.strides[i] !== 0) distinct *= d; });
  return distinct < t.node.size;
}

/**
 * Throws a DisposedTensorError naming the tensor and its state when its buffer is gone: freed by
 * dispose() (the buffer may already hold another tensor's values), or made by a runtime that
 * sg.destroy() ended (the buffer belongs to a destroyed device). Reading or using it would be wrong.
 */
export function checkUsable(t: Tensor, use: string): void {
  if (t.handleDisposed) throw new DisposedTensorError(`a disposed tensor (${t}) was ${use}: dispose() ended this view`);
  const s = t.node.storage;
  if (!s) return;
  if (s.disposed) throw new DisposedTensorError(`a disposed tensor (${t}) was ${use}: dispose() freed its buffer`);
  if (s.owner !== runtime().pool) throw new DisposedTensorError(`a tensor (${t}) of a runtime that sg.destroy() ended was ${use}: make it again after sg.init()`);
}
