import type { Line } from '../types.js';
import { countTcp, newPart, type ListingPart, type TcpState } from './types.js';

/**
 * `/proc/net/tcp` and `/proc/net/tcp6` (sos copies them with the rest of /proc/net; monitoring
 * agents read them): one row per hashed TCP socket, addresses in hex, the state as the
 * kernel's number in hex (`st`), `tx_queue:rx_queue` in hex, then timer, retransmits, uid,
 * timeout and inode. No owners (only uid and inode). `/proc/net/udp` has the same first
 * columns but ends its header with `ref pointer drops`: it is not read as TCP.
 */
export const PROC_TCP_HEADER = /^sl\s+local_address\s+rem(?:ote)?_address\s+st\s+tx_queue\s+rx_queue\s+tr\s+tm->when\s+retrnsmt\s+uid\s+timeout\s+inode\s*$/;

/** include/net/tcp_states.h: TCP_ESTABLISHED = 1 ... TCP_NEW_SYN_RECV = 12. TCP_CLOSE (7) is no state ss lists. */
const STATE: Record<number, TcpState> = {
  1: 'ESTAB', 2: 'SYN-SENT', 3: 'SYN-RECV', 4: 'FIN-WAIT-1', 5: 'FIN-WAIT-2', 6: 'TIME-WAIT',
  8: 'CLOSE-WAIT', 9: 'LAST-ACK', 10: 'LISTEN', 11: 'CLOSING', 12: 'SYN-RECV',
};

const ROW = /^\s*\d+:\s+([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})\s+([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})\s+([0-9A-Fa-f]{2})\s+([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8})\s/;

export function procTcpRow(raw: string): boolean {
  return ROW.test(raw);
}

/** The kernel prints each 32-bit word of the address in host order (little-endian on x86, arm64). */
function address(hex: string, port: string): string {
  const words: number[] = [];
  for (let i = 0; i < hex.length; i += 8) {
    const w = hex.slice(i, i + 8);
    words.push(...[6, 4, 2, 0].map((k) => parseInt(w.slice(k, k + 2), 16)));
  }
  const p = parseInt(port, 16);
  if (words.length === 4) return `${words.join('.')}:${p}`;
  // IPv4-mapped (::ffff:a.b.c.d) as ss prints it
  if (words.slice(0, 10).every((b) => b === 0) && words[10] === 255 && words[11] === 255) return `[::ffff:${words.slice(12).join('.')}]:${p}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((words[i]! << 8) | words[i + 1]!).toString(16));
  const text = groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:::+/, '::');
  return `[${text}]:${p}`;
}

export function parseProcTcp(lines: readonly Line[]): ListingPart {
  const part = newPart('proc-tcp');
  // A file with only its header still says: no TCP socket of that family.
  part.coversTcp = true;
  for (const { text } of lines.slice(1)) {
    const m = ROW.exec(text);
    if (!m) continue;
    const state = STATE[parseInt(m[5]!, 16)];
    if (!state) continue;
    countTcp(part, state, address(m[1]!, m[2]!), address(m[3]!, m[4]!), []);
    part.txQueue = (part.txQueue ?? 0) + parseInt(m[6]!, 16);
    part.rxQueue = (part.rxQueue ?? 0) + parseInt(m[7]!, 16);
  }
  return part;
}
