import { isNstatHeader, nstatRow, parseNstat } from '../counters.js';
import { counterOutput } from './counters-out.js';
import type { InputFormat } from './types.js';

/**
 * `nstat -a` (best `-az`): `#kernel`, then `Name value rate` rows under nstat names. Without
 * `-a` nstat prints increments since its last run, which its text cannot show: read as absolute.
 */
export const nstat: InputFormat = {
  kind: 'nstat',
  label: 'nstat',
  priority: 3,
  files: [/(^|\/)sos_commands\/networking\/nstat_-[a-z]+$/],
  lines: {
    starts: (t) => isNstatHeader(t),
    continues: (raw) => nstatRow(raw.trim()) !== undefined,
    // Pasted into a ticket, it often has a blank line between its lines.
    blankInside: true,
  },
  read: (lines) => counterOutput(parseNstat(lines), 'nstat'),
};
