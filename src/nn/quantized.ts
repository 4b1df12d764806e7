// Post-training int8 quantization of Linear and Conv2d (torch.ao.quantization's ideas, symmetric): weights
// per output channel (scale = max|w| / 127), activations per row of the layer's input matrix at run time
// ('dynamic') or one scale per layer calibrated on a few batches ('static'); the product runs in the int8
// GEMM (ops/quant.ts: dot4I8Packed, i32 sums) and comes out dequantised, plus the float bias. A conv goes
// through im2col first. State keys: `weight` (I8 in files), `weight_scale`, `bias`, `input_scale` (static).
// A gradient still reaches the input (the straight-through estimator: as if the layer were its dequantised
// float self), so adapters trained before a frozen int8 layer learn (LoRA over an int8 base).
import { ValueError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { conv2dGeometry, conv2d, im2col } from '../ops/conv.js';
import { INT8_MAX, int8Matmul, int8Pack } from '../ops/quant.js';
import { tensor } from '../tensor/creation.js';
import { isGradEnabled, noGrad, type Tensor } from '../tensor/tensor.js';
import { Conv2d } from './conv.js';
import { Linear } from './layers.js';
import { isLinearOrUngroupedConv, replaceModules } from './module-tree.js';
import { removeQAT } from './qat.js';
import { Module } from './module.js';

export type ActivationScaling = 'dynamic' | 'static';

/** Per-output-channel symmetric int8 of weight values [out, k]: the int8 values and the scales. */
function quantizeRows(w: Float32Array, out: number): { q: Int32Array; scale: Float32Array } {
  const k = w.length / out;
  const q = new Int32Array(w.length);
  const scale = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    let max = 0;
    for (let i = 0; i < k; i++) max = Math.max(max, Math.abs(w[o * k + i]));
    const s = max / INT8_MAX;
    scale[o] = s;
    for (let i = 0; i < k; i++) q[o * k + i] = s > 0 ? Math.max(-INT8_MAX, Math.min(INT8_MAX, Math.round(w[o * k + i] / s))) : 0;
  }
  return { q, scale };
}

abstract class QuantizedLayer extends Module {
  protected override readonly int8Buffers: ReadonlySet<string> = new Set(['weight']);
  readonly activations: ActivationScaling;
  /** While calibrating (static scaling), each batch's largest |input|, read at the end; forward() then runs in float. */
  calibrating: Tensor[] | null = null;
  private packedFor: Tensor | null = null;
  private packed: Tensor | null = null;

  protected constructor(weight: { q: Int32Array; scale: Float32Array; shape: number[] }, bias: Tensor | null, activations: ActivationScaling) {
    super();
    this.activations = activations;
    this.registerBuffer('weight', tensor(weight.q, weight.shape, { dtype: 'int32' }));
    this.registerBuffer('weight_scale', tensor(weight.scale, [weight.shape[0]]));
    if (bias) this.registerBuffer('bias', noGrad(() => bias.contiguous()));
    if (activations === 'static') this.registerBuffer('input_scale', tensor(Float32Array.of(0), [1]));
  }

  get outChannels(): number {
    return this.buffers.get('weight')!.shape[0];
  }

  /** The dequantised float weight (what the int8 weight stands for), in the weight's shape. */
  dequantizedWeight(): Tensor {
    const w = this.buffers.get('weight')!;
    const s = this.buffers.get('weight_scale')!.reshape([this.outChannels, ...w.shape.slice(1).map(() => 1)]);
    return noGrad(() => w.cast('float32').mul(s));
  }

  protected get bias(): Tensor | null {
    return this.buffers.get('bias') ?? null;
  }

  /** The weights and biases this layer holds as buffers (what its float version had as parameters). */
  get storedParameterCount(): number {
    return this.buffers.get('weight')!.size + (this.bias?.size ?? 0);
  }

  /** The float bias, or null. */
  biasTensor(): Tensor | null {
    return this.bias;
  }

  /** The int8 weight packed for the GEMM, [out, ceil(k/4)]; made again when a state load replaced the weight. */
  private packedWeight(): Tensor {
    const w = this.buffers.get('weight')!;
    if (this.packedFor !== w) {
      const rows = noGrad(() => w.cast('float32').reshape([this.outChannels, -1]));
      this.packed = int8Pack(rows, tensor(new Float32Array(this.outChannels).fill(1), [this.outChannels])).realize();
      this.packedFor = w;
    }
    return this.packed!;
  }

