import { NUMERIC_FIELDS } from './fields.js';
import type { Diagnostic, Values } from './types.js';

/** What a snapshot of a moment already read says about a new one of the same (host, namespace, time). */
export type MomentCheck =
  | undefined
  | { agree: string }
  | { adds: string; first: string }
  | { conflict: string; first: string };

const N = NUMERIC_FIELDS.length;
const INDEX = new Map<string, number>(NUMERIC_FIELDS.map((f, i) => [f, i]));
/** Derived from the others: they differ when the values they come from do. */
const DERIVED = new Set([INDEX.get('tcp_closed')!, INDEX.get('tcp_unhashed')!]);

/**
 * The timed snapshots one file gave one (host, namespace): times and canonical
 * values in growing typed arrays (no object per snapshot: this runs for every
 * snapshot of the fast path), searched by time once the file is read.
 */
class FileMoments {
  ms = new Float64Array(256);
  vals = new Float64Array(256 * N);
  lines = new Int32Array(256);
  n = 0;
  min = Infinity;
  max = -Infinity;
  sorted = true;
  /** Positions in time order (when the file's times were not in order). */
  order: Int32Array | undefined;
  /** Other values the row's own formats printed for a field (its `disagree` diagnostics). */
  alt: Map<number, number[]> | undefined;

  constructor(readonly file: string) {}

  add(ms: number, vals: ArrayLike<number | undefined>, line: number): number {
    if (this.n === this.ms.length) {
      const grow = <T extends Float64Array | Int32Array>(a: T): T => {
        const b = new (a.constructor as { new (n: number): T })(a.length * 2);
        b.set(a);
        return b;
      };
      this.ms = grow(this.ms);
      this.vals = grow(this.vals);
      this.lines = grow(this.lines);
    }
    const i = this.n++;
    if (ms < this.max) this.sorted = false;
    this.ms[i] = ms;
    this.lines[i] = line;
    const o = i * N;
    for (let k = 0; k < N; k++) this.vals[o + k] = vals[k] ?? NaN;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
    return i;
  }

  /** Position of the row of time `ms`, or -1. */
  find(ms: number): number {
    if (ms < this.min || ms > this.max) return -1;
    if (!this.sorted && !this.order) {
      const ord = Int32Array.from({ length: this.n }, (_, i) => i);
      ord.sort((a, b) => this.ms[a]! - this.ms[b]! || a - b);
      this.order = ord;
    }
    let lo = 0;
    let hi = this.n - 1;
    const at = (k: number): number => (this.order ? this.order[k]! : k);
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.ms[at(mid)]!;
      if (v < ms) lo = mid + 1;
      else if (v > ms) hi = mid - 1;
      else return at(mid);
    }
    return -1;
  }
}

/**
 * One row per (host, namespace, moment) across files: the same capture kept in
 * several files (a loop's log in three time formats; `sadf -d` beside `sadf -j`
 * of the same data) is read once. A later snapshot of a moment another file
 * gave, whose values agree with that row wherever both have one, is merged into
 * it; one that differs is reported; one that only adds values is kept (rows are
 * written as they are read). Keeps the canonical values of every timed snapshot
 * (about 180 bytes each, in typed arrays).
 */
export class MomentIndex {
  /** host\0namespace → the files read for it, the current one last. */
  private byHost = new Map<string, FileMoments[]>();

  /** `vals`: NUMERIC_FIELDS order, NaN (or undefined) where absent. */
  check(
    host: string | undefined, ns: string | undefined, ms: number, vals: ArrayLike<number | undefined>, file: string, line: number,
    diagnostics?: readonly Diagnostic[],
  ): MomentCheck {
    const hk = host === undefined && ns === undefined ? '' : `${host ?? ''}\u0000${ns ?? ''}`;
    let files = this.byHost.get(hk);
    if (!files) this.byHost.set(hk, (files = []));
    let cur = files[files.length - 1];
    if (!cur || cur.file !== file) files.push((cur = new FileMoments(file)));
    for (let f = 0; f < files.length - 1; f++) {
      const prev = files[f]!;
      const i = prev.find(ms);
      if (i < 0) continue;
      return compare(prev, i, vals);
    }
    const i = cur.add(ms, vals, line);
    for (const d of diagnostics ?? []) {
      const k = d.kind === 'disagree' && d.field !== undefined ? INDEX.get(d.field) : undefined;
      if (k === undefined || d.other === undefined) continue;
      cur.alt ??= new Map();
      const key = i * N + k;
      const l = cur.alt.get(key);
      if (l) l.push(d.other);
      else cur.alt.set(key, [d.other]);
    }
    return undefined;
  }
}

function compare(prev: FileMoments, i: number, vals: ArrayLike<number | undefined>): MomentCheck {
  const first = `${prev.file}:${prev.lines[i]}`;
  const diffs: string[] = [];
  const adds: string[] = [];
  const o = i * N;
  for (let k = 0; k < N; k++) {
    const a = prev.vals[o + k]!;
    const b = vals[k] ?? NaN;
    if (Number.isNaN(b)) continue;
    if (Number.isNaN(a)) {
      adds.push(NUMERIC_FIELDS[k]!);
      continue;
    }
    if (a !== b && !DERIVED.has(k) && !prev.alt?.get(o + k)?.includes(b)) diffs.push(`${NUMERIC_FIELDS[k]} ${a} there, ${b} here`);
  }
  if (diffs.length > 0) return { conflict: diffs.join(', '), first };
  if (adds.length > 0) return { adds: adds.join(', '), first };
  return { agree: first };
}

/** A snapshot's canonical values in NUMERIC_FIELDS order (NaN where absent). */
export function numericVector(values: Values): number[] {
  const v = new Array<number>(N);
  for (let i = 0; i < N; i++) v[i] = values[NUMERIC_FIELDS[i]!] ?? NaN;
  return v;
}
