// TabularNet: an MLP for mixed tables. Each categorical column is looked up in its own Embedding, the
// embeddings are concatenated with the standardised numeric columns, then blocks of
// Linear → BatchNorm1d → ReLU → Dropout, and a Linear head (1 output for regression, k logits for classes).
import { ShapeError } from '../core/errors.js';
import { shapeStr } from '../core/shape.js';
import { checkNumber, checkOptions, POSITIVE_INT, SEED } from '../core/options.js';
import { cat } from '../ops/movement.js';
import type { Tensor } from '../tensor/tensor.js';
import { Dropout } from '../nn/dropout.js';
import { Embedding } from '../nn/embedding.js';
import { Linear, ReLU, Sequential } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { BatchNorm1d } from '../nn/norm.js';

export interface TabularNetOptions {
  /** Width of the hidden blocks (default 64). */
  hidden?: number;
  /** Number of hidden blocks (default 2). */
  blocks?: number;
  /** Dropout probability after each block (default 0.1). */
  dropout?: number;
  /** Outputs of the head (default 1: a regression). */
  outputs?: number;
  seed?: number;
}

/** Embedding width of a column with `rows` entries: half of them, at least 1 and at most 8. */
export const embeddingWidth = (rows: number): number => Math.min(8, Math.max(1, Math.ceil(rows / 2)));

export class TabularNet extends Module {
  embeddings: Embedding[];
  body: Sequential;
  head: Linear;
  constructor(
    readonly numericColumns: number,
    /** Rows of each categorical column's embedding (its levels, plus one for an unseen level). */
    readonly categoryRows: readonly number[],
    options: TabularNetOptions = {},
  ) {
    super();
    checkOptions('TabularNet', options, { hidden: POSITIVE_INT, blocks: POSITIVE_INT, dropout: { min: 0, max: 1 }, outputs: POSITIVE_INT, seed: SEED });
    checkNumber('TabularNet', 'numericColumns', numericColumns, { min: 0, integer: true });
    const { hidden = 64, blocks = 2, dropout = 0.1, outputs = 1, seed = 0 } = options;
    this.embeddings = categoryRows.map((rows, j) => new Embedding(rows, embeddingWidth(rows), { seed: seed + 100 + j, std: 0.1 }));
    const width = numericColumns + categoryRows.reduce((s, rows) => s + embeddingWidth(rows), 0);
    const layers: Module[] = [];
    for (let b = 0; b < blocks; b++)
      layers.push(new Linear(b === 0 ? width : hidden, hidden, { seed: seed + 10 * b }), new BatchNorm1d(hidden), new ReLU(), new Dropout(dropout, { seed: seed + 10 * b + 5 }));
    this.body = new Sequential(...layers);
    this.head = new Linear(hidden, outputs, { seed: seed + 1000 });
  }

  /** numeric [B, numericColumns] float32, categories: one int32 [B] tensor per categorical column → [B, outputs]. */
  forward(numeric: Tensor, categories: Tensor[]): Tensor {
    if (numeric.rank !== 2 || numeric.shape[1] !== this.numericColumns)
      throw new ShapeError(`TabularNet: numeric input must be [B, ${this.numericColumns}], got shape ${shapeStr(numeric.shape)}`);
    if (categories.length !== this.embeddings.length)
      throw new ShapeError(`TabularNet: expected ${this.embeddings.length} categorical columns, got ${categories.length}`);
    const B = numeric.shape[0];
    for (const [j, c] of categories.entries())
      if (c.rank !== 1 || c.shape[0] !== B) throw new ShapeError(`TabularNet: categorical column ${j} must be [${B}], got shape ${shapeStr(c.shape)}`);
    const parts = [numeric, ...categories.map((c, j) => this.embeddings[j].forward(c))];
    return this.head.forward(this.body.forward(cat(parts, 1)));
  }
}
