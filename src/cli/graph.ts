// `shadergrad train --model gcn|sage|gat [--dataset karate]`: full-batch node classification of Zachary's
// karate club (src/data/karate.ts: 6 labelled members, 28 held out), reporting the held-out accuracy.
import cliProgress from 'cli-progress';
import { karateClub } from '../data/karate.js';
import { checkWritableFilePath } from '../node/files.js';
import * as sg from '../node/index.js';
import { trainNodeClassifier } from '../train/graph.js';
import { printJsonLine } from './json-line.js';
import { MODELS, type TrainCommandOptions } from './models.js';

/** Kipf & Welling's L2 penalty, for every graph model. */
export const GRAPH_WEIGHT_DECAY = 5e-4;
export const GRAPH_DATASETS = ['karate'] as const;
export type GraphDataset = (typeof GRAPH_DATASETS)[number];

export interface GraphTrainOptions extends TrainCommandOptions {
  model: 'gcn' | 'sage' | 'gat';
  dataset: GraphDataset;
  lr?: number;
}

export async function trainGraph(o: GraphTrainOptions): Promise<void> {
  if (o.checkpoint) await checkWritableFilePath(o.checkpoint, '--checkpoint');
  const entry = MODELS[o.model];
  const start = performance.now();
  await sg.init();
  try {
    const g = karateClub();
    const config = { dataset: o.dataset, epochs: o.epochs, lr: o.lr ?? entry.recipe!.lr!, weight_decay: GRAPH_WEIGHT_DECAY, hidden: o.hidden ?? entry.defaultHidden, optimizer: 'adam', seed: o.seed };
    const log = (line: string) => !o.quiet && !o.json && console.log(line);
    log(`${o.model} on ${g.name}: ${g.numNodes} nodes, ${g.edgeIndex.length / 2} directed edges; ${g.trainNodes.length} labelled, ${g.testNodes.length} held out`);
    const bar = o.quiet || o.json || !process.stderr.isTTY ? null : new cliProgress.SingleBar(
      { format: 'epoch |{bar}| {value}/{total} | loss {loss}', barsize: 24, hideCursor: true, clearOnComplete: true, stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    bar?.start(config.epochs, 0, { loss: '-' });
    const model = entry.build(sg, { hidden: config.hidden, seed: o.seed }) as sg.nn.Module & { forward(x: sg.Tensor, e: sg.Tensor): sg.Tensor };
    const r = await trainNodeClassifier(model, g, {
      epochs: config.epochs, lr: config.lr, weightDecay: GRAPH_WEIGHT_DECAY,
      onEpoch: bar ? (epoch, loss) => bar.update(epoch, { loss: loss.toFixed(4) }) : undefined,
    });
    bar?.stop();
    const wrong = [...g.testNodes].filter((i) => r.predictions[i] !== g.labels[i]);
    log(`test accuracy ${(100 * r.testAccuracy).toFixed(1)}% (${g.testNodes.length - wrong.length}/${g.testNodes.length} held-out members; wrong: ${wrong.join(', ') || 'none'}), train accuracy ${(100 * r.trainAccuracy).toFixed(1)}%`);
    if (o.checkpoint) {
      await sg.save(model.stateDict(), o.checkpoint);
      log(`saved ${o.checkpoint}`);
    }
    const metrics = { test_accuracy: r.testAccuracy, train_accuracy: r.trainAccuracy, train_loss: r.trainLoss, seconds: (performance.now() - start) / 1000 };
    if (o.json) printJsonLine({ command: 'train', model: o.model, config, ...(o.checkpoint && { weights: o.checkpoint }), metrics });
    else if (o.quiet) console.log(`test_accuracy ${r.testAccuracy.toFixed(4)}`);
  } finally {
    sg.destroy();
  }
}
