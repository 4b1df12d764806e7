export { Module, Parameter } from './module.js';
export * from './layers.js';
export * as functional from './functional.js';
export * as init from './init.js';
export { Conv1d, Conv2d, ConvTranspose2d } from './conv.js';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from './pool.js';
export { BatchNorm1d, BatchNorm2d } from './norm.js';
export { Dropout } from './dropout.js';
