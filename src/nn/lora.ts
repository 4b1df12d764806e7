// LoRA (Hu et al. 2021) with PyTorch PEFT's names and layouts: y = base(x) + (alpha / rank) · B(A(x)), the
// base layer frozen, A [rank, in] Kaiming-uniform (as a Linear's default), B [out, rank] zeros, so a fresh
// adapter leaves the base's output unchanged. Over a Conv2d, A is a conv with the base's kernel, stride,
// padding and dilation into `rank` channels and B a 1x1 conv back (PEFT's Conv2d LoRA). State keys:
// `base_layer.weight`, `base_layer.bias`, `lora_A.weight`, `lora_B.weight`.
// merge() folds the update into the base weight (W += scaling · B @ A); mergeLoRA() does it over a module
// tree and puts each merged base back in its adapter's place (PEFT's merge_and_unload), so what is saved
// or exported is the plain model.
import { ValueError } from '../core/errors.js';
import { checkNumber, checkOptions, POSITIVE_INT, SEED } from '../core/options.js';
import { zeros } from '../tensor/creation.js';
import { noGrad, type Tensor } from '../tensor/tensor.js';
import { Conv2d } from './conv.js';
import { Linear } from './layers.js';
import { Module } from './module.js';
import { isLinearOrUngroupedConv, replaceModules } from './module-tree.js';
import { QuantizedConv2d, QuantizedLinear } from './quantized.js';

export interface LoRAOptions {
  /** Rank r of the update B @ A. */
  rank: number;
  /** The update is scaled by alpha / rank (default: alpha = rank, a scaling of 1). */
  alpha?: number;
  /** Seed of A's initialisation. */
  seed?: number;
}

/** What LoRA adapts: a float Linear or Conv2d, or their int8 versions (a frozen quantized base). */
export type LoRABase = Linear | Conv2d | QuantizedLinear | QuantizedConv2d;

export class LoRA extends Module {
  baseLayer: LoRABase;
  readonly loraA: Linear | Conv2d;
  readonly loraB: Linear | Conv2d;
  readonly rank: number;
  readonly scaling: number;
  /** True once merge() has folded the update into the base weight: forward() is then the base alone. */
  merged = false;
  protected override readonly stateLayout = { rename: { baseLayer: 'base_layer', loraA: 'lora_A', loraB: 'lora_B' } };

  /** The base weight's shape ([out, in] or [out, in, kH, kW]). */
  private readonly weightShape: number[];

  constructor(base: LoRABase, options: LoRAOptions) {
    super();
    const name = `LoRA(${base.constructor.name})`;
    checkOptions(name, options, { rank: POSITIVE_INT, alpha: { min: 0 }, seed: SEED });
    this.rank = checkNumber(name, 'rank', options?.rank, POSITIVE_INT);
    const alpha = options.alpha ?? this.rank;
    this.scaling = alpha / this.rank;
    const seed = options.seed;
    if (base instanceof Linear || base instanceof QuantizedLinear) {
      this.loraA = new Linear(base.inFeatures, this.rank, { bias: false, seed });
      this.loraB = new Linear(this.rank, base.outFeatures, { bias: false });
      this.weightShape = [base.outFeatures, base.inFeatures];
    } else if (base instanceof Conv2d || base instanceof QuantizedConv2d) {
      const { stride, padding, dilation, groups = 1 } = base.options;
      if (groups !== 1) throw new ValueError(`${name}: a grouped convolution (groups ${groups}) is not supported; only groups = 1`);
      this.loraA = new Conv2d(base.inChannels, this.rank, base.kernelSize, { stride, padding, dilation, bias: false, seed });
      this.loraB = new Conv2d(this.rank, base.outChannels, 1, { bias: false });
      this.weightShape = [base.outChannels, base.inChannels, ...base.kernelSize];
    } else {
      throw new ValueError(`LoRA: the base layer must be an sg.nn.Linear or sg.nn.Conv2d (float or quantized), got ${(base as object)?.constructor?.name ?? typeof base}`);
    }
    this.loraB.weight.assign(zeros(this.loraB.weight.shape));
    this.baseLayer = base.freeze();
  }

  forward(x: Tensor): Tensor {
    const y = this.baseLayer.forward(x);
    return this.merged ? y : y.add(this.loraB.forward(this.loraA.forward(x)).mul(this.scaling));
  }

  /** scaling · B @ A in the base weight's shape ([out, in] or [out, in, kH, kW]). */
  delta(): Tensor {
    const a = this.loraA.weight;
    const b = this.loraB.weight;
    const out = b.shape[0];
    return noGrad(() => b.reshape([out, this.rank]).matmul(a.reshape([this.rank, -1])).mul(this.scaling).reshape(this.weightShape));
  }

  /**
   * Folds the update into the base weight (once) and returns the base layer, which now computes what this
   * adapter did. An int8 base is merged into a float layer of its dequantised weight plus the update
   * (quantize the merged model again to deploy it in int8).
   */
  merge(): Linear | Conv2d {
    if (!this.merged) {
      const base = this.baseLayer;
      if (base instanceof QuantizedLinear || base instanceof QuantizedConv2d) {
        const bias = base.biasTensor();
        const float = base instanceof QuantizedLinear
          ? new Linear(base.inFeatures, base.outFeatures, { bias: bias !== null })
          : new Conv2d(base.inChannels, base.outChannels, base.kernelSize, { ...base.options, bias: bias !== null });
        float.weight.assign(noGrad(() => base.dequantizedWeight().add(this.delta())));
        if (bias && float.bias) float.bias.assign(bias);
        this.baseLayer = float.freeze();
      } else {
        const w = base.weight;
        w.assign(noGrad(() => w.add(this.delta())));
      }
      this.merged = true;
    }
    return this.baseLayer as Linear | Conv2d;
  }
}

/**
 * Wraps every Linear and Conv2d (groups 1) of `module` in a LoRA adapter, except those `skip` names
 * (a module the caller trains in full, such as a new head); returns the adapters.
 */
export function addLoRA(module: Module, options: LoRAOptions, skip: (layer: Module) => boolean = () => false): LoRA[] {
  const adapters: LoRA[] = [];
  replaceModules(module, (child) => {
    if (child instanceof LoRA || skip(child)) return child; // left as it is, and not searched
    if (isLinearOrUngroupedConv(child) || child instanceof QuantizedLinear || child instanceof QuantizedConv2d) {
      const lora = new LoRA(child, { ...options, seed: options.seed === undefined ? undefined : options.seed + adapters.length });
      adapters.push(lora);
      return lora;
    }
    return null;
  });
  return adapters;
}

/** Merges every LoRA adapter of `module`'s tree into its base and puts the base in its place; returns `module`. */
export function mergeLoRA<M extends Module>(module: M): M {
  replaceModules(module, (child) => (child instanceof LoRA ? child.merge() : null));
  return module;
}
