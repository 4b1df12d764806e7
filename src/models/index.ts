// Ready models built from nn.
export { LeNet } from './lenet.js';
export { ResNet, BasicBlock, type ResNetOptions } from './resnet.js';
