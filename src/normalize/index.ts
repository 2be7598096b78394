export * from './fields.js';
export * from './types.js';
export * from './normalize.js';
export * from './merge.js';
