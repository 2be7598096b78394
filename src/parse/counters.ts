import { lineProblem, type Problem } from './problem.js';
import { parseSnmp } from './snmp.js';
import { type Line, parseIntToken } from './types.js';

/**
 * The kernel's cumulative protocol counters, by the names `nstat` gives them: the group
 * of `/proc/net/snmp` or `/proc/net/netstat` followed by the column name
 * (`TcpExtListenOverflows`, `UdpRcvbufErrors`, `IpExtInOctets`, `MPTcpExtMPCapableSYNRX`).
 * The same names are read from `/proc/net/snmp` + `/proc/net/netstat` (header/value line
 * pairs, columns found by name), from `nstat -a` and from `netstat -s`.
 */
export interface CounterParse {
  /** Counter name → value. */
  counters: Record<string, number>;
  /** Counter name → line it was read from. */
  lineOf: Record<string, number>;
  issues: Problem[];
}

/** Groups of /proc/net/snmp. */
export const SNMP_GROUPS = ['Ip', 'Icmp', 'IcmpMsg', 'Tcp', 'Udp', 'UdpLite'] as const;
/** Groups of /proc/net/netstat. */
export const NETSTAT_GROUPS = ['TcpExt', 'IpExt', 'MPTcpExt'] as const;

const GROUP_RE = /^(?:IcmpMsg|Icmp6|Icmp|IpExt|Ip6|Ip|MPTcpExt|TcpExt|Tcp|UdpLite6|UdpLite|Udp6|Udp)(?=[A-Z])/;

/** Is this a counter name as nstat prints it (a known group, then a name)? */
export function isCounterName(name: string): boolean {
  return GROUP_RE.test(name) && /^[A-Za-z][A-Za-z0-9]*$/.test(name);
}

/** Header/value line pairs (`/proc/net/snmp`, `/proc/net/netstat`) → counters by nstat name. */
export function parseCounterPairs(lines: readonly Line[]): CounterParse {
  const p = parseSnmp(lines);
  const counters: Record<string, number> = {};
  const lineOf: Record<string, number> = {};
  for (const g in p.groups) {
    const kv = p.groups[g]!;
    for (const k in kv) {
      counters[g + k] = kv[k]!;
      lineOf[g + k] = p.lineOf[g]!;
    }
  }
  return { counters, lineOf, issues: p.issues };
}

/** `#kernel` starts `nstat` output. */
export function isNstatHeader(t: string): boolean {
  return t === '#kernel';
}

const NSTAT_ROW = /^([A-Za-z][A-Za-z0-9]*)\s+(-?\d+)(?:\s+-?\d+(?:\.\d+)?)?\s*$/;

/** A row of `nstat` output: `TcpExtListenOverflows   4210   0.0`. */
export function nstatRow(t: string): { name: string; value: number } | undefined {
  const m = NSTAT_ROW.exec(t);
  if (!m) return undefined;
  const v = parseIntToken(m[2]!);
  return v === undefined ? undefined : { name: m[1]!, value: v };
}

/**
 * `nstat -a` (absolute values; `-z` adds the zero ones). Rows of other counter families
 * (`Ip6...`, `Udp6...`) are kept under their names too. nstat without `-a` prints
 * increments since its last run, which cannot be told apart from its text: run `nstat -az`.
 */
export function parseNstat(lines: readonly Line[]): CounterParse {
  const counters: Record<string, number> = {};
  const lineOf: Record<string, number> = {};
  const issues: Problem[] = [];
  for (const { no, text } of lines) {
    const t = text.trim();
    if (t === '' || isNstatHeader(t)) continue;
    const r = nstatRow(t);
    if (!r) {
      issues.push(lineProblem(no, `nstat: not a counter row: ${JSON.stringify(t.slice(0, 80))}`, 'warning'));
      continue;
    }
    counters[r.name] = r.value;
    lineOf[r.name] = no;
  }
  return { counters, lineOf, issues };
}

/**
 * `netstat -s` (net-tools) prints each counter as a sentence. These are its sentences for
 * the counters sockscope's rules read and their neighbours, as net-tools' statistics.c
 * writes them (`%llu` is the value); a line `Name: value` (counters net-tools has no
 * sentence for) is read by its name. Other sentences are passed over.
 */
