import type { InputFormat } from './types.js';

/**
 * Socket listings (`ss -tan`, `ss -tanp`, `ss -peaonmi`, `netstat -tanp`,
 * `lsof -nP`): joined to the counters of the same moment. Recognized by
 * `segment/classify.ts` and read by the normalizer (a listing summary spans
 * several sections) for now.
 */
export const listing: InputFormat = {
  kind: 'listing',
  label: 'socket listing',
  priority: 3,
  files: [/^ss[-_ ]?-?[a-zA-Z]*[tua][a-zA-Z]*(\.txt|\.out)?$/, /^lsof([-_ ].*)?$/, /^netstat([-_ ].*)?$/],
};
