// Activation modules beyond ReLU/Sigmoid/Tanh/LeakyReLU (./layers.ts), with PyTorch's constructor
// arguments and defaults; each forward is the function of the same name in ./functional.ts.
import { checkNumber, checkOptions, POSITIVE_INT } from '../core/options.js';
import { full } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import * as F from './functional.js';
import { Module, Parameter } from './module.js';

/** GELU, exact (erf) by default as PyTorch's nn.GELU(); `{ approximate: 'tanh' }` for GPT-2's form. */
export class GELU extends Module {
  readonly approximate: F.GeluApproximate;
  constructor(options: F.GeluOptions = {}) {
    super();
    checkOptions('GELU', options, { approximate: ['none', 'tanh'] });
    this.approximate = options.approximate ?? 'none';
  }
  forward(x: Tensor) { return F.gelu(x, { approximate: this.approximate }); }
}

export class SiLU extends Module { forward(x: Tensor) { return F.silu(x); } }
export class Mish extends Module { forward(x: Tensor) { return F.mish(x); } }
export class Hardswish extends Module { forward(x: Tensor) { return F.hardswish(x); } }
export class Hardsigmoid extends Module { forward(x: Tensor) { return F.hardsigmoid(x); } }

export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
    checkNumber('ELU', 'alpha', alpha);
  }
  forward(x: Tensor) { return F.elu(x, this.alpha); }
}

/** log(1 + e^(βx))/β, reverting to x where βx > threshold (PyTorch's defaults β = 1, threshold = 20). */
export class Softplus extends Module {
  constructor(readonly beta = 1, readonly threshold = 20) {
    super();
    checkNumber('Softplus', 'beta', beta, { min: 0, aboveMin: true });
    checkNumber('Softplus', 'threshold', threshold);
  }
  forward(x: Tensor) { return F.softplus(x, this.beta, this.threshold); }
}

/** A learned negative slope: one for all channels (numParameters 1) or one per channel of dim 1 (as PyTorch). */
export class PReLU extends Module {
  weight: Parameter;
  constructor(readonly numParameters = 1, init = 0.25) {
    super();
    checkNumber('PReLU', 'numParameters', numParameters, POSITIVE_INT);
    checkNumber('PReLU', 'init', init);
    this.weight = new Parameter(full([numParameters], init));
  }
  forward(x: Tensor) { return F.prelu(x, this.weight); }
}
