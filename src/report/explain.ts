import type { Snapshot } from '../normalize/types.js';
import { renderSs } from './ss-text.js';

const PAGE = 4096;

function mib(pages: number): string {
  return `${((pages * PAGE) / 1048576).toFixed(1)} MiB`;
}

/** Tabs to spaces at 8-column stops, as a terminal shows them. */
function expandTabs(l: string): string {
  let o = '';
  for (const ch of l) o += ch === '\t' ? ' '.repeat(8 - (o.length % 8)) : ch;
  return o;
}

function fmt(n: number | undefined): string {
  return n === undefined ? 'absent' : String(n);
}

/**
 * For people: the `ss -s` view of a snapshot and the arithmetic behind
 * `closed`, with host-wide and per-namespace counters kept apart.
 */
export function explainSnapshot(s: Snapshot): string {
  const v = s.values;
  const out: string[] = [];
  const who = s.host ?? '(host unknown)';
  out.push(`== ${who} ${s.time ?? '(time unknown)'}  ${s.source}  [${s.formats.join('+')}]`);
  const ss = renderSs(s);
  const known = ss.assumedZero.length === 0;
  out.push('');
  out.push(known ? 'ss -s would print:' : `ss -s would print (absent, shown as 0 the way ss does: ${ss.assumedZero.join(', ')}):`);
  for (const l of ss.text.replace(/\n+$/, '').split('\n')) out.push(`  ${expandTabs(l).trimEnd()}`);
  out.push('');
  const { tcp_alloc: alloc, tcp4_inuse: in4, tcp6_inuse: in6, tcp_tw: tw, tcp_closed: closed, tcp_unhashed: unhashed } = v;
  if (alloc !== undefined && in4 !== undefined && in6 !== undefined && tw !== undefined) {
    out.push(`closed = alloc - (inuse4 + inuse6 - tw) = ${alloc} - (${in4} + ${in6} - ${tw}) = ${closed}`);
    out.push(
      `  of which ${tw} TIME_WAIT and ${unhashed} allocated but unhashed (TCP_CLOSE: socket() never connected or listened,`,
    );
    out.push('  or a connection that ended while the application still holds the descriptor)');
  } else if (closed !== undefined) {
    out.push(`closed = ${closed} as ss -s printed it; the inputs lack ${['tcp_alloc', 'tcp4_inuse', 'tcp6_inuse', 'tcp_tw'].filter((f) => v[f as keyof typeof v] === undefined).join(', ')} to work it out`);
    if (unhashed !== undefined) out.push(`  of which ${tw} TIME_WAIT and ${unhashed} allocated but unhashed (TCP_CLOSE)`);
  } else {
    out.push('closed: cannot be worked out (the inputs lack TCP alloc, inuse or tw)');
  }
  out.push('');
  out.push('host-wide counters (the whole machine, whatever network namespace the capture ran in):');
  out.push(
    `  TCP alloc ${fmt(alloc)}, orphan ${fmt(v.tcp_orphan)}, TCP mem ${v.tcp_mem_pages === undefined ? 'absent' : `${v.tcp_mem_pages} pages (${mib(v.tcp_mem_pages)} at 4 KiB pages)`}, UDP mem ${v.udp_mem_pages === undefined ? 'absent' : `${v.udp_mem_pages} pages (${mib(v.udp_mem_pages)})`}`,
  );
  out.push('per-namespace counters (what this namespace sees):');
  out.push(
    `  sockets used ${fmt(v.sockets_used)}, TCP inuse ${fmt(in4)} (IPv4) + ${fmt(in6)} (IPv6), tw ${fmt(tw)}, estab ${fmt(v.tcp_estab)}, UDP inuse ${fmt(v.udp4_inuse)} + ${fmt(v.udp6_inuse)}, RAW ${fmt(v.raw4_inuse)} + ${fmt(v.raw6_inuse)}`,
  );
  if (alloc !== undefined) {
    out.push('  note: alloc is host-wide but inuse is per namespace, so inside a container closed and unhashed include');
    out.push('  the TCP sockets of every other namespace on the host.');
  }
  const extras = (['ss_kernel', 'tcp_synrecv', 'tcp_tw2', 'ss_ports', 'ss_slab_total', 'tcp_highest', 'udp_highest'] as const).filter(
    (f) => v[f] !== undefined,
  );
  if (extras.length || Object.keys(s.otherKeys).length) {
    out.push(
      `other values: ${[...extras.map((f) => `${f} ${v[f]}`), ...Object.entries(s.otherKeys).map(([k, x]) => `${k} ${x}`)].join(', ')}`,
    );
  }
  if (s.diagnostics.length) {
    out.push('diagnostics:');
    for (const d of s.diagnostics) out.push(`  - ${d.message}${d.message.includes(d.source) ? '' : ` (${d.source})`}`);
  }
  out.push('');
  return out.join('\n') + '\n';
}
