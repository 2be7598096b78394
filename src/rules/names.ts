import { ALL_FIELDS } from '../normalize/fields.js';
import { LIMIT_NAMES } from '../parse/sysctl.js';
import { SERIES_FUNCTIONS, SNAPSHOT_FUNCTIONS } from './functions.js';
import { isCounterName } from '../parse/counters.js';

/** Per-snapshot values the engine derives from the series (usable like fields). */
export const DERIVED = {
  tcp_inuse: 'tcp4_inuse + tcp6_inuse: hashed TCP sockets (per namespace)',
  udp_inuse: 'udp4_inuse + udp6_inuse (per namespace)',
  frag_memory: 'frag4_memory + frag6_memory, bytes',
  interval_s: 'seconds since the previous snapshot of the same host',
  median_interval_s: "median interval between the host's snapshots, seconds",
  mismatch_abs: 'largest absolute difference between two sources of one field in this snapshot',
  mismatch_rel: 'that difference relative to the larger value',
  mismatch_fields: 'text: the fields whose sources disagree, with both values',
  prev_sockets_used: 'sockets_used of the previous snapshot of the same host',
  unhashed_owners: 'text, from lsof: which processes hold the unhashed TCP sockets',
  close_wait_owners: 'text, from ss -p/netstat -p: which processes hold CLOSE-WAIT sockets, on which local addresses',
  timewait_peers: 'text, from a listing: the peers most TIME-WAIT sockets point to',
  orphan_peers: 'text, from a listing: the peers most FIN-WAIT-1 sockets point to',
  full_listeners: 'text, from an ss listing: listening sockets whose accept queue (Recv-Q) is at or over its backlog (Send-Q), with their owners',
  udp_drop_sockets: 'text, from ss -uam / ss -peaonmi: UDP sockets with drops (skmem d) or a queue, with their owners',
  syn_recv_listeners: 'text, from an ss or netstat listing: the local addresses with the most SYN-RECV (half-open) connections, with the owners of their listener',
  run_start: "text, in messages: the time of the snapshot before the finding's first (where its first interval starts)",
  run_end: "text, in messages: the time of the finding's last snapshot",
} as const;

export type DerivedName = keyof typeof DERIVED;

export const FIELD_NAMES: ReadonlySet<string> = new Set<string>([...ALL_FIELDS, ...Object.keys(DERIVED)]);

/**
 * A name a rule may read per snapshot: a field, a derived value, or any protocol counter
 * by its nstat name (`TcpExtTCPAbortOnData`; absent where the inputs do not give it).
 */
export function isValueName(n: string): boolean {
  return FIELD_NAMES.has(n) || isCounterName(n);
}

/** Counter names (not fields) a set of rules reads: the ones the series store keeps. */
export function countersRead(names: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const n of names) if (!FIELD_NAMES.has(n) && isCounterName(n)) out.add(n);
  return out;
}
export const LIMIT_IDENTS: ReadonlySet<string> = new Set(LIMIT_NAMES.map((n) => `limits.${n}`));

export function functionsFor(scope: 'snapshot' | 'series'): ReadonlySet<string> {
  return new Set<string>([...(scope === 'series' ? SERIES_FUNCTIONS : SNAPSHOT_FUNCTIONS), 'known', 'coalesce']);
}

/** Series functions whose first argument names a field (not a value). */
export const FIELD_ARG_FUNCTIONS: ReadonlySet<string> = new Set([
  'slope', 'r2', 'delta', 'rate', 'min', 'max', 'mean', 'median', 'quantile', 'stddev', 'zscore', 'count', 'first', 'last', 'prev',
  'counter_delta', 'counter_rate',
]);