  /** rows [R, k] (float) times the int8 weight: quantize each row (or by the calibrated scale), GEMM, dequantise, add the bias. */
  protected int8Rows(rows: Tensor): Tensor {
    const R = rows.shape[0];
    return noGrad(() => {
      let aScale: Tensor;
      if (this.activations === 'dynamic') aScale = rows.abs().max(1).div(INT8_MAX);
      else aScale = this.buffers.get('input_scale')!.expand([R]).contiguous();
      const y = int8Matmul(int8Pack(rows, aScale), this.packedWeight(), aScale, this.buffers.get('weight_scale')!);
      return this.bias ? y.add(this.bias) : y;
    });
  }

  /** Records the input's largest magnitude while calibrating. */
  protected observe(x: Tensor): void {
    this.calibrating!.push(noGrad(() => x.abs().max()));
  }

  /** Ends calibration: input_scale = max|input| / 127 over the batches seen. */
  async finishCalibration(): Promise<void> {
    if (!this.calibrating) throw new ValueError(`${this.constructor.name}: not calibrating`);
    if (this.calibrating.length === 0) throw new ValueError(`${this.constructor.name}: calibration saw no batches (give calibration: [batches])`);
    let max = 0;
    for (const t of this.calibrating) max = Math.max(max, await t.item());
    this.registerBuffer('input_scale', tensor(Float32Array.of(max / INT8_MAX), [1]));
    this.calibrating = null;
  }

  /** The int8 result, with a straight-through gradient to x (the float layer's, with the dequantised weight) when x needs one. */
  protected withInputGradient(x: Tensor, int8: Tensor, float: (x: Tensor) => Tensor): Tensor {
    if (!(isGradEnabled() && x.requiresGrad)) return int8;
    const f = float(x);
    return f.sub(f.detach()).add(int8);
  }
}

export class QuantizedLinear extends QuantizedLayer {
  readonly inFeatures: number;
  readonly outFeatures: number;

  /** Holds `weight` as given; QuantizedLinear.from(linear) quantizes a float layer. */
  constructor(inFeatures: number, weight: { q: Int32Array; scale: Float32Array; shape: number[] }, bias: Tensor | null, activations: ActivationScaling) {
    super(weight, bias, activations);
    this.inFeatures = inFeatures;
    this.outFeatures = weight.shape[0];
  }

  /** An int8 Linear holding `weight` as given (quantizedLike: a checkpoint then loads into it). */
  static empty(inFeatures: number, weight: { q: Int32Array; scale: Float32Array; shape: number[] }, bias: Tensor | null, activations: ActivationScaling): QuantizedLinear {
    return new QuantizedLinear(inFeatures, weight, bias, activations);
  }

  /** The int8 version of a float Linear (its weights read back and quantized per output row). */
  static async from(layer: Linear, activations: ActivationScaling = 'dynamic'): Promise<QuantizedLinear> {
    const w = (await noGrad(() => layer.weight.mul(layer.pruningMask('weight') ?? 1)).data()) as Float32Array;
    const { q, scale } = quantizeRows(w, layer.outFeatures);
    return new QuantizedLinear(layer.inFeatures, { q, scale, shape: [layer.outFeatures, layer.inFeatures] }, layer.bias, activations);
  }

  forward(x: Tensor): Tensor {
    if (x.shape[x.rank - 1] !== this.inFeatures) throw new ValueError(`QuantizedLinear(${this.inFeatures}, ${this.outFeatures}): input's last dimension must be ${this.inFeatures}, got shape [${x.shape.join(', ')}]`);
    const float = (v: Tensor) => { const y = v.matmul(this.dequantizedWeight().transpose(0, 1)); return this.bias ? y.add(this.bias) : y; };
    if (this.calibrating) {
      this.observe(x);
      return float(x);
    }
    const lead = x.shape.slice(0, -1);
    const y = this.int8Rows(x.reshape([-1, this.inFeatures])).reshape([...lead, this.outFeatures]);
    return this.withInputGradient(x, y, float);
  }
}

export class QuantizedConv2d extends QuantizedLayer {
  readonly inChannels: number;
  readonly kernelSize: [number, number];
  readonly options: Conv2d['options'];

  /** Holds `weight` as given, with `conv`'s geometry; QuantizedConv2d.from(conv) quantizes a float layer. */
  constructor(conv: Conv2d, weight: { q: Int32Array; scale: Float32Array; shape: number[] }, activations: ActivationScaling) {
    super(weight, conv.bias, activations);
    this.inChannels = conv.inChannels;
    this.kernelSize = conv.kernelSize;
    this.options = { stride: conv.options.stride, padding: conv.options.padding, dilation: conv.options.dilation };
  }

