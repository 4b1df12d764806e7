// Two-layer node classifiers on a graph (full-batch): GCN (Kipf & Welling 2017), GraphSAGE (Hamilton et
// al. 2017, mean aggregation) and GAT (Veličković et al. 2018), each forward(x [N, F], edgeIndex [2, E])
// → logits [N, classes]. Dropout on the inputs of both layers (and on GAT's attention), as the papers'.
import { checkNumber, checkOptions, POSITIVE_INT, SEED, UNIT_INTERVAL } from '../core/options.js';
import { ELU } from '../nn/activation.js';
import { Dropout } from '../nn/dropout.js';
import { GATConv, GCNConv, SAGEConv } from '../nn/graph.js';
import { Module } from '../nn/module.js';
import type { Tensor } from '../tensor/tensor.js';

export interface GraphNetOptions {
  /** Hidden width (per head for GAT). */
  hidden?: number;
  /** Dropout on each layer's input features (default 0.5; GAT 0.6, also on its attention). */
  dropout?: number;
  /** GAT: attention heads of the first layer (default 8; the second has 1). */
  heads?: number;
  seed?: number;
}

type Conv = GCNConv | SAGEConv | GATConv;

/** conv1 → activation → conv2, with dropout before each conv. */
abstract class TwoLayerGraphNet extends Module {
  abstract conv1: Conv;
  abstract conv2: Conv;
  protected abstract activate(h: Tensor): Tensor;
  readonly drop1: Dropout;
  readonly drop2: Dropout;
  constructor(name: string, options: GraphNetOptions, defaultDropout: number) {
    super();
    checkOptions(name, options, { hidden: POSITIVE_INT, dropout: UNIT_INTERVAL, heads: POSITIVE_INT, seed: SEED });
    if (options.hidden !== undefined) checkNumber(name, 'hidden', options.hidden, POSITIVE_INT);
    const p = options.dropout ?? defaultDropout;
    const seed = options.seed;
    this.drop1 = new Dropout(p, { seed: seed === undefined ? undefined : seed + 100 });
    this.drop2 = new Dropout(p, { seed: seed === undefined ? undefined : seed + 101 });
  }
  forward(x: Tensor, edgeIndex: Tensor): Tensor {
    const h = this.activate(this.conv1.forward(this.drop1.forward(x), edgeIndex));
    return this.conv2.forward(this.drop2.forward(h), edgeIndex);
  }
}

export class GCN extends TwoLayerGraphNet {
  conv1: GCNConv;
  conv2: GCNConv;
  constructor(inFeatures: number, classes: number, options: GraphNetOptions = {}) {
    super(`GCN(${inFeatures}, ${classes})`, options, 0.5);
    const hidden = options.hidden ?? 16;
    this.conv1 = new GCNConv(inFeatures, hidden, { seed: options.seed });
    this.conv2 = new GCNConv(hidden, classes, { seed: options.seed === undefined ? undefined : options.seed + 10 });
  }
  protected activate(h: Tensor): Tensor { return h.relu(); }
}

export class GraphSAGE extends TwoLayerGraphNet {
  conv1: SAGEConv;
  conv2: SAGEConv;
  constructor(inFeatures: number, classes: number, options: GraphNetOptions = {}) {
    super(`GraphSAGE(${inFeatures}, ${classes})`, options, 0.5);
    const hidden = options.hidden ?? 16;
    this.conv1 = new SAGEConv(inFeatures, hidden, { seed: options.seed });
    this.conv2 = new SAGEConv(hidden, classes, { seed: options.seed === undefined ? undefined : options.seed + 10 });
  }
  protected activate(h: Tensor): Tensor { return h.relu(); }
}

export class GAT extends TwoLayerGraphNet {
  conv1: GATConv;
  conv2: GATConv;
  private readonly elu = new ELU();
  constructor(inFeatures: number, classes: number, options: GraphNetOptions = {}) {
    super(`GAT(${inFeatures}, ${classes})`, options, 0.6);
    const hidden = options.hidden ?? 8;
    const heads = options.heads ?? 8;
    const dropout = options.dropout ?? 0.6;
    const seed = options.seed;
    this.conv1 = new GATConv(inFeatures, hidden, { heads, dropout, seed });
    this.conv2 = new GATConv(hidden * heads, classes, { heads: 1, dropout, seed: seed === undefined ? undefined : seed + 10 });
  }
  protected activate(h: Tensor): Tensor { return this.elu.forward(h); }
}
