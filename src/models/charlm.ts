// A character-level GPT: token + learned position embeddings, GPT blocks (pre-norm, causal, fused
// attention), a final LayerNorm and a linear head over the vocabulary.
import { crossEntropy } from '../ops/loss.js';
import { ShapeError } from '../core/errors.js';
import { shapeStr } from '../core/shape.js';
import { noGrad, type Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/creation.js';
import { Random } from '../core/random.js';
import { Embedding, LearnedPositionalEncoding } from '../nn/embedding.js';
import { Linear } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { LayerNorm } from '../nn/norm.js';
import { GPTBlock, checkHeads } from '../nn/transformer.js';
import { checkNumber, checkOptions, NON_NEGATIVE_INT, POSITIVE_INT, SEED } from '../core/options.js';

export interface CharGPTOptions {
  /** Longest context (positions table). */
  blockSize: number;
  dModel?: number;
  nLayer?: number;
  nHead?: number;
  seed?: number;
}

export class CharGPT extends Module {
  tokEmb: Embedding;
  posEmb: LearnedPositionalEncoding;
  blocks: GPTBlock[];
  lnF: LayerNorm;
  head: Linear;
  readonly blockSize: number;
  constructor(
    readonly vocabSize: number,
    options: CharGPTOptions,
  ) {
    super();
    checkNumber('CharGPT', 'vocabSize', vocabSize, POSITIVE_INT);
    checkOptions('CharGPT', options, { blockSize: POSITIVE_INT, dModel: POSITIVE_INT, nLayer: POSITIVE_INT, nHead: POSITIVE_INT, seed: SEED });
    checkNumber('CharGPT', 'blockSize', options?.blockSize, POSITIVE_INT); // required
    const d = options.dModel ?? 64;
    checkHeads('CharGPT', ['dModel', d], ['nHead', options.nHead ?? 4]); // before any table is made
    const s = options.seed ?? 0;
    this.blockSize = options.blockSize;
    this.tokEmb = new Embedding(vocabSize, d, { std: 0.02 * Math.sqrt(d), seed: s });
    this.posEmb = new LearnedPositionalEncoding(options.blockSize, d, { std: 0.02, seed: s + 1 });
    this.blocks = Array.from({ length: options.nLayer ?? 2 }, (_, i) => new GPTBlock(d, options.nHead ?? 4, { seed: s + 1000 * (i + 1) }));
    this.lnF = new LayerNorm(d);
    this.head = new Linear(d, vocabSize, { seed: s + 2 });
  }

  /** ids int32 [B, T] → logits [B, T, vocab]. */
  forward(ids: Tensor): Tensor {
    if (ids.rank !== 2) throw new ShapeError(`CharGPT: ids must be [B, T], got shape ${shapeStr(ids.shape)}`);
    let x = this.posEmb.forward(this.tokEmb.forward(ids));
    for (const b of this.blocks) x = b.forward(x);
    return this.head.forward(this.lnF.forward(x));
  }

  /** Mean next-character cross-entropy (nats/char) of ids [B, T] against targets [B, T]. */
  loss(ids: Tensor, targets: Tensor): Tensor {
    const logits = this.forward(ids);
    const [B, T, V] = logits.shape;
    return crossEntropy(logits.reshape([B * T, V]), targets.reshape([B * T]));
  }

  /** Samples `length` ids after `prompt` (temperature-scaled softmax, seeded); reads logits back each step. */
  async generate(prompt: Int32Array, length: number, options: { temperature?: number; seed?: number } = {}): Promise<Int32Array> {
    checkNumber('CharGPT.generate', 'length', length, NON_NEGATIVE_INT);
    checkOptions('CharGPT.generate', options, { temperature: { min: 0, aboveMin: true }, seed: SEED });
    const rng = new Random(options.seed ?? 0);
    const temperature = options.temperature ?? 1;
    const ids = Array.from(prompt.length ? prompt : [0]);
    for (let n = 0; n < length; n++) {
      const ctx = ids.slice(-this.blockSize);
      const logits = noGrad(() => this.forward(tensor(Int32Array.from(ctx), [1, ctx.length], { dtype: 'int32' })).slice([0, ctx.length - 1], [1, ctx.length]));
      const row = await logits.data();
      const m = Math.max(...row);
      const p = Array.from(row, (v) => Math.exp((v - m) / temperature));
      let u = rng.next() * p.reduce((a, b) => a + b, 0);
      let pick = p.length - 1;
      for (let i = 0; i < p.length; i++) if ((u -= p[i]) <= 0) { pick = i; break; }
      ids.push(pick);
    }
    return Int32Array.from(ids.slice(prompt.length ? prompt.length : 1));
  }
}
