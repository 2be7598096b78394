export * from './rows.js';
export * from './ss-text.js';
export * from './explain.js';
