import { lineProblem, type Problem } from './problem.js';
import type { Line } from './types.js';
import { LSOF_HEADER, lsofRow, parseLsof } from './listing/lsof.js';
import { NETSTAT_HEADER, netstatRow, parseNetstat } from './listing/netstat.js';
import { parseSs, SS_HEADER, ssRow } from './listing/ss.js';
import { parseProcTcp, PROC_TCP_HEADER, procTcpRow } from './listing/proc-tcp.js';
import { bump, newPart, TCP_STATES, type ListingPart, type ListingSummary, type ProcessSockets, type SynRecvLocal, type TcpState } from './listing/types.js';

/**
 * Socket listings taken beside the counters, one module per format under `listing/`:
 * ss (`ss -tan`, `-tanp`, `-tupna`, `-a`, `-peaonmi`), netstat (`-tanp`, `-W -neopa`) and lsof
 * (`-nP`, `-b +M -n -l`, `+M -n -l -c ''`). Each section is read into a part; the parts of
 * one moment are put together here: TCP states from one ss or netstat listing (a sosreport
 * has both, of the same sockets), unhashed sockets from every lsof listing, each (PID, FD) once.
 */

export { TCP_STATES };
export type { ListenQueue, ListingSummary, Owner, ProcessSockets, SynRecvLocal, TcpState, UdpListing, UdpSocket } from './listing/types.js';

export type ListingKind = 'ss' | 'netstat' | 'lsof' | 'proc-tcp';

export function emptyListing(): ListingSummary {
  return { kinds: [], states: {}, processes: [], timeWaitPeers: {}, finWait1Peers: {} };
}

/** Is this the header of a listing, and which? */
export function listingHeader(t: string): ListingKind | undefined {
  if (SS_HEADER.test(t)) return 'ss';
  if (NETSTAT_HEADER.test(t)) return 'netstat';
  if (LSOF_HEADER.test(t)) return 'lsof';
  if (PROC_TCP_HEADER.test(t)) return 'proc-tcp';
  return undefined;
}

/** Does this line belong to a listing of that kind (a row or a continuation)? */
export function listingRow(kind: ListingKind, raw: string): boolean {
  if (kind === 'ss') return ssRow(raw);
  if (kind === 'netstat') return netstatRow(raw);
  if (kind === 'proc-tcp') return procTcpRow(raw);
  return lsofRow(raw);
}

/**
 * A message of the command itself inside its listing (stderr kept in the same file, as sos
 * does): `RTNETLINK answers: Invalid argument` where the kernel lacks a diag module, lsof's
 * warnings. Read past as outside lines; the listing goes on.
 */
export function listingNoise(raw: string): boolean {
  return /^(?:RTNETLINK answers: |Cannot open netlink socket|lsof: (?:WARNING|avoiding)|\s+Output information may be incomplete|netstat: )/.test(raw);
}

/** The parts read so far for a summary (a summary stands for one moment). */
const PARTS = new WeakMap<ListingSummary, ListingPart[]>();

/** Add one listing section (its header line first) to a summary. */
export function parseListing(lines: readonly Line[], into: ListingSummary = emptyListing()): { summary: ListingSummary; issues: Problem[] } {
  const kind = lines.length ? listingHeader(lines[0]!.text.trim()) : undefined;
  if (!kind) return { summary: into, issues: [lineProblem(lines[0]?.no ?? 0, 'not a socket listing', 'error')] };
  const part = kind === 'ss' ? parseSs(lines) : kind === 'netstat' ? parseNetstat(lines) : kind === 'proc-tcp' ? parseProcTcp(lines) : parseLsof(lines);
  let parts = PARTS.get(into);
  if (!parts) PARTS.set(into, (parts = []));
  parts.push(part);
  combine(into, parts);
  return { summary: into, issues: [] };
}

