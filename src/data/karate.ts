// Zachary's karate club (W. W. Zachary, "An information flow model for conflict and fission in small
// groups", J. Anthropological Research 33(4), 1977): 34 members, 78 friendship ties, and the two factions
// the club split into. Typed in from the published edge list, numbered from 0 as networkx's
// karate_club_graph() (member 1 of the paper is node 0); the factions are networkx's `club` attribute:
// 0 = Mr. Hi (the instructor, node 0), 1 = Officer (the administrator John A., node 33).
//
// The split, fixed: the leader of each faction and its two other best-connected members are labelled for
// training (Mr. Hi: 0, 2, 1; Officer: 33, 32, 31 — degrees 16, 10, 9 and 17, 12, 6), the other 28 members
// are held out for the test. Why: a node-classification split must hold out most of the graph (the task is
// to spread a few labels along the ties) and be the same every run; taking the hubs is the order in which
// an observer would learn the allegiances, and it leaves the hard members (8 and 9, tied to both leaders'
// circles; 2 is a hub and labelled) among the held-out ones.
import { bothWays, type GraphData } from './graph.js';

export const KARATE_NODES = 34;

/** The 78 ties, each once (i < j), row by row of the lower node. */
export const KARATE_EDGES: ReadonlyArray<readonly [number, number]> = [
  ...[1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 17, 19, 21, 31].map((j) => [0, j] as const),
  ...[2, 3, 7, 13, 17, 19, 21, 30].map((j) => [1, j] as const),
  ...[3, 7, 8, 9, 13, 27, 28, 32].map((j) => [2, j] as const),
  ...[7, 12, 13].map((j) => [3, j] as const),
  [4, 6], [4, 10],
  [5, 6], [5, 10], [5, 16],
  [6, 16],
  [8, 30], [8, 32], [8, 33],
  [9, 33],
  [13, 33],
  [14, 32], [14, 33],
  [15, 32], [15, 33],
  [18, 32], [18, 33],
  [19, 33],
  [20, 32], [20, 33],
  [22, 32], [22, 33],
  ...[25, 27, 29, 32, 33].map((j) => [23, j] as const),
  [24, 25], [24, 27], [24, 31],
  [25, 31],
  [26, 29], [26, 33],
  [27, 33],
  [28, 31], [28, 33],
  [29, 32], [29, 33],
  [30, 32], [30, 33],
  [31, 32], [31, 33],
  [32, 33],
];

/** Faction per member: 0 = Mr. Hi, 1 = Officer (networkx's `club`). */
export const KARATE_FACTIONS: readonly number[] = [
  0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
];

/** Labelled for training: each faction's leader and its two other best-connected members. */
export const KARATE_TRAIN: readonly number[] = [0, 2, 1, 33, 32, 31];
/** Held out for the test: the other 28 members. */
export const KARATE_TEST: readonly number[] = [...Array(KARATE_NODES).keys()].filter((i) => !KARATE_TRAIN.includes(i));

/** The karate club with one-hot identity features (as PyG's KarateClub): 34 × 34, 156 directed edges. */
export function karateClub(): GraphData {
  const N = KARATE_NODES;
  const features = new Float32Array(N * N);
  for (let i = 0; i < N; i++) features[i * N + i] = 1;
  return {
    name: 'karate',
    numNodes: N,
    numFeatures: N,
    numClasses: 2,
    features,
    edgeIndex: bothWays(KARATE_EDGES),
    labels: Int32Array.from(KARATE_FACTIONS),
    trainNodes: Int32Array.from(KARATE_TRAIN),
    testNodes: Int32Array.from(KARATE_TEST),
  };
}
