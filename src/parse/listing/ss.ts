import type { Line } from '../types.js';
import { countTcp, newPart, type ListenQueue, type ListingPart, type Owner, type TcpState, type UdpSocket } from './types.js';

/**
 * ss listings: `ss -tan`, `ss -tanp` (no Netid column: TCP only), `ss -tupna`, `ss -a`,
 * `ss -peaonmi` (sos), `ss -uamp`. Rows of every netid are read (`nl`, `p_raw`, `u_str`,
 * `icmp6`, `raw`, `udp`, `tcp`, `mptcp`, `v_str`, `sctp`, `tipc`, `xdp`, ...); TCP rows give
 * the states, UDP rows the queues and drops. Continuation lines (they start with blank
 * space: timers, `skmem:(...)`, TCP info of `-e -m -i`) belong to the row above.
 */

const STATES = new Set<string>(['ESTAB', 'SYN-SENT', 'SYN-RECV', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT', 'CLOSE-WAIT', 'LAST-ACK', 'LISTEN', 'CLOSING', 'NEW-SYN-RECV']);
/** A state word of any netid (TCP's, `UNCONN`, `UNKNOWN`, ...). */
const ANY_STATE = /^[A-Z][A-Z0-9-]*$/;

export const SS_HEADER = /^(?:Netid\s+)?State\s+Recv-Q\s+Send-Q\s/;

/**
 * What ss's `-e -o -m -i -p` print after a row, on its continuation line: `timer:(...)`,
 * `skmem:(...)`, `users:(...)`, `ino:`, TCP info (`ts sack cubic wscale:7,7 rto:204 ...`).
 */
const EXTRA = /^(?:(?:skmem|timer|users|ino|uid|sk|cgroup|v6only|wscale|rto|rtt|ato|mss|pmtu|rcvmss|advmss|cwnd|ssthresh|bytes_\w+|segs_\w+|data_segs_\w+|send|lastsnd|lastrcv|lastack|pacing_rate|delivery_rate|delivered\w*|busy|rwnd_limited|sndbuf_limited|unacked|retrans|lost|sacked|fackets|reordering|reord_seen|rcv_\w+|minrtt|snd_wnd|notsent|dsack_dups|tos|class_id|fwmark|tcp-ulp-\w+)[:(]|(?:ts|sack|ecn|ecnseen|fastopen|app_limited|cubic|bbr2?|reno|htcp|dctcp|vegas|westwood|bic|scalable|lp|veno|yeah|illinois|hybla|highspeed|nv|cdg)(?:\s|$))/;

/**
 * A continuation line: ss starts it with a tab (for a TIME-WAIT socket the rest is blank
 * padding); pasted output often loses that tab, so a line at column 0 that starts with what
 * ss prints there (`skmem:(`, `timer:(`, `cubic wscale:7,7`) is one too.
 */
export function ssContinuation(raw: string): boolean {
  if (raw.startsWith('\t')) return true;
  if (/^\s/.test(raw)) return raw.trim() !== '';
  return EXTRA.test(raw);
}

/** A row (`netid STATE n n ...` or `STATE n n ...`) or a continuation line of an ss listing. */
export function ssRow(raw: string): boolean {
  if (ssContinuation(raw)) return true;
  if (/^\s/.test(raw)) return false;
  const m = /^(\S+)\s+(\S+)\s+(\S+)/.exec(raw);
  if (!m) return false;
  if (STATES.has(m[1]!) || m[1] === 'UNCONN') return /^-?\d+$/.test(m[2]!);
  return /^[a-z][a-z0-9_]*$/.test(m[1]!) && ANY_STATE.test(m[2]!) && /^-?\d+$/.test(m[3]!);
}

/** `users:(("nginx",pid=12,fd=3),...)`; iproute2 before 3.x-era `pid=`: `users:(("sshd",1231,3))`. */
const USERS = /\("((?:[^"\\]|\\.)*)",(?:pid=)?(\d+),(?:fd=)?\d+\)/g;
const DROPS = /skmem:\([^)]*\bd(\d+)\)/;

function owners(text: string): Owner[] {
  const out: Owner[] = [];
  for (const m of text.matchAll(USERS)) out.push({ name: m[1]!, pid: Number(m[2]) });
  return out;
}

export function parseSs(lines: readonly Line[]): ListingPart {
  const part = newPart('ss');
  const netidCol = /^\s*Netid\s/.test(lines[0]?.text ?? '');
  // Without a Netid column ss shows one kind of socket: TCP (`ss -tan`), unless rows are
  // UNCONN, which TCP never is: then UDP (`ss -uamp`; `ss -wan` raw rows are read as UDP too).
  const unconn = !netidCol && lines.some((l, k) => k > 0 && /^UNCONN\s/.test(l.text));
  const plain = unconn ? 'udp' : 'tcp';
  const udp: UdpSocket[] = [];
  let udpDrops: number | undefined;
  const listen: ListenQueue[] = [];
  let last: UdpSocket | undefined;
  for (const { text } of lines.slice(1)) {
    if (ssContinuation(text)) {
      // continuation of the row above: skmem of a UDP socket carries its drops
      const d = last ? DROPS.exec(text) : null;
      if (d && last) {
        last.drops = (last.drops ?? 0) + Number(d[1]);
        udpDrops = (udpDrops ?? 0) + Number(d[1]);
      }
      continue;
    }
    last = undefined;
    const f = text.trim().split(/\s+/);
    let i = 0;
    let netid = plain;
    if (netidCol || !(STATES.has(f[0]!) || f[0] === 'UNCONN')) {
      netid = f[0]!;
      i = 1;
    }
    if (netid === 'udp') {
      const s: UdpSocket = { local: f[i + 3] ?? '', recvQ: Number(f[i + 1]) || 0, owners: owners(text) };
      const d = DROPS.exec(text);
      if (d) {
        s.drops = Number(d[1]);
        udpDrops = (udpDrops ?? 0) + s.drops;
      }
      udp.push(s);
      last = s;
      continue;
    }
    if (netid !== 'tcp' || !STATES.has(f[i]!)) continue; // other netids, and UNCONN tcp rows of old ss
    const state = (f[i] === 'NEW-SYN-RECV' ? 'SYN-RECV' : f[i]) as TcpState;
    const own = owners(text);
    if (state === 'LISTEN') {
      const recvQ = Number(f[i + 1]) || 0;
      if (recvQ > 0) listen.push({ local: f[i + 3] ?? '', recvQ, backlog: Number(f[i + 2]) || 0, owners: own });
    }
    countTcp(part, state, f[i + 3] ?? '', f[i + 4] ?? '', own);
  }
  // `ss -tan` with no rows still says: no TCP socket.
  if (!netidCol && !unconn) part.coversTcp = true;
  if (udp.length) {
    part.udp = {
      sockets: udp.length,
      recvQBytes: udp.reduce((a, s) => a + s.recvQ, 0),
      queued: udp.filter((s) => s.recvQ > 0).length,
      ...(udpDrops !== undefined ? { drops: udpDrops } : {}),
      top: udp
        .filter((s) => s.recvQ > 0 || (s.drops ?? 0) > 0)
        .sort((a, b) => b.recvQ - a.recvQ || (b.drops ?? 0) - (a.drops ?? 0))
        .slice(0, 5),
    };
  }
  if (listen.length) part.listenQueues = listen.sort((a, b) => b.recvQ / Math.max(b.backlog, 1) - a.recvQ / Math.max(a.backlog, 1) || b.recvQ - a.recvQ).slice(0, 5);
  return part;
}
