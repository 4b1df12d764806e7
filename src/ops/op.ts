// What an entry of the op table (src/ops/table.ts) holds. Each op family file defines its entries; the
// op functions of that file use the entry's shape rule and gradient rule, so neither can drift from the
// table, and the tests take the float64 reference from it.
import type { DType } from '../core/dtype.js';
import type { Nd } from '../core/nd.js';

/** Said explicitly by a primitive without a gradient (comparisons, integer outputs, index ops, updates). */
export const NOT_DIFFERENTIABLE = 'not differentiable';
export type NotDifferentiable = typeof NOT_DIFFERENTIABLE;

/** A tensor as the shape rules see it (a Tensor is one). */
export interface TensorMeta {
  readonly shape: number[];
  readonly dtype: DType;
}

/** The output a shape rule computes. */
export interface OutputSpec {
  shape: number[];
  dtype: DType;
}

/** Which WGSL family runs a primitive, and how its variant is chosen. */
export interface KernelChoice {
  /** The kernel module under src/kernels/ (its shaders are named there). */
  module: string;
  /** How the variant is picked: the chooser function and its rule, or 'one variant'. */
  variants: string;
  /** For fused elementwise primitives: the WGSL expression over $0, $1, ... */
  expr?: string;
}

/** A view op (reshape, permute, expand, slice): no kernel, a new strided window onto the same buffer. */
export const VIEW = 'view (no kernel)';

export interface PrimitiveOp {
  kind: 'primitive';
  /** One line: what the op computes (PyTorch's name where it differs). */
  doc: string;
  /** Output shape and dtype from the inputs and attributes; throws a typed error naming the argument. */
  shape: (...args: never[]) => OutputSpec;
  kernel: KernelChoice | typeof VIEW;
  /** Gradients of the inputs in terms of other ops, or NOT_DIFFERENTIABLE. */
  grad: ((...args: never[]) => unknown) | NotDifferentiable;
  /** Independent float64 CPU reference (tests compare the GPU result and central differences with it). */
  reference: (...args: never[]) => Nd;
}

export interface CompositeOp {
  kind: 'composite';
  doc: string;
  /** The ops of the table it is written from: its gradient is theirs, it needs no rule of its own. */
  of: readonly string[];
  reference: (...args: never[]) => Nd;
}

export type OpEntry = PrimitiveOp | CompositeOp;

/** Helpers that keep each entry's literal types (so callers see the exact rule signatures). */
export const primitive = <T extends Omit<PrimitiveOp, 'kind'>>(entry: T): T & { kind: 'primitive' } => ({ kind: 'primitive', ...entry });
export const composite = <T extends Omit<CompositeOp, 'kind'>>(entry: T): T & { kind: 'composite' } => ({ kind: 'composite', ...entry });
