// Quantization-aware training: a Linear or Conv2d whose weights (per output channel) and inputs (per
// batch) are fake-quantized to int8 in forward(), so training sees the rounding it will meet after
// sg.nn.quantize. round() has no useful derivative; the straight-through estimator (Bengio et al. 2013)
// passes the gradient through as if the rounding were the identity: v + (fakeQuantize(v) − v).detach().
// The scales are max|v| / 127, so nothing is clamped and the identity is exact where it applies.
import { fakeQuantize, INT8_MAX } from '../ops/quant.js';
import { conv2d } from '../ops/conv.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Conv2d } from './conv.js';
import * as F from './functional.js';
import { Linear } from './layers.js';
import { isLinearOrUngroupedConv, replaceModules } from './module-tree.js';
import { Module } from './module.js';

/** Fake-quantized `v` by `scale` with a straight-through gradient. */
function straightThrough(v: Tensor, scale: Tensor): Tensor {
  return v.add(fakeQuantize(v, scale).sub(v).detach());
}

export class FakeQuantized extends Module {
  constructor(readonly layer: Linear | Conv2d) {
    super();
  }

  forward(x: Tensor): Tensor {
    const w = this.layer.weight;
    const channelDims = w.shape.slice(1).map((_, i) => i + 1);
    const wScale = w.abs().max(channelDims, true).div(INT8_MAX).detach();
    const xScale = x.abs().max().div(INT8_MAX).detach();
    const xq = straightThrough(x, xScale);
    const wq = straightThrough(w, wScale);
    if (this.layer instanceof Linear) return F.linear(xq, wq, this.layer.bias);
    const { stride, padding, dilation } = this.layer.options;
    return conv2d(xq, wq, this.layer.bias, { stride, padding, dilation, name: this.layer.name });
  }
}

/** Wraps every Linear and Conv2d (groups 1) of `model` for quantization-aware training (in place; returns `model`). */
export function prepareQAT<M extends Module>(model: M, skip: (layer: Module) => boolean = () => false): M {
  replaceModules(model, (m) => {
    if (m instanceof FakeQuantized || skip(m)) return m;
    return isLinearOrUngroupedConv(m) ? new FakeQuantized(m) : null;
  });
  return model;
}

/** Puts each FakeQuantized layer's float layer back in its place (before sg.nn.quantize converts it to int8). */
export function removeQAT<M extends Module>(model: M): M {
  replaceModules(model, (m) => (m instanceof FakeQuantized ? m.layer : null));
  return model;
}
