import { lineProblem, type Problem } from '../problem.js';
import { parseSsSummary, SS_INET_PARTS, SS_ROWS_SUMMED, type SsSummary } from '../ss.js';
import type { Contribution, FormatOutput, InputFormat } from './types.js';

/**
 * `ss -s` (iproute2, old and new format): `Total:`, the `TCP:` line and the
 * transport table. `TCP: N` is alloc + tw (old format: alloc + synrecv + tw).
 */
export const ssSummary: InputFormat = {
  kind: 'ss',
  label: 'ss -s',
  priority: 1,
  files: [/(^|\/)sos_commands\/networking\/ss_-s$/, /^ss[-_ ]?-?s(\.txt|\.out|\.log)?$/i],
  read(lines): FormatOutput {
    const p = parseSsSummary(lines);
    const s = p.summary;
    if (!s || p.issues.some((i) => i.severity === 'error')) {
      const issues = p.issues.length ? p.issues : [lineProblem(lines[0]?.no ?? 0, 'ss -s unreadable', 'error')];
      return { values: [], issues };
    }
    const values: Contribution[] = [];
    const put = (field: string, value: number, line: number): void => {
      values.push({ field, value, line });
    };
    const tl = s.tcpLine;
    put('sockets_used', s.total, s.totalLine);
    if (s.kernel !== undefined) put('ss_kernel', s.kernel, s.totalLine);
    put('tcp_alloc', s.tcpTotal - s.timewait - (s.synrecv ?? 0), tl);
    put('tcp_tw', s.timewait, tl);
    put('tcp_orphan', s.orphaned, tl);
    put('tcp_estab', s.estab, tl);
    if (s.synrecv !== undefined) put('tcp_synrecv', s.synrecv, tl);
    if (s.timewait2 !== undefined) put('tcp_tw2', s.timewait2, tl);
    if (s.ports !== undefined) put('ss_ports', s.ports, tl);
    const rows = s.rows;
    const pair = (row: typeof rows.TCP, f4: string, f6: string): void => {
      if (!row) return;
      if (row.ip !== undefined) put(f4, row.ip, row.line);
      if (row.ipv6 !== undefined) put(f6, row.ipv6, row.line);
    };
    pair(rows.TCP, 'tcp4_inuse', 'tcp6_inuse');
    pair(rows.UDP, 'udp4_inuse', 'udp6_inuse');
    pair(rows.RAW, 'raw4_inuse', 'raw6_inuse');
    pair(rows.FRAG, 'frag4_inuse', 'frag6_inuse');
    if (rows['*']) put('ss_slab_total', rows['*'].total, rows['*'].line);
    return { values, issues: p.issues, checks: internalChecks(s), printed: { tcp_closed: { value: s.closed, line: tl } } };
  },
};

/** Checks inside one `ss -s` output: row totals and the INET row. */
function internalChecks(s: SsSummary): Problem[] {
  const out: Problem[] = [];
  const r = s.rows;
  for (const name of SS_ROWS_SUMMED) {
    const row = r[name];
    if (row && row.ip !== undefined && row.ipv6 !== undefined && row.total !== row.ip + row.ipv6) {
      out.push(lineProblem(row.line, `ss -s ${name} row: total ${row.total} is not IP ${row.ip} + IPv6 ${row.ipv6}`, 'warning'));
    }
  }
  if (r.INET && SS_INET_PARTS.every((n) => r[n])) {
    const sum = SS_INET_PARTS.reduce((a, n) => a + r[n]!.total, 0);
    if (sum !== r.INET.total) out.push(lineProblem(r.INET.line, `ss -s INET row: total ${r.INET.total} is not ${SS_INET_PARTS.join(' + ')} = ${sum}`, 'warning'));
  }
  return out;
}
