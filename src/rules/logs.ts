import { LogMatcher, type LogEvent, type LogPatternDef } from '../parse/kernel-log.js';
import type { CompiledRule } from './load.js';

/** Events of one pattern and host, compact: a time and a place per line, the text of the first ones kept. */
export interface PatternEvents {
  /** Epoch ms, NaN when the line could not be placed in time. */
  ms: number[];
  file: number[];
  line: number[];
  /** The event itself (text, groups) for the first KEEP_TEXT lines; undefined after. */
  kept: (LogEvent | undefined)[];
  /** Notes on times (no zone, no year, seconds since boot without a boot time), each once. */
  notes: Set<string>;
}

/** Lines whose text and groups are kept per pattern and host; the rest keep time and place only. */
export const KEEP_TEXT = 2000;

/**
 * The kernel log lines the rules' patterns matched, per series key (`host:NAME`, `dir:PATH`),
 * and which keys had a kernel log read at all (there, no line means none: 0, not absent).
 */
export class LogBook {
  readonly matcher: LogMatcher;
  private readonly index = new Map<string, number>();
  private readonly byKey = new Map<string, Map<number, PatternEvents>>();
  readonly covered = new Set<string>();
  readonly files: string[] = [];
  private readonly fileIds = new Map<string, number>();
  /** Lines matched, in all. */
  events = 0;

  constructor(rules: readonly CompiledRule[]) {
    const defs: LogPatternDef[] = [];
    for (const r of rules) {
      for (const p of r.log) {
        this.index.set(`${r.id}\u0000${p.name}`, defs.length);
        defs.push({ rule: r.id, name: p.name, contains: p.contains, ...(p.match ? { match: p.match } : {}) });
      }
    }
    this.matcher = new LogMatcher(defs);
  }

  patternIndex(rule: string, name: string): number | undefined {
    return this.index.get(`${rule}\u0000${name}`);
  }

  add(key: string, e: LogEvent): void {
    this.events++;
    this.covered.add(key);
    let m = this.byKey.get(key);
    if (!m) this.byKey.set(key, (m = new Map()));
    let p = m.get(e.pattern);
    if (!p) m.set(e.pattern, (p = { ms: [], file: [], line: [], kept: [], notes: new Set() }));
    let f = this.fileIds.get(e.file);
    if (f === undefined) {
      f = this.files.length;
      this.files.push(e.file);
      this.fileIds.set(e.file, f);
    }
    p.ms.push(e.ms ?? NaN);
    p.file.push(f);
    p.line.push(e.line);
    p.kept.push(p.kept.length < KEEP_TEXT ? e : undefined);
    if (e.note) p.notes.add(e.note);
  }

  /** Per key with matched lines, the latest one (the last read when none has a time). */
  *lastEvents(): Generator<[string, { file: string; line: number; ms?: number }]> {
    for (const [key, m] of this.byKey) {
      let best: { file: string; line: number; ms?: number } | undefined;
      for (const p of m.values()) {
        for (let k = 0; k < p.ms.length; k++) {
          const ms = p.ms[k]!;
          if (!best || (!Number.isNaN(ms) && (best.ms === undefined || ms > best.ms))) {
            best = { file: this.files[p.file[k]!]!, line: p.line[k]!, ...(Number.isNaN(ms) ? {} : { ms }) };
          }
        }
      }
      if (best) yield [key, best];
    }
  }

  /** A kernel log of this key was read (a bundle's dmesg or messages), whether or not a line matched. */
  cover(key: string): void {
    this.covered.add(key);
  }

  get(key: string, pattern: number): PatternEvents | undefined {
    return this.byKey.get(key)?.get(pattern);
  }
}

/**
 * Which snapshot each event belongs to: snapshot i takes the lines after snapshot i-1 up to
 * its own time; the first takes every earlier line, the last every later one and the lines
 * without a time. `times`: the series' times (NaN last).
 */
export function bucketEvents(times: Float64Array, ms: readonly number[]): Int32Array {
  let n = times.length;
  while (n > 0 && Number.isNaN(times[n - 1]!)) n--;
  const out = new Int32Array(ms.length);
  const last = times.length - 1;
  for (let k = 0; k < ms.length; k++) {
    const t = ms[k]!;
    if (Number.isNaN(t) || n === 0) {
      out[k] = last;
      continue;
    }
    let lo = 0;
    let hi = n; // first i with times[i] >= t
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    out[k] = lo >= n ? n - 1 : lo;
  }
  return out;
}
