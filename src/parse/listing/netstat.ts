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

/**
 * `-p` puts PID/Program after the state (after User and Inode with `-e`); the name may hold
 * spaces (`600/sshd: /usr/sbin`, cut at 19 characters by netstat), and `-o` a Timer after it
 * (`off (0.00/0/0)`, `keepalive (7190.31/0/0)`).
 */
function program(text: string): { name: string; pid: number }[] {
  const m = /\s(\d+)\/(\S.*?)(?:\s+(?:off|on|keepalive|timewait|probe|unkn-\d+)\s+\([^)]*\))?\s*$/.exec(text);
  return m ? [{ name: m[2]!, pid: Number(m[1]) }] : [];
}

export function parseNetstat(lines: readonly Line[]): ListingPart {
  const part = newPart('netstat');
  for (const { text } of lines.slice(1)) {
    const f = text.trim().split(/\s+/);
    if (!f[0]!.startsWith('tcp')) continue;
    const state = STATE[f[5] ?? ''];
    if (!state) continue;
    countTcp(part, state, f[3] ?? '', f[4] ?? '', program(text));
  }
  return part;
}
