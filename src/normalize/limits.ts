import { isProblem } from '../parse/problem.js';
import { parseSysctlLine } from '../parse/sysctl.js';
import type { LimitReading, SysctlLine } from '../segment/types.js';

/**
 * The limits a `sysctl -a` line gives (`net.ipv4.tcp_mem = 190011\t253348\t380022`: three),
 * each with the line's `file:line` and host; undefined when it gives none (another sysctl of
 * the family, or values that do not fit the limit's shape).
 */
export function limitsOfSysctlLine(line: SysctlLine): LimitReading[] | undefined {
  const r = parseSysctlLine(line.text);
  if (!r || isProblem(r.values)) return undefined;
  return r.values.map((v) => {
    const l: LimitReading = { name: v.name, value: v.value, source: line.source };
    if (line.host !== undefined) l.host = line.host;
    return l;
  });
}
