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

/** Rows between two restarts of the coding (a row is decoded from the one before it). */
const KEY = 32;
/** The largest difference coded as a varint (beyond it, and for a fraction, the float64 itself). */
const MAX_DELTA = 2 ** 40;
/** Slots of a row: its time, its line, then the canonical values. */
const SLOTS = N + 2;
/** The largest chunk of bytes (chunks start small, for the many files of one snapshot, and double up to it). */
const CHUNK = 1 << 18;

/**
 * The timed snapshots one file gave one (host, namespace). This runs for every snapshot
 * read (a 200 MiB loop log is 375,000 of them), and fresh memory is slow to touch on the
 * machines this runs on, while a later file repeating a moment is rare: so each row is
 * kept as bytes, its time, line and canonical values each a varint of the difference from
 * the same slot of the row before (a capture loop's counts move by little; absent, a
 * fraction or a big jump are coded apart), restarting every KEY rows, in chunks that
 * are never copied. About 26 bytes per snapshot (180 as float64 arrays). Times and lines
 * are decoded for the whole file when a later file first looks for a moment in its time
 * range, and a row's values when a later file gives its moment.
 */
export class FileMoments {
  n = 0;
  min = Infinity;
  max = -Infinity;
  sorted = true;
  /** Other values the row's own formats printed for a field (its `disagree` diagnostics). */
  alt: Map<number, number[]> | undefined;
  private chunks: Uint8Array[] = [new Uint8Array(256)];
  private used = 0;
  /** Chunk and offset of every KEY-th row. */
  private keyChunk = new Uint32Array(4);
  private keyOffset = new Uint32Array(4);
  /** The previous row's slots (0 after a restart). */
  private prev = new Float64Array(SLOTS);
  /** Times of the first `decoded` rows, and their time order (when the file's times were not in order). */
  private ms: Float64Array | undefined;
  private order: Int32Array | undefined;
  private decoded = 0;
  /** The slots of row `at` (decoded), and where the row after it starts. */
  private cur = new Float64Array(SLOTS);
  private base = new Float64Array(SLOTS);
  private at = -1;
  private nextChunk = 0;
  private nextOffset = 0;

  constructor(readonly file: string) {}

  add(ms: number, vals: ArrayLike<number | undefined>, line: number): number {
    const i = this.n++;
    if (ms < this.max) this.sorted = false;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
    let b = this.chunks[this.chunks.length - 1]!;
    if (this.used + SLOTS * 9 > b.length) {
      this.chunks.push((b = new Uint8Array(Math.min(CHUNK, b.length * 2))));
      this.used = 0;
    }
    const prev = this.prev;
    if (i % KEY === 0) {
      const k = i / KEY;
      if (k === this.keyChunk.length) {
        this.keyChunk = grow(this.keyChunk);
        this.keyOffset = grow(this.keyOffset);
      }
      this.keyChunk[k] = this.chunks.length - 1;
      this.keyOffset[k] = this.used;
      prev.fill(0);
    }
    let o = put(b, this.used, ms, prev, 0);
    o = put(b, o, line, prev, 1);
    for (let k = 0; k < N; k++) o = put(b, o, vals[k] ?? NaN, prev, k + 2);
    this.used = o;
    return i;
  }

  /** The slots of row `i`: time, line, then the values in NUMERIC_FIELDS order (NaN where absent). */
  slots(i: number): Float64Array {
    if (i === this.at) return this.cur;
    const base = this.base;
    const cur = this.cur;
    let r: number;
    let c: number;
    let o: number;
    if (this.at >= 0 && i > this.at && Math.floor(i / KEY) === Math.floor(this.at / KEY)) {
      r = this.at + 1;
      c = this.nextChunk;
      o = this.nextOffset;
    } else {
      r = i - (i % KEY);
      c = this.keyChunk[r / KEY]!;
      o = this.keyOffset[r / KEY]!;
      base.fill(0);
    }
    for (; r <= i; r++) {
      // A row is never cut between chunks: the next one starts where no whole row fits.
      if (this.chunks[c]!.length - o < SLOTS * 9) {
        c++;
        o = 0;
      }
      const b = this.chunks[c]!;
      for (let k = 0; k < SLOTS; k++) {
        let e = b[o++]!;
        if (e === 0) {
          cur[k] = NaN;
          continue;
        }
        if (e === 1) {
          F64B.set(b.subarray(o, o + 8));
          o += 8;
          base[k] = cur[k] = F64[0]!;
          continue;
        }
        if (e >= 128) {
          let m = 128;
          e -= 128;
          let x: number;
          do {
            x = b[o++]!;
            e += (x & 127) * m;
            m *= 128;
          } while (x >= 128);
        }
        const z = e - 2;
        base[k] = cur[k] = base[k]! + (z % 2 === 0 ? z / 2 : -(z + 1) / 2);
      }
    }
    this.at = i;
    this.nextChunk = c;
    this.nextOffset = o;
    return cur;
  }

