// A denoising convolutional autoencoder for 1x28x28 digits (Vincent et al. 2008: learn to undo a
// corruption): an encoder of two stride-2 3x3 convolutions (28 → 14 → 7) and a decoder of two
// stride-2 transposed convolutions back to 28x28, a sigmoid making pixels in (0, 1).
import { Conv2d, ConvTranspose2d } from '../nn/conv.js';
import { ReLU, Sequential } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptions, POSITIVE_INT } from '../core/options.js';

export interface DenoisingAutoencoderOptions {
  /** Channels of the first encoder layer; the second has twice as many (default 16). */
  width?: number;
  inChannels?: number;
}

export class DenoisingAutoencoder extends Module {
  encoder: Sequential;
  decoder: Sequential;
  constructor(options: DenoisingAutoencoderOptions = {}) {
    super();
    checkOptions('DenoisingAutoencoder', options, { width: POSITIVE_INT, inChannels: POSITIVE_INT });
    const w = options.width ?? 16;
    const c = options.inChannels ?? 1;
    this.encoder = new Sequential(
      new Conv2d(c, w, 3, { stride: 2, padding: 1 }), new ReLU(),
      new Conv2d(w, 2 * w, 3, { stride: 2, padding: 1 }), new ReLU(),
    );
    // output size (H - 1)·2 − 2 + 3 + 1 = 2H: 7 → 14 → 28
    this.decoder = new Sequential(
      new ConvTranspose2d(2 * w, w, 3, { stride: 2, padding: 1, outputPadding: 1 }), new ReLU(),
      new ConvTranspose2d(w, c, 3, { stride: 2, padding: 1, outputPadding: 1 }),
    );
  }
  /** Pixel logits of the reconstruction (the loss takes them; `forward` is their sigmoid). */
  logits(x: Tensor): Tensor {
    return this.decoder.forward(this.encoder.forward(x));
  }
  forward(x: Tensor): Tensor {
    return this.logits(x).sigmoid();
  }
}
