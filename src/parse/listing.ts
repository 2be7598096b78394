import type { Line, ParseIssue } from './types.js';

/**
 * Socket listings taken beside the counters: `ss -tan`, `ss -tanp`, `ss -peaonmi`
 * (entries with continuation lines for timers/skmem/tcp info), `netstat -tanp`, and
 * `lsof -nP` (where an unconnected TCP socket shows as `sock ... protocol: TCP`).
 * The parsers aggregate as they go: counts per TCP state, per process and per address.
 */

/** TCP states as ss prints them (netstat's names map onto these). */
export const TCP_STATES = ['ESTAB', 'SYN-SENT', 'SYN-RECV', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT', 'CLOSE-WAIT', 'LAST-ACK', 'LISTEN', 'CLOSING'] as const;
export type TcpState = (typeof TCP_STATES)[number];

const NETSTAT_STATE: Record<string, TcpState> = {
  ESTABLISHED: 'ESTAB', SYN_SENT: 'SYN-SENT', SYN_RECV: 'SYN-RECV', FIN_WAIT1: 'FIN-WAIT-1', FIN_WAIT2: 'FIN-WAIT-2',
  TIME_WAIT: 'TIME-WAIT', CLOSE_WAIT: 'CLOSE-WAIT', LAST_ACK: 'LAST-ACK', LISTEN: 'LISTEN', CLOSING: 'CLOSING',
};
const SS_STATES = new Set<string>([...TCP_STATES, 'NEW-SYN-RECV']);

export interface ProcessSockets {
  name: string;
  pid: number;
  /** TCP sockets per state (from ss -p / netstat -p / lsof). */
  states: Partial<Record<TcpState, number>>;
  /** TCP sockets in no hash table (lsof `sock ... protocol: TCP`). */
  unhashed: number;
  /** CLOSE-WAIT sockets per local address:port. */
  closeWaitLocal: Record<string, number>;
}

export interface ListingSummary {
  /** Which listing: `ss` or `netstat` (states), `lsof` (processes and unhashed). */
  kinds: string[];
  states: Partial<Record<TcpState, number>>;
  processes: ProcessSockets[];
  /** TIME-WAIT and FIN-WAIT-1 sockets have no owner: where they go is the next best clue. */
  timeWaitPeers: Record<string, number>;
  finWait1Peers: Record<string, number>;
  /** Unhashed TCP sockets seen by lsof, when an lsof listing is present. */
  lsofUnhashed?: number;
}

export function emptyListing(): ListingSummary {
  return { kinds: [], states: {}, processes: [], timeWaitPeers: {}, finWait1Peers: {} };
}

function proc(sum: ListingSummary, name: string, pid: number): ProcessSockets {
  let p = sum.processes.find((x) => x.pid === pid && x.name === name);
  if (!p) sum.processes.push((p = { name, pid, states: {}, unhashed: 0, closeWaitLocal: {} }));
  return p;
}

function bump<K extends string>(o: Partial<Record<K, number>>, k: K, n = 1): void {
  o[k] = (o[k] ?? 0) + n;
}

const USERS = /\("((?:[^"\\]|\\.)*)",pid=(\d+),fd=\d+\)/g;

function countTcp(sum: ListingSummary, state: TcpState, local: string, peer: string, owners: { name: string; pid: number }[]): void {
  bump(sum.states, state);
  if (state === 'TIME-WAIT') bump(sum.timeWaitPeers, peer);
  if (state === 'FIN-WAIT-1') bump(sum.finWait1Peers, peer);
  for (const o of owners) {
    const p = proc(sum, o.name, o.pid);
    bump(p.states, state);
    if (state === 'CLOSE-WAIT') bump(p.closeWaitLocal, local);
  }
}

/** Is this the header of a listing, and which? */
export function listingHeader(t: string): 'ss' | 'netstat' | 'lsof' | undefined {
  if (/^(?:Netid\s+)?State\s+Recv-Q\s+Send-Q\s/.test(t)) return 'ss';
  if (/^Proto\s+Recv-Q\s+Send-Q\s+Local Address/.test(t)) return 'netstat';
  if (/^COMMAND\s+PID\s+(?:TID\s+(?:TASKCMD\s+)?)?USER\s+FD\s+TYPE\s/.test(t)) return 'lsof';
  return undefined;
}

