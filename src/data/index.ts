export * from './dataloader.js';
export * from './mnist.js';
export { Random, permutation } from './random.js';
