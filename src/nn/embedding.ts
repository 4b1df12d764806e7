// Embedding and positional encodings. Embedding is a row gather (its gradient a scatter-add, written as
// the one-hot matmul of ops/movement.ts's gather); positions are added to [B, T, dim] inputs.
import { DTypeError, ShapeError, ValueError } from '../core/errors.js';
import { gather } from '../ops/movement.js';
import { fromHost, type Tensor } from '../tensor/tensor.js';
import { shapeStr } from '../core/shape.js';
import { checkNumber, checkOptions, POSITIVE_INT, SEED } from '../core/options.js';
import { normal } from './init.js';
import { Module, Parameter } from './module.js';

export interface EmbeddingOptions {
  /** Standard deviation of the N(0, std²) initial rows (PyTorch: 1). */
  std?: number;
  seed?: number;
}

const EMBEDDING_OPTIONS = { std: { min: 0 }, seed: SEED };

/** The sizes (positive integers) and options of a table of `rows` x `cols`, named by `owner`. */
function checkTable(owner: string, rows: [string, number], cols: [string, number], options?: EmbeddingOptions): void {
  checkNumber(owner, rows[0], rows[1], POSITIVE_INT);
  checkNumber(owner, cols[0], cols[1], POSITIVE_INT);
  checkOptions(owner, options, EMBEDDING_OPTIONS);
}

/** A checked table of N(0, std²) rows, std from the options or the layer's default. */
function learnedTable(owner: string, rows: [string, number], cols: [string, number], options: EmbeddingOptions, defaultStd: number): Parameter {
  checkTable(owner, rows, cols, options);
  return new Parameter(normal([rows[1], cols[1]], 0, options.std ?? defaultStd, { seed: options.seed }));
}

export class Embedding extends Module {
  weight: Parameter;
  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    this.weight = learnedTable(`Embedding(${numEmbeddings}, ${embeddingDim})`, ['numEmbeddings', numEmbeddings], ['embeddingDim', embeddingDim], options, 1);
  }
  /** int32 indices of any shape → [...indices.shape, embeddingDim]. */
  forward(indices: Tensor): Tensor {
    const name = `Embedding(${this.numEmbeddings}, ${this.embeddingDim})`;
    if (indices.dtype !== 'int32') throw new DTypeError(`${name}: indices must be int32, got ${indices.dtype} tensor of shape ${shapeStr(indices.shape)}`);
    if (indices.hostInts) {
      const bad = indices.hostInts.findIndex((v) => v < 0 || v >= this.numEmbeddings);
      if (bad >= 0)
        throw new ValueError(`${name}: index ${indices.hostInts[bad]} at flat position ${bad} of indices of shape ${shapeStr(indices.shape)} is out of range [0, ${this.numEmbeddings})`);
    }
    return gather(this.weight, indices, `${name}: index`); // indices computed on the GPU: range-checked by the kernel
  }
}

function checkSequence(layer: string, x: Tensor, maxLen: number, dim: number): number {
  if (x.rank !== 3 || x.shape[2] !== dim) throw new ShapeError(`${layer}: input must be [B, T, ${dim}], got shape ${shapeStr(x.shape)}`);
  const T = x.shape[1];
  if (T > maxLen) throw new ShapeError(`${layer}: sequence length ${T} (input shape ${shapeStr(x.shape)}) exceeds the positional table of ${maxLen} positions`);
  return T;
}

/** sin/cos positions of "Attention Is All You Need": PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(...). */
export class SinusoidalPositionalEncoding extends Module {
  constructor(readonly maxLen: number, readonly dim: number) {
    super();
    checkTable(`SinusoidalPositionalEncoding(${maxLen}, ${dim})`, ['maxLen', maxLen], ['dim', dim]);
    const table = new Float32Array(maxLen * dim);
    for (let p = 0; p < maxLen; p++)
      for (let i = 0; i < dim; i++) {
        const angle = p / Math.pow(10000, (2 * Math.floor(i / 2)) / dim);
        table[p * dim + i] = i % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
      }
    this.registerBuffer('table', fromHost(table, [maxLen, dim], 'float32'));
  }
  get table(): Tensor {
    return this.buffers.get('table')!;
  }
  /** x [B, T, dim] + PE[:T]. */
  forward(x: Tensor): Tensor {
    const T = checkSequence(`SinusoidalPositionalEncoding(${this.maxLen}, ${this.dim})`, x, this.maxLen, this.dim);
    return x.add(this.table.slice([0], [T]));
  }
}

/** A learned table of positions (GPT-2's wpe), N(0, std²) initial rows. */
export class LearnedPositionalEncoding extends Module {
  weight: Parameter;
  constructor(readonly maxLen: number, readonly dim: number, options: EmbeddingOptions = {}) {
    super();
    this.weight = learnedTable(`LearnedPositionalEncoding(${maxLen}, ${dim})`, ['maxLen', maxLen], ['dim', dim], options, 0.02);
  }
  forward(x: Tensor): Tensor {
    const T = checkSequence(`LearnedPositionalEncoding(${this.maxLen}, ${this.dim})`, x, this.maxLen, this.dim);
    return x.add(this.weight.slice([0], [T]));
  }
}
