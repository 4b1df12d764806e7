export { Optimizer } from './optimizer.js';
export { SGD, Adam, AdamW } from './optimizers.js';
export type { SGDOptions, AdamOptions } from './optimizers.js';
export { LRScheduler, StepLR, ExponentialLR, CosineAnnealingLR, LinearLR, WarmupLR, SequentialLR } from './schedulers.js';
export { clipGradNorm } from './clip.js';
