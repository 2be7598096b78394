import { lineProblem } from '../problem.js';
import { parseSnmp } from '../snmp.js';
import { parseCounterPairs } from '../counters.js';
import type { FormatOutput, InputFormat } from './types.js';

/**
 * `/proc/net/snmp`: header/value line pairs per group; `Tcp: CurrEstab` gives `tcp_estab`, and
 * every counter is kept under its nstat name (`UdpRcvbufErrors`, parse/counters.ts).
 */
export const snmp: InputFormat = {
  kind: 'snmp',
  label: 'snmp',
  priority: 2,
  files: [/(^|\/)proc\/net\/snmp$/, /^snmp(\.txt|\.out|\.log)?$/i],
  read(lines): FormatOutput {
    const p = parseSnmp(lines);
    const issues = p.issues.map((i) => (i.severity === 'error' ? { ...i, reason: `snmp: ${i.reason}` } : i));
    const out: FormatOutput = { values: [], issues };
    const tcp = p.groups.Tcp;
    if (tcp && tcp.CurrEstab !== undefined) out.values.push({ field: 'tcp_estab', value: tcp.CurrEstab, line: p.lineOf.Tcp! });
    else issues.push(lineProblem(lines[0]?.no ?? 0, 'snmp: no Tcp CurrEstab column', 'warning'));
    if (!issues.some((i) => i.severity === 'error')) {
      const c = parseCounterPairs(lines);
      for (const name in c.counters) out.values.push({ field: name, value: c.counters[name]!, line: c.lineOf[name]! });
    }
    return out;
  },
};