const NETSTAT_S: Record<string, [RegExp, string][]> = {
  Ip: [
    [/^(\d+) total packets received$/, 'InReceives'],
    [/^(\d+) with invalid headers$/, 'InHdrErrors'],
    [/^(\d+) with invalid addresses$/, 'InAddrErrors'],
    [/^(\d+) forwarded$/, 'ForwDatagrams'],
    [/^(\d+) incoming packets discarded$/, 'InDiscards'],
    [/^(\d+) incoming packets delivered$/, 'InDelivers'],
    [/^(\d+) requests sent out$/, 'OutRequests'],
    [/^(\d+) outgoing packets dropped$/, 'OutDiscards'],
    [/^(\d+) dropped because of missing route$/, 'OutNoRoutes'],
    [/^(\d+) fragments dropped after timeout$/, 'ReasmTimeout'],
    [/^(\d+) reassemblies required$/, 'ReasmReqds'],
    [/^(\d+) packets reassembled ok$/, 'ReasmOKs'],
    [/^(\d+) packet reassembles failed$/, 'ReasmFails'],
  ],
  Tcp: [
    [/^(\d+) active connection(?:s)? openings$/, 'ActiveOpens'],
    [/^(\d+) passive connection openings$/, 'PassiveOpens'],
    [/^(\d+) failed connection attempts$/, 'AttemptFails'],
    [/^(\d+) connection resets received$/, 'EstabResets'],
    [/^(\d+) connections established$/, 'CurrEstab'],
    [/^(\d+) segments received$/, 'InSegs'],
    [/^(\d+) segments sen(?:d|t) out$/, 'OutSegs'],
    [/^(\d+) segments retransmit(?:t)?ed$/, 'RetransSegs'],
    [/^(\d+) bad segments received\.?$/, 'InErrs'],
    [/^(\d+) resets sent$/, 'OutRsts'],
  ],
  Udp: [
    [/^(\d+) packets received$/, 'InDatagrams'],
    [/^(\d+) packets to unknown port received\.?$/, 'NoPorts'],
    [/^(\d+) packet receive errors$/, 'InErrors'],
    [/^(\d+) packets sent$/, 'OutDatagrams'],
    [/^(\d+) receive buffer errors$/, 'RcvbufErrors'],
    [/^(\d+) send buffer errors$/, 'SndbufErrors'],
  ],
  TcpExt: [
    [/^(\d+) SYN cookies sent$/, 'SyncookiesSent'],
    [/^(\d+) SYN cookies received$/, 'SyncookiesRecv'],
    [/^(\d+) invalid SYN cookies received$/, 'SyncookiesFailed'],
    [/^(\d+) resets received for embryonic SYN_RECV sockets$/, 'EmbryonicRsts'],
    [/^(\d+) packets pruned from receive queue because of socket buffer overrun$/, 'PruneCalled'],
    [/^(\d+) TCP sockets finished time wait in fast timer$/, 'TW'],
    [/^(\d+) times the listen queue of a socket overflowed$/, 'ListenOverflows'],
    [/^(\d+) SYNs to LISTEN sockets (?:dropped|ignored)$/, 'ListenDrops'],
    [/^(\d+) connections aborted due to memory pressure$/, 'TCPAbortOnMemory'],
    [/^(\d+) connections reset due to unexpected data$/, 'TCPAbortOnData'],
    [/^(\d+) connections reset due to early user close$/, 'TCPAbortOnClose'],
    [/^(\d+) connections aborted due to timeout$/, 'TCPAbortOnTimeout'],
    [/^(\d+) TCP memory pressures$/, 'TCPMemoryPressures'],
    [/^TCP ran low on memory (\d+) times$/, 'TCPMemoryPressures'],
    [/^(\d+) times unable to send RST due to no memory$/, 'TCPAbortFailed'],
  ],
};

/** `netstat -s`: a group line (`TcpExt:`) then indented sentences or `Name: value` lines. */
export function parseNetstatS(lines: readonly Line[]): CounterParse {
  const counters: Record<string, number> = {};
  const lineOf: Record<string, number> = {};
  const issues: Problem[] = [];
  let group: string | undefined;
  // Group lines are indented less than the lines under them; a paste may have indented the
  // whole output (a Markdown code block, a quoted mail), so the test is relative.
  const indent = (text: string) => text.length - text.trimStart().length;
  let under = Infinity;
  for (const { text } of lines) {
    const t = text.trim();
    if (t !== '' && !/^[A-Za-z0-9]+:$/.test(t)) under = Math.min(under, indent(text));
  }
  for (const { no, text } of lines) {
    const t = text.trim();
    if (t === '') continue;
    const g = /^([A-Za-z0-9]+):$/.exec(t);
    if (g && indent(text) < under) {
      group = g[1]!;
      continue;
    }
    if (!group) continue;
    let name: string | undefined;
    let value: number | undefined;
    for (const [re, n] of NETSTAT_S[group] ?? []) {
      const m = re.exec(t);
      if (m) {
        name = n;
        value = Number(m[1]);
        break;
      }
    }
    if (name === undefined) {
      const kv = /^([A-Za-z][A-Za-z0-9]*): (-?\d+)$/.exec(t);
      if (kv) {
        name = kv[1]!;
        value = Number(kv[2]);
      }
    }
    if (name === undefined || value === undefined) continue;
    // IcmpMsg prints `InType3: 12`: its names are already complete.
    counters[group + name] = value;
    lineOf[group + name] = no;
  }
  return { counters, lineOf, issues };
}

/** Is this a `netstat -s` group line (`Ip:`, `TcpExt:` alone)? */
export function isNetstatSGroup(t: string): boolean {
  return /^(?:Ip|Icmp|IcmpMsg|Tcp|Udp|UdpLite|TcpExt|IpExt|MPTcpExt|Sctp):$/.test(t);
}
