// Full-batch node classification: every step runs the whole graph, the loss is the cross-entropy of the
// training nodes' logits, and the held-out nodes are scored at the end (eval mode: no dropout).
import { graphTensors, type GraphData } from '../data/graph.js';
import type { Module } from '../nn/module.js';
import { crossEntropy } from '../ops/loss.js';
import { Adam } from '../optim/optimizers.js';
import { tensor } from '../tensor/creation.js';
import { noGrad, type Tensor } from '../tensor/tensor.js';

export interface NodeTrainingOptions {
  epochs: number;
  lr: number;
  /** L2 penalty of Adam (Kipf & Welling: 5e-4). */
  weightDecay: number;
  /** After each epoch, with its training loss (read back only when given). */
  onEpoch?: (epoch: number, loss: number) => void;
}

export interface NodeTrainingResult {
  trainAccuracy: number;
  testAccuracy: number;
  trainLoss: number;
  /** Predicted class per node (eval mode). */
  predictions: Int32Array;
}

const nodeIds = (ids: Int32Array) => tensor(ids, [ids.length], { dtype: 'int32' });

/** Share of `nodes` whose prediction is their label. */
const accuracy = (pred: Int32Array, g: GraphData, nodes: Int32Array) => nodes.reduce((n, i) => n + Number(pred[i] === g.labels[i]), 0) / Math.max(nodes.length, 1);

/** Trains `model` (forward(x, edgeIndex) → logits [N, classes]) on g's training nodes with Adam; scores both splits. */
export async function trainNodeClassifier(model: Module & { forward(x: Tensor, e: Tensor): Tensor }, g: GraphData, o: NodeTrainingOptions): Promise<NodeTrainingResult> {
  const { x, edgeIndex } = graphTensors(g);
  const train = nodeIds(g.trainNodes);
  const trainLabels = nodeIds(Int32Array.from(g.trainNodes, (i) => g.labels[i]));
  const opt = new Adam(model.parameters(), { lr: o.lr, weightDecay: o.weightDecay });
  let loss: Tensor | null = null;
  model.train();
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    opt.zeroGrad();
    loss = crossEntropy(model.forward(x, edgeIndex).gather(train), trainLabels);
    loss.backward();
    opt.step();
    if (o.onEpoch) o.onEpoch(epoch, await loss.item());
  }
  model.eval();
  const predictions = Int32Array.from(await noGrad(() => model.forward(x, edgeIndex).argmax(1)).data());
  return {
    trainAccuracy: accuracy(predictions, g, g.trainNodes),
    testAccuracy: accuracy(predictions, g, g.testNodes),
    trainLoss: loss ? await loss.item() : NaN,
    predictions,
  };
}
