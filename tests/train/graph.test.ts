// Graph node classification: the karate club as typed in (34 members, 78 ties, 17 + 17 factions, the
// published degrees), the split, and each of GCN, GraphSAGE and GAT at >= 90% of the 28 held-out members
// with the CLI's defaults; the CLI's --json line for one of them.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, test } from 'vitest';
import { KARATE_EDGES, KARATE_FACTIONS, KARATE_TEST, KARATE_TRAIN, karateClub } from '../../src/data/karate.js';
import { MODELS } from '../../src/cli/models.js';
import { GRAPH_WEIGHT_DECAY } from '../../src/cli/graph.js';
import { trainNodeClassifier } from '../../src/train/graph.js';
import type { Module } from '../../src/nn/module.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { useGpu } from '../helpers/gpu.js';

type NodeModel = Module & { forward(x: Tensor, e: Tensor): Tensor };

const sg = useGpu();

test('the karate club: 34 members, 78 distinct ties, Zachary\'s degrees, two factions of 17, a disjoint split', () => {
  expect(KARATE_EDGES).toHaveLength(78);
  expect(new Set(KARATE_EDGES.map(([i, j]) => `${i}-${j}`)).size).toBe(78);
  expect(KARATE_EDGES.every(([i, j]) => i < j && j < 34)).toBe(true);
  const degree = new Array(34).fill(0);
  for (const [i, j] of KARATE_EDGES) (degree[i]++, degree[j]++);
  // the degree sequence of Zachary's graph (networkx karate_club_graph().degree())
  expect(degree).toEqual([16, 9, 10, 6, 3, 4, 4, 4, 5, 2, 3, 1, 2, 5, 2, 2, 2, 2, 2, 3, 2, 2, 2, 5, 3, 3, 2, 4, 3, 4, 4, 6, 12, 17]);
  expect(KARATE_FACTIONS.filter((f) => f === 0)).toHaveLength(17);
  expect([KARATE_FACTIONS[0], KARATE_FACTIONS[33]]).toEqual([0, 1]);
  expect(KARATE_TRAIN.map((i) => KARATE_FACTIONS[i])).toEqual([0, 0, 0, 1, 1, 1]);
  expect([...KARATE_TRAIN, ...KARATE_TEST].sort((a, b) => a - b)).toEqual([...Array(34).keys()]);
  const g = karateClub();
  expect(g.edgeIndex).toHaveLength(4 * 78); // both directions
});

test.each(['gcn', 'sage', 'gat'] as const)('%s reaches at least 90 percent of the 28 held-out members with the CLI defaults', async (name) => {
  const entry = MODELS[name];
  const model = entry.build(sg, { hidden: entry.defaultHidden, seed: 0 }) as NodeModel;
  const r = await trainNodeClassifier(model, karateClub(), { epochs: entry.recipe!.epochs, lr: entry.recipe!.lr!, weightDecay: GRAPH_WEIGHT_DECAY });
  expect(r.trainAccuracy).toBe(1);
  expect(r.testAccuracy).toBeGreaterThanOrEqual(0.9);
}, 60_000);

test('an untrained GCN is not already there (the test above can fail)', async () => {
  const model = MODELS.gcn.build(sg, { hidden: 16, seed: 0 }) as NodeModel;
  const r = await trainNodeClassifier(model, karateClub(), { epochs: 0, lr: 1e-2, weightDecay: 0 });
  expect(r.testAccuracy).toBeLessThan(0.9);
});

test('shadergrad train --model gcn --json: test_accuracy as a fraction, the config said', () => {
  const bin = resolve(import.meta.dirname, '../../bin/shadergrad.js');
  const r = spawnSync(process.execPath, [bin, 'train', '--model', 'gcn', '--dataset', 'karate', '--epochs', '50', '--json'], { encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  const line = JSON.parse(r.stdout.trimEnd().split('\n').pop()!);
  expect(line).toMatchObject({ command: 'train', model: 'gcn', config: { dataset: 'karate', epochs: 50, lr: 0.01, weight_decay: 5e-4, hidden: 16, optimizer: 'adam', seed: 0 } });
  expect(line.metrics.test_accuracy).toBeGreaterThan(0.5);
  expect(line.metrics.test_accuracy).toBeLessThanOrEqual(1);
  const refused = spawnSync(process.execPath, [bin, 'train', '--model', 'sage', '--batch-size', '8'], { encoding: 'utf8' });
  expect(refused.status).not.toBe(0);
  expect(refused.stderr).toMatch(/--batch-size is not supported for --model sage/);
}, 130_000);
