// A seeded stochastic block model: `blocks` communities of `nodesPerBlock` nodes; each node draws
// `degree` ties on average, a share `pIn` of them inside its own block and the rest anywhere else. Drawn
// edge by edge (O(E), not O(N²) coin flips), both directions stored; repeated ties are kept (a multigraph:
// the segment ops see repeated indices). Features: the one-hot block plus Gaussian noise, so the task is
// learnable from the graph more than from the features. Used by the bench's graph row (≥ 100k edges).
import { ValueError } from '../core/errors.js';
import { Random } from '../core/random.js';
import { type GraphData } from './graph.js';

export interface SbmOptions {
  blocks: number;
  nodesPerBlock: number;
  /** Mean undirected ties per node (each stored both ways). */
  degree: number;
  /** Share of a node's ties inside its block. */
  pIn: number;
  /** Feature width (at least `blocks`). */
  features: number;
  /** Standard deviation of the feature noise. */
  noise: number;
  seed: number;
}

export function stochasticBlockModel(o: SbmOptions): GraphData {
  if (o.features < o.blocks) throw new ValueError(`stochasticBlockModel: features (${o.features}) must be at least blocks (${o.blocks})`);
  const rnd = new Random(o.seed);
  const N = o.blocks * o.nodesPerBlock;
  const ties = Math.round((N * o.degree) / 2);
  const src = new Int32Array(2 * ties);
  const dst = new Int32Array(2 * ties);
  const pick = (n: number) => Math.floor(rnd.next() * n);
  for (let k = 0; k < ties; k++) {
    const i = pick(N);
    const b = Math.floor(i / o.nodesPerBlock);
    const inside = rnd.next() < o.pIn;
    const other = inside || o.blocks === 1 ? b : (b + 1 + pick(o.blocks - 1)) % o.blocks;
    const j = other * o.nodesPerBlock + pick(o.nodesPerBlock);
    [src[k], dst[k], src[ties + k], dst[ties + k]] = [i, j, j, i];
  }
  const labels = Int32Array.from({ length: N }, (_, i) => Math.floor(i / o.nodesPerBlock));
  const features = new Float32Array(N * o.features);
  for (let i = 0; i < N; i++) {
    for (let f = 0; f < o.features; f++) features[i * o.features + f] = o.noise * gaussian(rnd);
    features[i * o.features + labels[i]] += 1;
  }
  // every 10th node labelled for training, the rest held out
  const all = [...Array(N).keys()];
  return {
    name: `sbm-${o.blocks}x${o.nodesPerBlock}`,
    numNodes: N, numFeatures: o.features, numClasses: o.blocks, features,
    edgeIndex: Int32Array.from([...src, ...dst]), labels,
    trainNodes: Int32Array.from(all.filter((i) => i % 10 === 0)), testNodes: Int32Array.from(all.filter((i) => i % 10 !== 0)),
  };
}

/** A standard normal draw (Box–Muller). */
function gaussian(rnd: Random): number {
  return Math.sqrt(-2 * Math.log(1 - rnd.next())) * Math.cos(2 * Math.PI * rnd.next());
}
