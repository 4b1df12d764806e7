// PyTorch's nn.Upsample: F.interpolate with its size or scale factor, mode and alignCorners fixed at
// construction (checked there by the op's own rule). No parameters.
import type { Pair } from '../core/shape.js';
import type { InterpolateMode } from '../kernels/interpolate.js';
import { checkInterpolateOptions, interpolate, type InterpolateOptions } from '../ops/interpolate.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

export type UpsampleOptions = Omit<InterpolateOptions, 'name'>;

export class Upsample extends Module {
  readonly name: string;
  readonly size: [number, number] | null;
  readonly scaleFactor: [number, number] | null;
  readonly mode: InterpolateMode;
  /** As PyTorch's field: null for 'nearest' (no such choice), else the given value or false. */
  readonly alignCorners: boolean | null;
  constructor(readonly options: UpsampleOptions) {
    super();
    const what = options?.size !== undefined ? `size ${str(options.size)}` : `scaleFactor ${str(options?.scaleFactor)}`;
    this.name = `Upsample(${what}, ${options?.mode ?? 'nearest'})`;
    const o = checkInterpolateOptions(this.name, options);
    this.size = o.size;
    this.scaleFactor = o.scale;
    this.mode = o.mode;
    this.alignCorners = o.mode === 'bilinear' ? o.alignCorners : null;
  }
  forward(x: Tensor): Tensor {
    return interpolate(x, { ...this.options, name: this.name });
  }
}

const str = (v: Pair | undefined) => (Array.isArray(v) ? v.join('x') : String(v));
