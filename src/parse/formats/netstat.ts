import { parseCounterPairs } from '../counters.js';
import type { Line } from '../types.js';
import { counterOutput } from './counters-out.js';
import type { InputFormat } from './types.js';

const GROUP = /^(TcpExt|IpExt|MPTcpExt):\s*\S/;

/**
 * `/proc/net/netstat`: `TcpExt:`, `IpExt:`, `MPTcpExt:` header/value line pairs, columns read by
 * name; every counter keeps its nstat name (`TcpExtListenOverflows`, parse/counters.ts).
 */
export const netstat: InputFormat = {
  kind: 'netstat',
  label: '/proc/net/netstat',
  priority: 2,
  files: [/(^|\/)proc\/net\/netstat$/],
  lines: {
    starts: (t) => GROUP.test(t),
    // A group's header and value line, then the next group's.
    continues(raw: string, lines: readonly Line[]): boolean {
      const g = GROUP.exec(raw.trim())?.[1];
      if (!g) return false;
      let n = 0;
      for (const l of lines) if (l.text.trim().startsWith(`${g}:`)) n++;
      return n < 2;
    },
    // Pasted into a ticket, it often has a blank line between its lines.
    blankInside: true,
  },
  read: (lines) => counterOutput(parseCounterPairs(lines), 'netstat'),
};
