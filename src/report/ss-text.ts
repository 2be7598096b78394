import type { Snapshot } from '../normalize/types.js';

/** `%-9d`: left-aligned in 9 columns; longer numbers are not cut. */
function d9(n: number): string {
  return String(n).padEnd(9, ' ');
}

export interface SsText {
  text: string;
  /** Fields that were absent and printed as 0, as ss does when a file is unreadable. */
  assumedZero: string[];
}

/**
 * The summary exactly as iproute2 ≥ 4.17 `ss -s` prints it for this snapshot
 * (tabs, `%-9d` padding, trailing spaces, the two blank lines).
 */
export function renderSs(s: Snapshot): SsText {
  const v = s.values;
  const assumedZero: string[] = [];
  const g = (name: keyof typeof v): number => {
    const x = v[name];
    if (x === undefined) {
      assumedZero.push(name);
      return 0;
    }
    return x;
  };
  const used = g('sockets_used');
  const alloc = g('tcp_alloc');
  const tw = g('tcp_tw');
  const estab = g('tcp_estab');
  const orphan = g('tcp_orphan');
  const t4 = g('tcp4_inuse');
  const t6 = g('tcp6_inuse');
  const u4 = g('udp4_inuse');
  const u6 = g('udp6_inuse');
  const r4 = g('raw4_inuse');
  const r6 = g('raw6_inuse');
  const f4 = g('frag4_inuse');
  const f6 = g('frag6_inuse');
  const row = (label: string, a: number, b: number): string => `${label}\t  ${d9(a + b)} ${d9(a)} ${d9(b)}\n`;
  const text =
    `Total: ${used}\n` +
    `TCP:   ${alloc + tw} (estab ${estab}, closed ${alloc - (t4 + t6 - tw)}, orphaned ${orphan}, timewait ${tw})\n` +
    `\n` +
    `Transport Total     IP        IPv6\n` +
    row('RAW', r4, r6) +
    row('UDP', u4, u6) +
    row('TCP', t4, t6) +
    row('INET', r4 + u4 + t4, r6 + u6 + t6) +
    row('FRAG', f4, f6) +
    `\n`;
  return { text, assumedZero };
}
