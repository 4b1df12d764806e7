// A node-classification graph on the host (features, edge list, labels, a fixed split) and its tensors;
// the datasets: Zachary's karate club (./karate.ts) and a stochastic block model (./sbm.ts).
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';

/** A node-classification graph on the host: features, directed edges (each tie both ways), labels and split. */
export interface GraphData {
  name: string;
  numNodes: number;
  numFeatures: number;
  numClasses: number;
  /** [numNodes * numFeatures], row-major. */
  features: Float32Array;
  /** [2 * E]: E sources, then E targets. */
  edgeIndex: Int32Array;
  labels: Int32Array;
  trainNodes: Int32Array;
  testNodes: Int32Array;
}

/** Each undirected tie as two directed edges (i→j and j→i), as PyG stores undirected graphs. */
export function bothWays(ties: ReadonlyArray<readonly [number, number]>): Int32Array {
  const sources = [...ties.map(([i]) => i), ...ties.map(([, j]) => j)];
  const targets = [...ties.map(([, j]) => j), ...ties.map(([i]) => i)];
  return Int32Array.from([...sources, ...targets]);
}

/** The graph's tensors: x [N, F], edgeIndex int32 [2, E], labels int32 [N]. */
export function graphTensors(g: GraphData): { x: Tensor; edgeIndex: Tensor; labels: Tensor } {
  return {
    x: tensor(g.features, [g.numNodes, g.numFeatures]),
    edgeIndex: tensor(g.edgeIndex, [2, g.edgeIndex.length / 2], { dtype: 'int32' }),
    labels: tensor(g.labels, [g.numNodes], { dtype: 'int32' }),
  };
}
