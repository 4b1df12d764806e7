// The tables behind `shadergrad train`: which models (--model) and optimizers (--optimizer) it knows.
// Adding a model is adding an entry: the data it trains on, the shape of one input sample, and how to
// build it. Entries get the library as an argument, so loading this table does not start the engine.
import type * as SG from '../node/index.js';
import type { RandomAffineOptions } from '../data/transforms.js';
import { CharGPT, DenoisingAutoencoder, DenseNet, Detector, GAT, GCN, GraphSAGE, LeNet, MobileNet, ResNet, TabularNet, UNet, VGG, ViT, type ViTOptions } from '../models/index.js';
import { KARATE_NODES } from '../data/karate.js';
import { TABULAR_DEFAULTS } from '../train/tabular.js';

export interface ModelOptions {
  /** Width of the hidden layer(s), `--hidden`. */
  hidden: number;
  /** Seed of the initial weights (and dropout streams), where the model takes one (the graph models). */
  seed?: number;
}

export interface ModelEntry {
  description: string;
  /**
   * The data it trains on: MNIST classification, a text corpus (charlm, trained by src/cli/charlm.ts), a table
   * (housing, src/cli/tabular.ts), a graph (node classification, src/cli/graph.ts), segmentation masks
   * (the procedural shapes images, src/cli/segmentation.ts), canvases of several digits with their boxes
   * (detection, src/cli/detector.ts) or MNIST digits to model rather than classify (src/cli/generative.ts).
   */
  dataset: 'mnist' | 'text' | 'table' | 'graph' | 'segmentation' | 'canvases' | 'generative';
  /** Shape of one input sample: [784] for flat digits, [1, 28, 28] for convolutions. */
  sampleShape: number[];
  /** `--hidden` when not given. */
  defaultHidden: number;
  build(sg: typeof SG, options: ModelOptions): SG.nn.Module;
  /** How `train` trains it when the command line does not say (chosen by measurement: see README). */
  recipe?: TrainRecipe;
}

export interface TrainRecipe {
  /** `--epochs` when not given (4 for models without a recipe). */
  epochs: number;
  /** Random affine augmentation of every training batch (a new seeded stream each epoch). */
  augment?: RandomAffineOptions;
  /** Cosine annealing of the learning rate from --lr to 0 over the run, one step per epoch. */
  cosineLr?: boolean;
  /**
   * `--lr` when not given, where it is the model's own: the graph models (full-batch Adam), and the MNIST
   * models with their own optimizer (given to it only, not to an --optimizer of the command line).
   */
  lr?: number;
  /** `--batch-size` when not given, where it is the model's own (the detector). */
  batchSize?: number;
  /** `--optimizer` when not given (MNIST models; default adam). */
  optimizer?: OptimizerName;
}

/** What `train` hands the trainers of its other data kinds (src/cli/graph.ts, segmentation.ts, detector.ts, generative.ts). */
export interface TrainCommandOptions {
  epochs: number;
  seed: number;
  /** `--hidden`; default the model's. */
  hidden?: number;
  quiet: boolean;
  json?: boolean;
  /** Save the trained weights here (safetensors). */
  checkpoint?: string;
}

/** LeNet's augmentation of the digits (rotate ±10°, scale 0.9–1.1, shift ±8%); distill gives it to both its students. */
export const DIGIT_AUGMENT: RandomAffineOptions = { degrees: 10, scale: [0.9, 1.1], translate: [0.08, 0.08] };

/**
 * The vision transformers' shared shape (dim 64, 4 pre-norm layers of 4 heads, feed-forward 128, GELU):
 * patches of 7 give 16 tokens + the class token, which lavapipe trains at ~4x the speed of patches of 4
 * (49 + 1 tokens); see README "Vision transformer" for the measurements behind the recipes.
 */
const VIT: ViTOptions = { dim: 64, depth: 4, heads: 4, mlpDim: 128, patchSize: 7 };
/** The hybrid's conv stem: 3x3 conv-BN-ReLU 1 → 16 (stride 2, 28 → 14) and 16 → 32; patches of 7 of that map (4 tokens + the class token). */
const VIT_HYBRID_STEM = [16, 32];

/** `--epochs` when not given. */
export const epochsFor = (model: string): number => MODELS[model]?.recipe?.epochs ?? 4;

