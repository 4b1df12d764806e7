// The execution graph: a LazyNode produces one contiguous buffer, or already holds one (a leaf).
// Tensors are strided views over nodes; movement ops (reshape, permute, expand, slice) make new views, not nodes.
import type { AdapterCaps, KernelSpec } from '../kernels/types.js';
import type { DType } from '../core/dtype.js';
import { contiguousStrides, numel, type Shape } from '../core/shape.js';


/** A strided window onto a node's contiguous buffer. Strides of 0 broadcast. */
export interface View {
  shape: number[];
  strides: number[];
  offset: number;
}

/** One input of a node: which node, seen through which view. */
export interface Source {
  node: LazyNode;
  view: View;
}

/** GPU memory owned by one realized node (or a parameter). Returned to the pool when unreachable or disposed. */
export class Storage {
  /** Bumped by in-place updates (optimizer steps); pending graphs that read an older version are stale. */
  version = 0;
  disposed = false;
  constructor(
    public buffer: GPUBuffer,
    public readonly bytes: number,
    private readonly releaseFn: (buffer: GPUBuffer) => void,
    /** The runtime's buffer pool the buffer came from: after sg.destroy() and sg.init() it is not the current one. */
    readonly owner: object,
  ) {
    storageRegistry.register(this, { buffer, release: releaseFn }, this);
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    storageRegistry.unregister(this);
    this.releaseFn(this.buffer);
  }
}

// When a Storage becomes unreachable its buffer goes back to the pool, so training loops need no dispose().
const storageRegistry = new FinalizationRegistry<{ buffer: GPUBuffer; release: (b: GPUBuffer) => void }>(({ buffer, release }) => release(buffer));

/** How a node makes its output: either an elementwise expression (fusable) or explicit kernels. */
export type NodeKind =
  | { type: 'leaf' }
  | { type: 'elementwise'; /** WGSL expression over inputs `$0`, `$1`, ... (all f32) */ expr: string; cacheKey: string }
  | { type: 'kernel'; cacheKey: string; build: KernelBuilder }
  | { type: 'effect'; cacheKey: string; build: KernelBuilder; /** storages written in place */ writes: Storage[] };

/** Turns a node into dispatches. `bind` refs name inputs, the output, or a scratch buffer. */
// Called at plan time with the adapter caps of the device the plan runs on (never caps captured when the op was recorded).
export type KernelBuilder = (node: LazyNode, caps: AdapterCaps) => Dispatch[];

/** `checks`: the plan's checks buffer (kernels/checks.ts: a bad index computed on the GPU is recorded there). */
export type BindRef = { input: number } | { output: true } | { scratch: number } | { written: number } | { checks: true };

/** What anomaly mode knows of a node (graph/anomaly.ts): set only while it is on, so off it costs nothing. */
export interface NodeLabel {
  /** The op's name in the table ('log', 'matmul', 'adam', ...). */
  op: string;
  /** The JS stack when the op was recorded. */
  stack: string;
  /** For an op recorded by backward(): the forward op whose gradient it is part of, and where that was recorded. */
  gradOf?: { op: string; stack: string | undefined };
}

export interface Dispatch {
  spec: KernelSpec;
  bind: BindRef[];
}

let nextId = 1;

export class LazyNode {
  readonly id = nextId++;
  /** For leaves: the storage version this node stands for. */
  version = 0;
  /** Scratch buffer sizes in bytes a kernel node needs during its dispatches. */
  scratchBytes: number[] = [];
  /** Uniform values that may change from one replay to the next (learning rate, step count). */
  dynamicParams: ArrayBuffer | null = null;
  /** Anomaly mode's record of the op that made this node (null when the mode was off). */
  label: NodeLabel | null = null;
  constructor(
    public kind: NodeKind,
    public inputs: Source[],
    public readonly shape: number[],
    public readonly dtype: DType,
    public storage: Storage | null = null,
  ) {
    if (storage) this.version = storage.version;
  }
  get isRealized(): boolean {
    return this.storage !== null;
  }
  get size(): number {
    return numel(this.shape);
  }
  /** After realization the node is a leaf: it forgets its inputs so they can be freed. */
  becomeLeaf(storage: Storage): void {
    this.storage = storage;
    this.version = storage.version;
    this.kind = { type: 'leaf' };
    this.inputs = [];
  }
}

export function contiguousView(shape: Shape): View {
  return { shape: [...shape], strides: contiguousStrides(shape), offset: 0 };
}

export function isContiguous(view: View): boolean {
  let s = 1;
  for (let i = view.shape.length - 1; i >= 0; i--) {
    if (view.shape[i] !== 1 && view.strides[i] !== s) return false;
    s *= view.shape[i];
  }
  return true;
}
