/** TCP states as ss prints them (netstat's names map onto these). */
export const TCP_STATES = ['ESTAB', 'SYN-SENT', 'SYN-RECV', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT', 'CLOSE-WAIT', 'LAST-ACK', 'LISTEN', 'CLOSING'] as const;
export type TcpState = (typeof TCP_STATES)[number];

export interface Owner {
  name: string;
  pid: number;
}

export interface ProcessSockets extends Owner {
  /** TCP sockets per state (from ss -p / netstat -p). */
  states: Partial<Record<TcpState, number>>;
  /** TCP sockets in no hash table (lsof `sock ... protocol: TCP` or `TCPv6`), one per descriptor. */
  unhashed: number;
  /** CLOSE-WAIT sockets per local address:port. */
  closeWaitLocal: Record<string, number>;
}

/** A UDP socket of an ss listing with something queued or dropped (`ss -uamp`, `ss -peaonmi`). */
export interface UdpSocket {
  local: string;
  /** Bytes waiting to be read (Recv-Q). */
  recvQ: number;
  /** Datagrams dropped on this socket (`skmem:(...,d N)`); absent without `-m`. */
  drops?: number;
  owners: Owner[];
}

/** UDP in an ss listing: totals and the sockets that hold the most. */
export interface UdpListing {
  sockets: number;
  /** Sum of Recv-Q over the UDP sockets, bytes. */
  recvQBytes: number;
  /** Sockets with a non-empty Recv-Q. */
  queued: number;
  /** Sum of the `d` counts of skmem; absent when the listing has no skmem (no `-m`). */
  drops?: number;
  /** Up to 5 sockets, most queued bytes first, then most drops. */
  top: UdpSocket[];
}

/** Half-open connections (SYN-RECV rows) of one local address:port, and who listens there. */
export interface SynRecvLocal {
  local: string;
  count: number;
  /** Owners of the LISTEN row of that address (or of the wildcard address, same port); empty without -p. */
  owners: Owner[];
}

/** A listening TCP socket: accept queue now (Recv-Q) against its backlog (Send-Q). */
export interface ListenQueue {
  local: string;
  recvQ: number;
  backlog: number;
  owners: Owner[];
}

export interface ListingSummary {
  /**
   * The listings the summary's values come from: `ss` or `netstat` (TCP states; one of them,
   * the one that shows owners and the most TCP sockets, when a moment has several), `lsof`
   * (processes and unhashed sockets).
   */
  kinds: string[];
  states: Partial<Record<TcpState, number>>;
  processes: ProcessSockets[];
  /** TIME-WAIT and FIN-WAIT-1 sockets have no owner: where they go is the next best clue. */
  timeWaitPeers: Record<string, number>;
  finWait1Peers: Record<string, number>;
  /** Unhashed TCP sockets seen by lsof (IPv4 and IPv6), when an lsof listing is present. */
  lsofUnhashed?: number;
  /** Of those, IPv6 (`protocol: TCPv6`). */
  lsofUnhashed6?: number;
  /** UDP sockets of the ss listing, when it shows UDP (netid `udp`). */
  udp?: UdpListing;
  /** Listening TCP sockets with a non-empty accept queue (ss), fullest first (up to 5). */
  listenQueues?: ListenQueue[];
  /** /proc/net/tcp(6): bytes queued over the TCP sockets, to send (tx) and to read (rx; for LISTEN its accept queue). */
  tcpQueues?: { tx: number; rx: number };
  /** Local addresses with SYN-RECV rows (a full SYN queue: SYN flood), most first (up to 3). */
  synRecv?: SynRecvLocal[];
}

/** What one listing section says, before the listings of a moment are put together. */
export interface ListingPart {
  kind: 'ss' | 'netstat' | 'lsof' | 'proc-tcp';
  /** TCP rows read (ss, netstat). */
  tcpRows: number;
  /** Does the listing show TCP at all (a TCP row, or ss without a Netid column)? */
  coversTcp: boolean;
  /** Rows with owners (-p). */
  owned: number;
  states: Partial<Record<TcpState, number>>;
  procs: Map<number, ProcessSockets>;
  timeWaitPeers: Record<string, number>;
  finWait1Peers: Record<string, number>;
  /** lsof: unhashed TCP sockets by `pid/fd`. */
  unhashed: Map<string, { name: string; pid: number; v6: boolean }>;
  udp?: UdpListing;
  listenQueues?: ListenQueue[];
  /** /proc/net/tcp: bytes queued to send and to read (accept queue length for LISTEN) over its rows. */
  txQueue?: number;
  rxQueue?: number;
  /** SYN-RECV rows per local address:port. */
  synRecvLocal: Record<string, number>;
  /** Owners of LISTEN rows per local address:port (rows with owners only). */
  listenOwners: Record<string, Owner[]>;
}

export function newPart(kind: ListingPart['kind']): ListingPart {
  return { kind, tcpRows: 0, coversTcp: false, owned: 0, states: {}, procs: new Map(), timeWaitPeers: {}, finWait1Peers: {}, unhashed: new Map(), synRecvLocal: {}, listenOwners: {} };
}

export function bump<K extends string>(o: Partial<Record<K, number>>, k: K, n = 1): void {
  o[k] = (o[k] ?? 0) + n;
}

/** One TCP socket of an ss or netstat listing. */
export function countTcp(part: ListingPart, state: TcpState, local: string, peer: string, owners: readonly Owner[]): void {
  part.tcpRows++;
  part.coversTcp = true;
  bump(part.states, state);
  if (state === 'TIME-WAIT') bump(part.timeWaitPeers, peer);
  if (state === 'FIN-WAIT-1') bump(part.finWait1Peers, peer);
  if (state === 'SYN-RECV') bump(part.synRecvLocal, local);
  if (state === 'LISTEN' && owners.length) part.listenOwners[local] = [...owners];
  if (owners.length) part.owned++;
  for (const o of owners) {
    let p = part.procs.get(o.pid);
    if (!p) part.procs.set(o.pid, (p = { name: o.name, pid: o.pid, states: {}, unhashed: 0, closeWaitLocal: {} }));
    bump(p.states, state);
    if (state === 'CLOSE-WAIT') bump(p.closeWaitLocal, local);
  }
}