  /** An int8 Conv2d of `conv`'s geometry holding `weight` as given (quantizedLike). */
  static empty(conv: Conv2d, weight: { q: Int32Array; scale: Float32Array; shape: number[] }, activations: ActivationScaling): QuantizedConv2d {
    return new QuantizedConv2d(conv, weight, activations);
  }

  /** The int8 version of a float Conv2d (groups 1), its filters quantized per output channel. */
  static async from(conv: Conv2d, activations: ActivationScaling = 'dynamic'): Promise<QuantizedConv2d> {
    if ((conv.options.groups ?? 1) !== 1) throw new ValueError(`QuantizedConv2d: ${conv.name} is grouped; only groups = 1`);
    const w = (await noGrad(() => conv.weight.mul(conv.pruningMask('weight') ?? 1)).data()) as Float32Array;
    const { q, scale } = quantizeRows(w, conv.outChannels);
    return new QuantizedConv2d(conv, { q, scale, shape: [...conv.weight.shape] }, activations);
  }

  forward(x: Tensor): Tensor {
    const { stride, padding, dilation } = this.options;
    const float = (v: Tensor) => conv2d(v, this.dequantizedWeight(), this.bias, { stride, padding, dilation, name: 'QuantizedConv2d' });
    if (this.calibrating) {
      this.observe(x);
      return float(x);
    }
    const wShape = this.buffers.get('weight')!.shape;
    const g = conv2dGeometry('QuantizedConv2d', x.shape, wShape, { stride, padding, dilation });
    const O = this.outChannels;
    const y = noGrad(() => {
      const cols = im2col(x.detach(), g).reshape([-1, g.N * g.OH * g.OW]).transpose(0, 1); // [positions, C·kH·kW]
      const rows = this.int8Rows(cols); // bias added per output channel
      return rows.reshape([g.N, g.OH, g.OW, O]).permute([0, 3, 1, 2]);
    });
    return this.withInputGradient(x, y, float);
  }
}

/**
 * Replaces every Linear and Conv2d (groups 1) of `model` by its int8 version (in place; returns `model`).
 * 'static' activations calibrate one input scale per layer on the `calibration` batches (run in float);
 * layers for which `skip` is true stay float (a head trained in full).
 */
export async function quantize<M extends Module>(model: M, options: { activations?: ActivationScaling; calibration?: Tensor[]; skip?: (layer: Module) => boolean } = {}): Promise<M> {
  checkOptions('quantize', options, { activations: ['dynamic', 'static'], calibration: 'any', skip: 'any' });
  const skip = options.skip ?? (() => false);
  removeQAT(model); // a model trained with prepareQAT: its float layers, now quantized for real
  const activations = options.activations ?? 'dynamic';
  if (activations === 'static' && !(options.calibration?.length)) throw new ValueError("quantize: activations 'static' needs calibration: a non-empty array of input batches");
  if (activations === 'dynamic' && options.calibration) throw new ValueError("quantize: calibration batches are for activations 'static'");
  const layers: (Linear | Conv2d)[] = [];
  const collect = (m: Module) => {
    for (const [, c] of m.namedChildren()) {
      if (skip(c)) continue;
      if (isLinearOrUngroupedConv(c)) layers.push(c);
      else collect(c);
    }
  };
  collect(model);
  const swaps = new Map<Module, QuantizedLayer>();
  for (const l of layers) swaps.set(l, l instanceof Linear ? await QuantizedLinear.from(l, activations) : await QuantizedConv2d.from(l, activations));
  replaceModules(model, (m) => swaps.get(m) ?? null);
  if (activations === 'static') {
    const qs = [...swaps.values()];
    for (const q of qs) q.calibrating = [];
    const training = model.training;
    model.eval();
    for (const batch of options.calibration!) noGrad(() => model.forward(batch));
    for (const q of qs) await q.finishCalibration();
    model.train(training);
  }
  return model;
}

/**
 * `model` with every Linear and Conv2d (groups 1) replaced by an int8 layer of the same shape holding zeros:
 * the structure a quantized checkpoint loads into (synchronously, nothing read back). Returns `model`.
 */
export function quantizedLike<M extends Module>(model: M, activations: ActivationScaling): M {
  replaceModules(model, (m) => {
    if (!isLinearOrUngroupedConv(m)) return null;
    const shape = [...m.weight.shape];
    const weight = { q: new Int32Array(m.weight.size), scale: new Float32Array(shape[0]), shape };
    return m instanceof Linear ? QuantizedLinear.empty(m.inFeatures, weight, m.bias, activations) : QuantizedConv2d.empty(m, weight, activations);
  });
  return model;
}
