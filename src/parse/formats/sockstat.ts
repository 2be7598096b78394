import { parseSockstat } from '../sockstat.js';
import type { Line } from '../types.js';
import type { Contribution, FormatOutput, InputFormat } from './types.js';

/** sockstat and sockstat6 `GROUP.key` → field. Anything else is kept in `other_keys`. */
const SOCKSTAT_MAP: Record<string, string> = {
  'sockets.used': 'sockets_used',
  'TCP.inuse': 'tcp4_inuse',
  'TCP.orphan': 'tcp_orphan',
  'TCP.tw': 'tcp_tw',
  'TCP.alloc': 'tcp_alloc',
  'TCP.mem': 'tcp_mem_pages',
  'TCP.highest': 'tcp_highest',
  'UDP.inuse': 'udp4_inuse',
  'UDP.mem': 'udp_mem_pages',
  'UDP.highest': 'udp_highest',
  'UDPLITE.inuse': 'udplite4_inuse',
  'RAW.inuse': 'raw4_inuse',
  'FRAG.inuse': 'frag4_inuse',
  'FRAG.memory': 'frag4_memory',
  'TCP6.inuse': 'tcp6_inuse',
  'UDP6.inuse': 'udp6_inuse',
  'UDPLITE6.inuse': 'udplite6_inuse',
  'RAW6.inuse': 'raw6_inuse',
  'FRAG6.inuse': 'frag6_inuse',
  'FRAG6.memory': 'frag6_memory',
};

/** SOCKSTAT_MAP by group, then key (no string building per value). */
const BY_GROUP: Record<string, Record<string, string>> = {};
for (const [gk, f] of Object.entries(SOCKSTAT_MAP)) {
  const [g, k] = gk.split('.') as [string, string];
  (BY_GROUP[g] ??= {})[k] = f;
}

/** Reads `/proc/net/sockstat` or `sockstat6` (the two differ only in their groups). */
export function readSockstat(kind: string, lines: readonly Line[]): FormatOutput {
  const p = parseSockstat(lines);
  const values: Contribution[] = [];
  const otherKeys: Record<string, number> = {};
  for (const group in p.groups) {
    const kv = p.groups[group]!;
    const known = BY_GROUP[group];
    const line = p.lineOf[group]!;
    for (const key in kv) {
      const field = known?.[key];
      if (field) values.push({ field, value: kv[key]!, line });
      else otherKeys[`${group}.${key}`] = kv[key]!;
    }
  }
  const issues = p.issues.map((i) => (i.severity === 'error' ? { ...i, reason: `${kind}: ${i.reason}` } : i));
  return { values, otherKeys, issues };
}

/** `/proc/net/sockstat`: `sockets: used N`, then `TCP:`, `UDP:`, `UDPLITE:`, `RAW:`, `FRAG:` lines. */
export const sockstat: InputFormat = {
  kind: 'sockstat',
  label: 'sockstat',
  priority: 0,
  files: [/(^|\/)proc\/net\/sockstat$/, /^sockstat(\.txt|\.out|\.log)?$/i],
  read: (lines) => readSockstat('sockstat', lines),
};