/** The summary of a moment's parts (rewritten in place: callers hold the object). */
function combine(sum: ListingSummary, parts: readonly ListingPart[]): void {
  // TCP states: the listing that shows owners, then the most TCP sockets, then ss (it also
  // shows UDP and accept queues), then the first.
  const rank = (p: ListingPart): number[] => [p.owned > 0 ? 1 : 0, p.tcpRows, p.kind === 'ss' ? 1 : 0];
  const better = (a: number[], b: number[]): boolean => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
    return false;
  };
  let best: ListingPart | undefined;
  for (const p of withProcTcp(parts)) {
    if (p.kind === 'lsof' || !p.coversTcp) continue;
    if (!best || better(rank(p), rank(best))) best = p;
  }
  const lsof = parts.filter((p) => p.kind === 'lsof');
  sum.kinds = [...(best ? [best.kind] : []), ...(lsof.length ? ['lsof'] : [])];
  sum.states = best ? { ...best.states } : {};
  sum.timeWaitPeers = best ? { ...best.timeWaitPeers } : {};
  sum.finWait1Peers = best ? { ...best.finWait1Peers } : {};
  const procs = new Map<number, ProcessSockets>();
  for (const p of best?.procs.values() ?? []) procs.set(p.pid, { ...p, states: { ...p.states }, closeWaitLocal: { ...p.closeWaitLocal } });
  delete sum.lsofUnhashed;
  delete sum.lsofUnhashed6;
  if (lsof.length) {
    const seen = new Map<string, { name: string; pid: number; v6: boolean }>();
    for (const p of lsof) for (const [k, v] of p.unhashed) if (!seen.has(k)) seen.set(k, v);
    sum.lsofUnhashed = seen.size;
    sum.lsofUnhashed6 = [...seen.values()].filter((v) => v.v6).length;
    for (const v of seen.values()) {
      let p = procs.get(v.pid);
      if (!p) procs.set(v.pid, (p = { name: v.name, pid: v.pid, states: {}, unhashed: 0, closeWaitLocal: {} }));
      p.unhashed++;
    }
  }
  sum.processes = [...procs.values()];
  const udp = best?.udp ?? parts.find((p) => p.udp)?.udp;
  if (udp) sum.udp = udp;
  else delete sum.udp;
  if (best?.txQueue !== undefined) sum.tcpQueues = { tx: best.txQueue, rx: best.rxQueue ?? 0 };
  else delete sum.tcpQueues;
  const lq = best?.listenQueues;
  if (lq) sum.listenQueues = lq;
  else delete sum.listenQueues;
  const syn = best ? synRecvListeners(best) : [];
  if (syn.length) sum.synRecv = syn;
  else delete sum.synRecv;
}

/** The local addresses with the most SYN-RECV rows, each with the owners of its listener (that address, or the wildcard one of its port). */
function synRecvListeners(p: ListingPart): SynRecvLocal[] {
  return top(p.synRecvLocal).map(([local, count]) => {
    const port = /:(\d+)$/.exec(local)?.[1];
    const wild = port === undefined ? [] : ['0.0.0.0', '*', '[::]', '::', '[::ffff:0.0.0.0]'].map((a) => `${a}:${port}`);
    const owners = p.listenOwners[local] ?? wild.map((w) => p.listenOwners[w]).find((o) => o) ?? [];
    return { local, count, owners };
  });
}

/**
 * `/proc/net/tcp` and `tcp6` each list one family: the two of a moment are one listing of its
 * TCP sockets (their counts added), which then competes with ss and netstat as any listing.
 */
function withProcTcp(parts: readonly ListingPart[]): ListingPart[] {
  const proc = parts.filter((p) => p.kind === 'proc-tcp');
  if (proc.length < 2) return [...parts];
  const sum = newPart('proc-tcp');
  sum.coversTcp = true;
  for (const p of proc) {
    sum.tcpRows += p.tcpRows;
    for (const [k, v] of Object.entries(p.states)) bump(sum.states, k as TcpState, v);
    for (const [k, v] of Object.entries(p.timeWaitPeers)) bump(sum.timeWaitPeers, k, v);
    for (const [k, v] of Object.entries(p.finWait1Peers)) bump(sum.finWait1Peers, k, v);
    if (p.txQueue !== undefined) sum.txQueue = (sum.txQueue ?? 0) + p.txQueue;
    if (p.rxQueue !== undefined) sum.rxQueue = (sum.rxQueue ?? 0) + p.rxQueue;
  }
  return [...parts.filter((p) => p.kind !== 'proc-tcp'), sum];
}

/** `python3 (pid 25485)`. */
export function procLabel(p: { name: string; pid: number }): string {
  return `${p.name} (pid ${p.pid})`;
}

/** The largest entries of a count map, as `key count` pairs. */
export function top(counts: Record<string, number>, n = 3): [string, number][] {
  return Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n);
}
