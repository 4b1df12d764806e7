// Ready models built from nn.
export { LeNet } from './lenet.js';
export { ResNet, BasicBlock, type ResNetOptions } from './resnet.js';
export { CharGPT, type CharGPTOptions } from './charlm.js';
export { LSTMForecaster } from './forecaster.js';
export { TabularNet, embeddingWidth, type TabularNetOptions } from './tabular.js';
export { GCN, GraphSAGE, GAT, type GraphNetOptions } from './gnn.js';
export { ViT, type ViTOptions } from './vit.js';
