import { listing } from './listing.js';
import { sarSock, sarSock6 } from './sadf-d.js';
import { snmp } from './snmp.js';
import { sockstat } from './sockstat.js';
import { sockstat6 } from './sockstat6.js';
import { ssSummary } from './ss-s.js';
import { sysctl } from './sysctl.js';
import { netstat } from './netstat.js';
import { nstat } from './nstat.js';
import { netstatS } from './netstat-s.js';
import type { InputFormat } from './types.js';

export type { Contribution, FormatOutput, InputFormat, LineRecognizer } from './types.js';

/**
 * Every input format, one module each, in the order of the snapshot's
 * `formats` column. A new format is one module, added to the list at the end of this file.
 */
const LIST: InputFormat[] = [];
export const FORMATS: readonly InputFormat[] = LIST;
/** Formats the segmenter recognizes through the registry (those declaring `lines`). */
export const LINE_FORMATS: readonly InputFormat[] = [];
const BY_KIND = new Map<string, InputFormat>();
const BIT = new Map<string, number>();

/**
 * Adds a format to the registry (the modules below at start-up; tests may add
 * their own). Its kind must be new; at most 31 formats.
 */
export function registerFormat(f: InputFormat): void {
  if (BY_KIND.has(f.kind)) throw new Error(`format ${f.kind} registered twice`);
  if (LIST.length >= 31) throw new Error('more than 31 formats');
  BIT.set(f.kind, 1 << LIST.length);
  BY_KIND.set(f.kind, f);
  LIST.push(f);
  if (f.lines) (LINE_FORMATS as InputFormat[]).push(f);
}

for (const f of [sockstat, sockstat6, ssSummary, snmp, sarSock, sarSock6, listing, sysctl, netstat, nstat, netstatS]) registerFormat(f);

/** The format of a section kind. */
export function formatOf(kind: string): InputFormat | undefined {
  return BY_KIND.get(kind);
}

/** The format's bit in a `formats` mask (0 for a kind that is not registered). */
export function formatBit(kind: string): number {
  return BIT.get(kind) ?? 0;
}

/**
 * The format a file holds, from its path inside a bundle or its base name
 * (`proc/net/sockstat`, `sos_commands/networking/ss_-s`, a loose `ss-s`),
 * or undefined when its name says nothing.
 */
export function formatOfPath(path: string): InputFormat | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1);
  for (const f of FORMATS) {
    for (const re of f.files ?? []) if (re.test(path) || re.test(base)) return f;
  }
  return undefined;
}
