import { NUMERIC_FIELDS } from './fields.js';
import type { Diagnostic, Values } from './types.js';

/** What a snapshot of a moment already read says about a new one of the same (host, namespace, time). */
export type MomentCheck =
  | undefined
  | { agree: string }
  | { adds: string; first: string }
  | { conflict: string; first: string };

interface Seen {
  /** NUMERIC_FIELDS values, NaN where absent. */
  v: Float64Array;
  /** `file:line` of the row kept. */
  source: string;
  file: string;
  /** Other values its own formats printed for a field (the `disagree` diagnostics: ss -s read after sockstat). */
  alt?: Map<number, number[]>;
}

const N = NUMERIC_FIELDS.length;
const INDEX = new Map<string, number>(NUMERIC_FIELDS.map((f, i) => [f, i]));
/** Derived from the others: they differ when the values they come from do. */
const DERIVED = new Set([INDEX.get('tcp_closed')!, INDEX.get('tcp_unhashed')!]);

/**
 * One row per (host, namespace, moment) across files: the same capture kept in
 * several files (a loop's log in three time formats; `sadf -d` beside `sadf -j`
 * of the same data) is read once. A later snapshot of a moment already read
 * whose values all agree with the kept row (where both have one) is merged into
 * it; one that differs is reported. Holds the canonical values of every timed
 * snapshot read (about 250 bytes each).
 */
export class MomentIndex {
  private byHost = new Map<string, Map<number, Seen>>();

  /** `vals`: NUMERIC_FIELDS order, NaN (or undefined) where absent. Returns how it relates to what was read. */
  check(
    host: string | undefined, ns: string | undefined, ms: number, vals: ArrayLike<number | undefined>, file: string, source: string,
    diagnostics?: readonly Diagnostic[],
  ): MomentCheck {
    const hk = `${host ?? ''}\u0000${ns ?? ''}`;
    let m = this.byHost.get(hk);
    if (!m) this.byHost.set(hk, (m = new Map()));
    const seen = m.get(ms);
    if (!seen) {
      const v = new Float64Array(N);
      for (let i = 0; i < N; i++) v[i] = vals[i] ?? NaN;
      const e: Seen = { v, source, file };
      for (const d of diagnostics ?? []) {
        const i = d.kind === 'disagree' && d.field !== undefined ? INDEX.get(d.field) : undefined;
        if (i === undefined || d.other === undefined) continue;
        e.alt ??= new Map();
        const l = e.alt.get(i);
        if (l) l.push(d.other);
        else e.alt.set(i, [d.other]);
      }
      m.set(ms, e);
      return undefined;
    }
    if (seen.file === file) return undefined; // one file's own blocks are the merger's and the segmenter's business
    const diffs: string[] = [];
    const adds: string[] = [];
    for (let i = 0; i < N; i++) {
      const a = seen.v[i]!;
      const b = vals[i] ?? NaN;
      if (Number.isNaN(b)) continue;
      if (Number.isNaN(a)) {
        adds.push(NUMERIC_FIELDS[i]!);
        continue;
      }
      if (a !== b && !DERIVED.has(i) && !seen.alt?.get(i)?.includes(b)) diffs.push(`${NUMERIC_FIELDS[i]} ${a} there, ${b} here`);
    }
    if (diffs.length > 0) return { conflict: diffs.join(', '), first: seen.source };
    // It gives values the row written lacks (rows are written as they are read): kept as a row of its own.
    if (adds.length > 0) return { adds: adds.join(', '), first: seen.source };
    return { agree: seen.source };
  }
}

/** A snapshot's canonical values in NUMERIC_FIELDS order (NaN where absent). */
export function numericVector(values: Values): Float64Array {
  const v = new Float64Array(N);
  for (let i = 0; i < N; i++) v[i] = values[NUMERIC_FIELDS[i]!] ?? NaN;
  return v;
}
