export * from './sources.js';
export * from './lines.js';
