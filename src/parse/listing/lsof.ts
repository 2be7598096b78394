import type { Line } from '../types.js';
import { newPart, type ListingPart } from './types.js';

/**
 * lsof: `lsof -nP`, sos 3.x `lsof -b +M -n -l`, sos 4.x `lsof +M -n -l -c ''`. lsof 4.9x
 * adds TID and TASKCMD columns and repeats every descriptor of a process on the row of each
 * of its threads (TID and TASKCMD filled), so columns are found from the header's positions
 * and each (PID, FD) counts once. A TCP socket in no hash table (allocated, never bound or
 * connected) has TYPE `sock` and NAME `protocol: TCP` (IPv4) or `protocol: TCPv6`.
 */
export const LSOF_HEADER = /^COMMAND\s+PID\s+(?:TID\s+(?:TASKCMD\s+)?)?USER\s+FD\s+TYPE\s/;

export function lsofRow(raw: string): boolean {
  return /^\S+\s+\d+\s+/.test(raw);
}

const UNHASHED = /^protocol: TCP(v6)?\s*$/;

export function parseLsof(lines: readonly Line[]): ListingPart {
  const part = newPart('lsof');
  const header = lines[0]?.text ?? '';
  // TID is right-aligned under its header: a row has one when that span holds a number.
  const tid = /\bTID\b/.exec(header);
  const tidEnd = tid ? tid.index + 3 : -1;
  const hasTaskcmd = /\bTASKCMD\b/.test(header);
  for (const { text } of lines.slice(1)) {
    const m = /^(\S+)\s+(\d+)/.exec(text);
    if (!m) continue;
    const name = m[1]!;
    const pid = Number(m[2]);
    let rest = text.slice(m[0].length);
    if (tidEnd > 0) {
      const cell = text.slice(m[0].length, Math.max(tidEnd, m[0].length)).trim();
      if (/^\d+$/.test(cell)) {
        rest = text.slice(m[0].length).replace(/^\s*\d+/, '');
        if (hasTaskcmd) rest = rest.replace(/^\s*\S+/, ''); // TASKCMD (lsof writes spaces as \x20)
      }
    }
    // USER FD TYPE DEVICE SIZE/OFF NODE NAME; DEVICE and SIZE/OFF may be empty, NAME last.
    const f = rest.trim().split(/\s+/);
    const fd = f[1] ?? '';
    const type = f[2] ?? '';
    if (type !== 'sock') continue;
    const nm = /protocol: \S+\s*$/.exec(text);
    const u = nm ? UNHASHED.exec(nm[0]) : null;
    if (!u) continue;
    const key = `${pid}/${fd.replace(/[^0-9]+$/, '')}`;
    if (!part.unhashed.has(key)) part.unhashed.set(key, { name, pid, v6: u[1] !== undefined });
  }
  return part;
}
