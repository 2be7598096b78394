import { isNetstatSGroup, parseNetstatS } from '../counters.js';
import type { Line } from '../types.js';
import { counterOutput } from './counters-out.js';
import type { InputFormat } from './types.js';

/**
 * `netstat -s` (net-tools): `Tcp:` alone on a line, then indented sentences
 * (`14 times the listen queue of a socket overflowed`) and `Name: value` lines.
 */
export const netstatS: InputFormat = {
  kind: 'netstat-s',
  label: 'netstat -s',
  priority: 4,
  files: [/(^|\/)sos_commands\/networking\/netstat_-s$/],
  lines: {
    starts: (t) => t === 'Ip:' || t === 'IcmpMsg:' || t === 'Icmp:' || t === 'Tcp:' || t === 'Udp:' || t === 'TcpExt:',
    continues(raw: string, lines: readonly Line[]): boolean {
      if (/^\s+\S/.test(raw)) return true;
      const t = raw.trim();
      return isNetstatSGroup(t) && !lines.some((l) => l.text.trim() === t);
    },
    // netstat -s pasted into a ticket often has a blank line between its lines.
    blankInside: true,
  },
  read: (lines) => counterOutput(parseNetstatS(lines), 'netstat -s'),
};
