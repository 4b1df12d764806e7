export { Module, Parameter } from './module.js';
export * from './layers.js';
export * as functional from './functional.js';
export * as init from './init.js';