/** Does this line belong to a listing of that kind (a row or a continuation)? */
export function listingRow(kind: 'ss' | 'netstat' | 'lsof', raw: string): boolean {
  if (kind === 'ss') {
    if (/^\s/.test(raw)) return raw.trim() !== ''; // continuation: timers, skmem, tcp info
    const first = raw.slice(0, raw.search(/\s|$/));
    return SS_STATES.has(first) || /^(tcp|udp|raw|u_str|u_dgr|u_seq|nl|p_raw|p_dgr|mptcp|sctp)$/.test(first);
  }
  if (kind === 'netstat') return /^(tcp6?|udp6?|raw6?)\s/.test(raw);
  return /^\S+\s+\d+\s+/.test(raw);
}

/** Add one listing section (its header line first) to a summary. */
export function parseListing(lines: readonly Line[], into: ListingSummary = emptyListing()): { summary: ListingSummary; issues: ParseIssue[] } {
  const issues: ParseIssue[] = [];
  const kind = lines.length ? listingHeader(lines[0]!.text.trim()) : undefined;
  if (!kind) return { summary: into, issues: [{ line: lines[0]?.no ?? 0, severity: 'error', message: 'not a socket listing' }] };
  if (!into.kinds.includes(kind)) into.kinds.push(kind);
  if (kind === 'lsof') into.lsofUnhashed ??= 0;
  const seenFd = new Set<string>(); // lsof repeats a descriptor once per thread

  const netidCol = /^Netid\s/.test(lines[0]!.text.trim());
  for (const { text } of lines.slice(1)) {
    if (/^\s/.test(text)) continue; // continuation lines of ss -peaonmi
    const f = text.trim().split(/\s+/);
    if (kind === 'ss') {
      let i = 0;
      if (netidCol || !SS_STATES.has(f[0]!)) {
        if (f[0] !== 'tcp') continue; // udp, unix, ... rows of ss -a
        i = 1;
      }
      const state = f[i] === 'NEW-SYN-RECV' ? 'SYN-RECV' : (f[i] as TcpState);
      if (!SS_STATES.has(f[i]!)) continue;
      const local = f[i + 3] ?? '';
      const peer = f[i + 4] ?? '';
      const owners = [...text.matchAll(USERS)].map((m) => ({ name: m[1]!, pid: Number(m[2]) }));
      countTcp(into, state, local, peer, owners);
    } else if (kind === 'netstat') {
      if (!f[0]!.startsWith('tcp')) continue;
      const state = NETSTAT_STATE[f[5] ?? ''];
      if (!state) continue;
      // -p puts PID/Program after the state (after User and Inode with -e)
      const pp = f.slice(6).map((x) => /^(\d+)\/(.+)$/.exec(x)).find((m) => m);
      countTcp(into, state, f[3] ?? '', f[4] ?? '', pp ? [{ name: pp[2]!, pid: Number(pp[1]) }] : []);
    } else {
      // lsof: COMMAND PID USER FD TYPE DEVICE SIZE/OFF NODE NAME
      const name = f[0]!;
      const pid = Number(f[1]);
      if (!Number.isInteger(pid)) continue;
      if (/\bsock\b/.test(text) && /protocol: TCP6?\s*$/.test(text)) {
        const key = `${pid}/${f[3]}`;
        if (seenFd.has(key)) continue;
        seenFd.add(key);
        proc(into, name, pid).unhashed++;
        into.lsofUnhashed = (into.lsofUnhashed ?? 0) + 1;
      }
    }
  }
  return { summary: into, issues };
}

/** `python3 (pid 25485)`. */
export function procLabel(p: { name: string; pid: number }): string {
  return `${p.name} (pid ${p.pid})`;
}

/** The largest entries of a count map, as `key count` pairs. */
export function top(counts: Record<string, number>, n = 3): [string, number][] {
  return Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n);
}
