export * from './dataloader.js';
export * from './mnist.js';
export { Random, permutation } from './random.js';
export * from './text.js';
export * from './series.js';
