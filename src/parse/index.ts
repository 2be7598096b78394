export * from './types.js';
export * from './sockstat.js';
export * from './ss.js';
export * from './snmp.js';
export * from "./sysctl.js";
export * from './counters.js';
