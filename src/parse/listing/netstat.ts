import type { Line } from '../types.js';
import { countTcp, newPart, type ListingPart, type TcpState } from './types.js';

/**
 * netstat (net-tools): `netstat -tanp`, and sos's `netstat -W -neopa` / `netstat -neopa`
 * (`-e` adds User and Inode, `-o` a Timer column). Rows `tcp`/`tcp6` count; `udp`, `raw`,
 * `unix` rows are read past.
 */
const STATE: Record<string, TcpState> = {
  ESTABLISHED: 'ESTAB', SYN_SENT: 'SYN-SENT', SYN_RECV: 'SYN-RECV', FIN_WAIT1: 'FIN-WAIT-1', FIN_WAIT2: 'FIN-WAIT-2',
  TIME_WAIT: 'TIME-WAIT', CLOSE_WAIT: 'CLOSE-WAIT', LAST_ACK: 'LAST-ACK', LISTEN: 'LISTEN', CLOSING: 'CLOSING',
};

export const NETSTAT_HEADER = /^Proto\s+Recv-Q\s+Send-Q\s+Local Address/;

export function netstatRow(raw: string): boolean {
  return /^(tcp6?|udp6?|raw6?|udpl6?)\s/.test(raw);
}

export function parseNetstat(lines: readonly Line[]): ListingPart {
  const part = newPart('netstat');
  for (const { text } of lines.slice(1)) {
    const f = text.trim().split(/\s+/);
    if (!f[0]!.startsWith('tcp')) continue;
    const state = STATE[f[5] ?? ''];
    if (!state) continue;
    // -p puts PID/Program after the state (after User and Inode with -e)
    const pp = f.slice(6).map((x) => /^(\d+)\/(.+)$/.exec(x)).find((m) => m);
    countTcp(part, state, f[3] ?? '', f[4] ?? '', pp ? [{ name: pp[2]!, pid: Number(pp[1]) }] : []);
  }
  return part;
}
