import { lineProblem, type Problem } from '../problem.js';
import type { Line } from '../types.js';
import type { Contribution, FormatOutput, InputFormat } from './types.js';

/**
 * `sar -n SOCK` and `SOCK6` values. Every sysstat output is brought to one
 * section shape: the `# hostname;interval;timestamp;...` header of `sadf -d`
 * and one row. `sadf -d` sections are its own lines (the segmenter holds the
 * rows of one time to merge them, segment/sadf-d.ts); `sadf -j`
 * (segment/sadf-json.ts) and `sar` text (segment/sar-text.ts) make the same
 * two lines, numbered with the lines they were read from.
 */

/** sar column → snapshot field. sar keeps no alloc, orphan or mem: those stay absent. */
export const SAR_SOCK_FIELDS: Readonly<Record<string, string>> = {
  totsck: 'sockets_used',
  tcpsck: 'tcp4_inuse',
  udpsck: 'udp4_inuse',
  rawsck: 'raw4_inuse',
  'ip-frag': 'frag4_inuse',
  'tcp-tw': 'tcp_tw',
  tcp6sck: 'tcp6_inuse',
  udp6sck: 'udp6_inuse',
  raw6sck: 'raw6_inuse',
  'ip6-frag': 'frag6_inuse',
};

/**
 * Reads a header and its row. A row whose field count is not its header's
 * (cut short, a field lost) is an error: the block is a reported skip, never
 * read by guessing. A value that is no socket count (negative, a fraction of
 * digits past 2^53, text) is a warning and not used.
 */
function readSarSock(label: string) {
  return (lines: readonly Line[]): FormatOutput => {
    const head = lines[0]!;
    const row = lines[1];
    const issues: Problem[] = [];
    const values: Contribution[] = [];
    if (!row) return { values, issues: [lineProblem(head.no, `${label}: header without a row`, 'error')] };
    const names = head.text.slice(1).trim().split(';');
    const vals = row.text.split(';');
    if (vals.length !== names.length) {
      const message = `${label}: row has ${vals.length} field(s) where its header (line ${head.no}) has ${names.length}; not read`;
      return { values, issues: [lineProblem(row.no, message)] };
    }
    names.forEach((name, i) => {
      const field = SAR_SOCK_FIELDS[name];
      if (!field) return;
      const v = vals[i]!.trim();
      if (!/^\d+(\.\d+)?$/.test(v) || !Number.isSafeInteger(Math.trunc(Number(v)))) {
        issues.push(lineProblem(row.no, `sar ${name}: not a socket count: ${JSON.stringify(v.slice(0, 40))}; not used`, 'warning'));
        return;
      }
      values.push({ field, value: Number(v), line: row.no });
    });
    return { values, issues };
  };
}

export const sarSock: InputFormat = { kind: 'sar-sock', label: 'sar -n SOCK', priority: 1, read: readSarSock('sar -n SOCK') };
export const sarSock6: InputFormat = { kind: 'sar-sock6', label: 'sar -n SOCK6', priority: 1, read: readSarSock('sar -n SOCK6') };
