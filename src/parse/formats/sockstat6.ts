import { readSockstat } from './sockstat.js';
import type { InputFormat } from './types.js';

/** `/proc/net/sockstat6`: `TCP6:`, `UDP6:`, `UDPLITE6:`, `RAW6:`, `FRAG6:` lines. */
export const sockstat6: InputFormat = {
  kind: 'sockstat6',
  label: 'sockstat6',
  priority: 0,
  files: [/(^|\/)proc\/net\/sockstat6$/, /^sockstat6(\.txt|\.out|\.log)?$/i],
  read: (lines) => readSockstat('sockstat6', lines),
};