  /** Position of the row of time `ms`, or -1. */
  find(ms: number): number {
    if (ms < this.min || ms > this.max) return -1;
    if (this.decoded !== this.n) {
      const n = this.n;
      const times = new Float64Array(n);
      for (let i = 0; i < n; i++) times[i] = this.slots(i)[0]!;
      this.ms = times;
      this.decoded = n;
      this.order = undefined;
      if (!this.sorted) {
        const ord = Int32Array.from({ length: n }, (_, i) => i);
        ord.sort((a, b) => times[a]! - times[b]! || a - b);
        this.order = ord;
      }
    }
    const times = this.ms!;
    const order = this.order;
    let lo = 0;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = order ? order[mid]! : mid;
      const v = times[at]!;
      if (v < ms) lo = mid + 1;
      else if (v > ms) hi = mid - 1;
      else return at;
    }
    return -1;
  }
}

const F64 = new Float64Array(1);
const F64B = new Uint8Array(F64.buffer);

/** Codes `v` into `b` at `o` as a difference from `prev[k]` (then sets it); returns the offset after it. */
function put(b: Uint8Array, o: number, v: number, prev: Float64Array, k: number): number {
  const p = prev[k]!;
  if (v === p) {
    b[o] = 2; // the same (0 and -0 read the same everywhere a value is compared or said)
    return o + 1;
  }
  if (v !== v) {
    b[o] = 0; // absent
    return o + 1;
  }
  prev[k] = v;
  const d = v - p;
  if (d <= MAX_DELTA && d >= -MAX_DELTA && Number.isSafeInteger(v) && Number.isSafeInteger(p)) {
    // zigzag, then + 2 (0: absent, 1: a float64 follows)
    let e = (d >= 0 ? d * 2 : -d * 2 - 1) + 2;
    while (e >= 128) {
      b[o++] = (e % 128) | 128;
      e = Math.floor(e / 128);
    }
    b[o] = e;
    return o + 1;
  }
  b[o] = 1;
  F64[0] = v;
  b.set(F64B, o + 1);
  return o + 9;
}

function grow(a: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}
/** Timed snapshots the index keeps at most (about 180 MiB). */
export const MAX_MOMENTS = 1 << 20;

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
  /** The files of the last check's host and namespace (the next check is most often of the same). */
  private seen: { host: string | undefined; ns: string | undefined; files: FileMoments[] } | undefined;
  /** Moments indexed, all files together: at most `max` (memory bounded whatever the inputs' size). */
  private size = 0;
  /** Per file, its timed snapshots not indexed because the index was full: a later file repeating them is not merged. */
  readonly unindexed = new Map<string, number>();
  /**
   * The file read last, when the reader knows it (a run of one plain file, or one piece
   * of it): no file comes after it to compare with its moments, so they are checked
   * against the files before it and not kept. A run of one big file spends nothing here.
   */
  last: string | undefined;

  constructor(private readonly max = MAX_MOMENTS) {}

  /** `vals`: NUMERIC_FIELDS order, NaN (or undefined) where absent. */
  check(
    host: string | undefined, ns: string | undefined, ms: number, vals: ArrayLike<number | undefined>, file: string, line: number,
    diagnostics?: readonly Diagnostic[],
  ): MomentCheck {
    let files: FileMoments[];
    const seen = this.seen;
    if (seen && seen.host === host && seen.ns === ns) files = seen.files;
    else {
      const hk = host === undefined && ns === undefined ? '' : `${host ?? ''}\u0000${ns ?? ''}`;
      let got = this.byHost.get(hk);
      if (!got) this.byHost.set(hk, (got = []));
      this.seen = { host, ns, files: (files = got) };
    }
    if (file === this.last) {
      for (const prev of files) {
        if (prev.file === file) continue;
        const i = prev.find(ms);
        if (i >= 0) return compare(prev, i, vals);
      }
      return undefined;
    }
    let cur = files[files.length - 1];
    if (!cur || cur.file !== file) files.push((cur = new FileMoments(file)));
    for (let f = 0; f < files.length - 1; f++) {
      const prev = files[f]!;
      const i = prev.find(ms);
      if (i < 0) continue;
      return compare(prev, i, vals);
    }
    if (this.size >= this.max) {
      this.unindexed.set(file, (this.unindexed.get(file) ?? 0) + 1);
      return undefined;
    }
    this.size++;
    const i = cur.add(ms, vals, line);
    if (diagnostics) for (const d of diagnostics) {
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
  const vs = prev.slots(i);
  const first = `${prev.file}:${vs[1]}`;
  const diffs: string[] = [];
  const adds: string[] = [];
  const o = i * N;
  for (let k = 0; k < N; k++) {
    const a = vs[k + 2]!;
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
