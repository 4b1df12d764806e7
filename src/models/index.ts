// Ready models built from nn.
export { LeNet } from './lenet.js';
export { ResNet, BasicBlock, type ResNetOptions } from './resnet.js';
export { CharGPT, type CharGPTOptions } from './charlm.js';
export { LSTMForecaster } from './forecaster.js';
export { TabularNet, embeddingWidth, type TabularNetOptions } from './tabular.js';
export { GCN, GraphSAGE, GAT, type GraphNetOptions } from './gnn.js';
export { MobileNet, DepthwiseSeparableConv, type MobileNetOptions } from './mobilenet.js';
export { DenseNet, DenseBlock, DenseLayer, Transition, type DenseNetOptions } from './densenet.js';
export { VGG, type VGGOptions } from './vgg.js';
export { DenoisingAutoencoder, type DenoisingAutoencoderOptions } from './autoencoder.js';
export { UNet, DoubleConv, type UNetOptions, type UNetUpsampling } from './unet.js';
export { Detector, detectionLoss, detectionTargets, type DetectorOptions, type DetectionTargets } from './detector.js';
export { ViT, type ViTOptions } from './vit.js';
