export * from './dataloader.js';
export * from './mnist.js';
export { Random, permutation } from '../core/random.js';
export * from './text.js';
export * from './series.js';
export * from './karate.js';
export * from './graph.js';
export * from './sbm.js';
