/**
 * The canonical snapshot's numeric fields, in CSV/JSONL column order
 * (the snapshot columns of docs/formats.md), then the extras that follow when present.
 */
export const NUMERIC_FIELDS = [
  'sockets_used',
  'tcp_alloc',
  'tcp4_inuse',
  'tcp6_inuse',
  'tcp_orphan',
  'tcp_tw',
  'tcp_closed',
  'tcp_unhashed',
  'tcp_estab',
  'tcp_mem_pages',
  'udp4_inuse',
  'udp6_inuse',
  'udp_mem_pages',
  'udplite4_inuse',
  'udplite6_inuse',
  'raw4_inuse',
  'raw6_inuse',
  'frag4_inuse',
  'frag4_memory',
  'frag6_inuse',
  'frag6_memory',
] as const;

/** Cumulative counters of /proc/net/snmp and /proc/net/netstat that are columns. */
export const COUNTER_FIELDS = [
  'TcpExtListenOverflows',
  'TcpExtListenDrops',
  'TcpExtSyncookiesSent',
  'TcpExtTCPReqQFullDoCookies',
  'TcpExtTCPReqQFullDrop',
  'TcpExtTCPTimeWaitOverflow',
  'TcpExtTCPAbortOnMemory',
  'TcpExtTCPMemoryPressures',
  'UdpInErrors',
  'UdpRcvbufErrors',
] as const;

/** Old-format and rare fields: kept, written after the canonical columns. */
export const EXTRA_FIELDS = [
  'ss_kernel',
  'tcp_synrecv',
  'tcp_tw2',
  'ss_ports',
  'ss_slab_total',
  'tcp_highest',
  'udp_highest',
  'page_size',
  // From a socket listing of the same moment (ss -tan/-tanp/-peaonmi, netstat -tanp):
  'list_estab',
  'list_syn_sent',
  'list_syn_recv',
  'list_fin_wait1',
  'list_fin_wait2',
  'list_time_wait',
  'list_close_wait',
  'list_last_ack',
  'list_listen',
  'list_closing',
  // From lsof -nP: TCP sockets shown as `sock ... protocol: TCP` (in no hash table).
  'lsof_unhashed',
  // Cumulative protocol counters the built-in rules read, by their nstat names (parse/counters.ts;
  // the others are kept in Snapshot.counters). Per network namespace.
  ...COUNTER_FIELDS,
] as const;

export type NumericField = (typeof NUMERIC_FIELDS)[number];
export type ExtraField = (typeof EXTRA_FIELDS)[number];
export type Field = NumericField | ExtraField;

export const ALL_FIELDS: readonly Field[] = [...NUMERIC_FIELDS, ...EXTRA_FIELDS];

/** Position of each field in ALL_FIELDS (a snapshot record's column). */
export const FIELD_INDEX: ReadonlyMap<string, number> = new Map(ALL_FIELDS.map((f, i) => [f, i]));

/** Leading text columns, then numeric, then extras, then free-form tails. */
export const COLUMNS = [
  'host',
  'time',
  'source',
  'formats',
  ...NUMERIC_FIELDS,
  ...EXTRA_FIELDS,
  'namespace',
  'other_keys',
  'diagnostics',
] as const;

export type Scope = 'host' | 'namespace' | 'derived';

/**
 * What a container sees (reference: "Scope of each counter"). `host`: the
 * whole machine whatever the namespace; `namespace`: per network namespace on
 * modern kernels; `derived`: computed from both kinds.
 */
export const FIELD_SCOPE: Record<Field, Scope> = {
  sockets_used: 'namespace',
  tcp_alloc: 'host',
  tcp4_inuse: 'namespace',
  tcp6_inuse: 'namespace',
  tcp_orphan: 'host',
  tcp_tw: 'namespace',
  tcp_closed: 'derived',
  tcp_unhashed: 'derived',
  tcp_estab: 'namespace',
  tcp_mem_pages: 'host',
  udp4_inuse: 'namespace',
  udp6_inuse: 'namespace',
  udp_mem_pages: 'host',
  udplite4_inuse: 'namespace',
  udplite6_inuse: 'namespace',
  raw4_inuse: 'namespace',
  raw6_inuse: 'namespace',
  frag4_inuse: 'namespace',
  frag4_memory: 'namespace',
  frag6_inuse: 'namespace',
  frag6_memory: 'namespace',
  ss_kernel: 'host',
  tcp_synrecv: 'host',
  tcp_tw2: 'host',
  ss_ports: 'host',
  ss_slab_total: 'host',
  tcp_highest: 'host',
  udp_highest: 'host',
  page_size: 'host',
  list_estab: 'namespace',
  list_syn_sent: 'namespace',
  list_syn_recv: 'namespace',
  list_fin_wait1: 'namespace',
  list_fin_wait2: 'namespace',
  list_time_wait: 'namespace',
  list_close_wait: 'namespace',
  list_last_ack: 'namespace',
  list_listen: 'namespace',
  list_closing: 'namespace',
  lsof_unhashed: 'namespace',
  TcpExtListenOverflows: 'namespace',
  TcpExtListenDrops: 'namespace',
  TcpExtSyncookiesSent: 'namespace',
  TcpExtTCPReqQFullDoCookies: 'namespace',
  TcpExtTCPReqQFullDrop: 'namespace',
  TcpExtTCPTimeWaitOverflow: 'namespace',
  TcpExtTCPAbortOnMemory: 'namespace',
  TcpExtTCPMemoryPressures: 'namespace',
  UdpInErrors: 'namespace',
  UdpRcvbufErrors: 'namespace',
};
