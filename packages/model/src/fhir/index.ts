export * from './datatypes.js';
export * from './resources.js';
export * from './registry.js';
export * from './parse.js';