export const MODELS: Record<string, ModelEntry> = {
  mlp: {
    description: 'MLP 784 → hidden → 10 with ReLU',
    dataset: 'mnist',
    sampleShape: [784],
    defaultHidden: 256,
    build: (sg, { hidden }) => new sg.nn.Sequential(new sg.nn.Linear(784, hidden), new sg.nn.ReLU(), new sg.nn.Linear(hidden, 10)),
  },
  lenet: {
    description: 'LeNet-5: conv5x5 6 → pool → conv5x5 16 → pool → 120 → 84 → 10',
    dataset: 'mnist',
    sampleShape: [1, 28, 28],
    defaultHidden: 0,
    build: () => new LeNet(),
    recipe: { epochs: 10, augment: DIGIT_AUGMENT, cosineLr: true },
  },
  resnet: {
    description: 'small ResNet: 3x3 stem, basic blocks of width hidden, 2·hidden, 4·hidden (identity and projection skips), global average pool → 10',
    dataset: 'mnist',
    sampleShape: [1, 28, 28],
    defaultHidden: 16,
    build: (_sg, { hidden }) => new ResNet({ widths: [hidden, 2 * hidden, 4 * hidden] }),
  },
  mobilenet: {
    description: 'MobileNet-style: 3x3 stride-2 stem of hidden channels, 5 depthwise-separable blocks (3x3 depthwise + 1x1 pointwise) of 2, 4, 4, 8, 8 × hidden, strides 1, 2, 1, 2, 1, global average pool → 10',
    dataset: 'mnist',
    sampleShape: [1, 28, 28],
    defaultHidden: 16,
    build: (_sg, { hidden }) => new MobileNet({ stem: hidden, widths: [2, 4, 4, 8, 8].map((m) => m * hidden), strides: [1, 2, 1, 2, 1] }),
    recipe: { epochs: 3, augment: DIGIT_AUGMENT, cosineLr: true },
  },
  densenet: {
    description: 'DenseNet-style: 3x3 stride-2 stem (28 → 14), 3 dense blocks of 4 layers (BN-ReLU-conv3x3, growth hidden, concatenated), transitions halving channels and resolution, global average pool → 10',
    dataset: 'mnist',
    sampleShape: [1, 28, 28],
    defaultHidden: 8,
    build: (_sg, { hidden }) => new DenseNet({ growth: hidden, layers: 4, stemStride: 2 }),
    recipe: { epochs: 3, augment: DIGIT_AUGMENT, cosineLr: true },
  },
  vgg: {
    description: 'VGG-style: 3 stages of two 3x3 conv-BN-ReLU (hidden, 2·hidden, 4·hidden channels) each closed by a 2x2 max pool, then Linear → 128, ReLU, dropout 0.5, Linear → 10',
    dataset: 'mnist',
    sampleShape: [1, 28, 28],
    defaultHidden: 8,
    build: (_sg, { hidden }) => new VGG({ widths: [hidden, 2 * hidden, 4 * hidden] }),
    recipe: { epochs: 3, augment: DIGIT_AUGMENT, cosineLr: true },
  },
  'denoising-ae': {
    description: 'denoising convolutional autoencoder: two stride-2 3x3 convs (hidden, 2·hidden channels; 28 → 7), two stride-2 transposed convs back to 28x28, sigmoid; undoes Gaussian noise σ 0.5',
    dataset: 'generative',
    sampleShape: [1, 28, 28],
    defaultHidden: 16,
    build: (_sg, { hidden }) => new DenoisingAutoencoder({ width: hidden }),
    recipe: { epochs: 3, lr: 2e-3 },
  },
  vit: {
    description: 'Vision Transformer: 7x7 patches (a strided conv) → 16 tokens of width hidden + a class token, learned positions, 4 pre-norm encoder layers (4 heads, GELU), LayerNorm, linear head; AdamW',
    dataset: 'mnist',
    sampleShape: [1, 28, 28],
    defaultHidden: 64,
    build: (_sg, { hidden }) => new ViT({ ...VIT, dim: hidden, mlpDim: 2 * hidden }),
    // no augmentation: in 6 epochs it underfits (augmented: 94.9%, training accuracy 90.8%; plain: 95.7%; README)
    recipe: { epochs: 6, cosineLr: true, optimizer: 'adamw', lr: 2e-3 },
  },
  'vit-hybrid': {
    description: 'hybrid ViT: a conv stem (3x3 conv-BN-ReLU 1 → 16, stride 2, then 16 → 32) before the ViT, its 14x14 map cut into 7x7 patches (4 tokens + a class token); AdamW',
    dataset: 'mnist',
    sampleShape: [1, 28, 28],
    defaultHidden: 64,
    build: (_sg, { hidden }) => new ViT({ ...VIT, dim: hidden, mlpDim: 2 * hidden, stem: VIT_HYBRID_STEM }),
    // 3 epochs: 97.4% in 443 s; 4 epochs: 98.5% (README)
    recipe: { epochs: 3, augment: DIGIT_AUGMENT, cosineLr: true, optimizer: 'adamw', lr: 2e-3 },
  },
  charlm: {
    description: 'character-level GPT on Moby Dick: 4 pre-norm blocks of width hidden, 4 heads, context 64 (200 steps per epoch)',
    dataset: 'text',
    sampleShape: [64],
    defaultHidden: 64,
    // the vocabulary comes from the corpus: src/cli/charlm.ts builds the model itself; this builds an untrained one of 128 symbols
    build: (_sg, { hidden }) => new CharGPT(128, { blockSize: 64, dModel: hidden, nLayer: 4, nHead: 4 }),
  },
  housing: {
    description: 'TabularNet on Boston housing: embeddings of chas and rad + 11 standardised columns → 2 blocks of Linear, BatchNorm1d, ReLU, Dropout 0.1 → price; AdamW; next to least squares',
    dataset: 'table',
    sampleShape: [11],
    defaultHidden: TABULAR_DEFAULTS.hidden,
    // embedding rows: the training split's levels of chas (2) and rad (9), plus one for an unseen level
    build: (_sg, { hidden }) => new TabularNet(11, [3, 10], { hidden }),
    recipe: { epochs: TABULAR_DEFAULTS.epochs },
  },
  'housing-cls': {
    description: 'the housing TabularNet with 2 logits: is the price above the training median? (test accuracy)',
    dataset: 'table',
    sampleShape: [11],
    defaultHidden: TABULAR_DEFAULTS.hidden,
    build: (_sg, { hidden }) => new TabularNet(11, [3, 10], { hidden, outputs: 2 }),
    recipe: { epochs: TABULAR_DEFAULTS.epochs },
  },
  // graph models: full-batch node classification of the karate club (34 one-hot features, 2 factions);
  // 200 epochs of Adam with weight decay 5e-4 (Kipf & Welling's), lr measured over 10 seeds (README)
  gcn: {
    description: 'GCN (Kipf & Welling): GCNConv 34 → hidden, ReLU, GCNConv → 2, dropout 0.5; the karate club',
    dataset: 'graph',
    sampleShape: [KARATE_NODES],
    defaultHidden: 16,
    build: (_sg, { hidden, seed }) => new GCN(KARATE_NODES, 2, { hidden, seed }),
    recipe: { epochs: 200, lr: 1e-2 },
  },
  sage: {
    description: 'GraphSAGE (mean aggregation): SAGEConv 34 → hidden, ReLU, SAGEConv → 2, dropout 0.5; the karate club',
    dataset: 'graph',
    sampleShape: [KARATE_NODES],
    defaultHidden: 16,
    build: (_sg, { hidden, seed }) => new GraphSAGE(KARATE_NODES, 2, { hidden, seed }),
    recipe: { epochs: 200, lr: 1e-2 },
  },
  gat: {
    description: 'GAT: GATConv 34 → 8 heads × hidden, ELU, GATConv → 2, dropout 0.6 (features and attention); the karate club',
    dataset: 'graph',
    sampleShape: [KARATE_NODES],
    defaultHidden: 8,
    build: (_sg, { hidden, seed }) => new GAT(KARATE_NODES, 2, { hidden, seed }),
    recipe: { epochs: 200, lr: 5e-3 },
  },
  // segmentation of 32x32 shapes images (src/data/shapes.ts); data size, batch and lr: SEGMENTATION_DEFAULTS in src/cli/segmentation.ts
  unet: {
    description: 'U-Net: encoder of DoubleConv (conv3x3-BN-ReLU twice) of widths hidden, 2·hidden, 4·hidden with 2x2 max pooling; decoder ConvTranspose2d at the deepest level, bilinear Upsample + 1x1 conv above, skip concatenation; 1x1 head → 4 classes per pixel',
    dataset: 'segmentation',
    sampleShape: [1, 32, 32],
    defaultHidden: 8,
    build: (_sg, { hidden }) => new UNet({ widths: [hidden, 2 * hidden, 4 * hidden] }),
    recipe: { epochs: 6 },
  },
  // detection: 64×64 canvases of 2–5 MNIST digits; epochs of 100 steps on fresh canvases (README: Detection)
  detector: {
    description: 'grid detector: 4 × (conv3x3, BatchNorm, ReLU) of widths hidden, 2·hidden, 4·hidden, 4·hidden with 3 max pools (64 → 8×8 cells), 1×1 head → objectness, 10 class logits, box',
    dataset: 'canvases',
    sampleShape: [1, 64, 64],
    defaultHidden: 8,
    build: (_sg, { hidden }) => new Detector({ width: hidden }),
    recipe: { epochs: 6, lr: 3e-3, batchSize: 32, cosineLr: true },
  },
};

type Params = SG.nn.Parameter[];

/** Default learning rates measured on the MNIST MLP (hidden 256, batch 64, 4 epochs: 95-96% test accuracy). */
export const OPTIMIZERS = {
  adam: { defaultLr: 2e-3, build: (sg: typeof SG, params: Params, lr: number) => new sg.optim.Adam(params, { lr }) },
  adamw: { defaultLr: 2e-3, build: (sg: typeof SG, params: Params, lr: number) => new sg.optim.AdamW(params, { lr, weightDecay: 1e-2 }) },
  sgd: { defaultLr: 5e-2, build: (sg: typeof SG, params: Params, lr: number) => new sg.optim.SGD(params, { lr, momentum: 0.9 }) },
};
export type OptimizerName = keyof typeof OPTIMIZERS;
export type Optimizer = ReturnType<(typeof OPTIMIZERS)[OptimizerName]['build']>;
