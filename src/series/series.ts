import { dirname } from 'node:path/posix';
import { ALL_FIELDS, FIELD_INDEX, type Field } from '../normalize/fields.js';
import { isoOfMs, SnapshotRecord } from '../normalize/record.js';
import type { Diagnostic, Snapshot } from '../normalize/types.js';
import type { ListingSummary } from '../parse/listing.js';

/**
 * One host's snapshots in time order, stored by column: a Float64Array per field
 * (NaN = absent), the times, and sources as (file, line) numbers. What few snapshots
 * carry besides numbers (diagnostics, socket listings, times with more than
 * millisecond digits) is kept in sparse maps: 16 bytes per snapshot plus 8 per field the
 * inputs give, plus 8 for one NaN column shared by the fields never seen (sockstat +
 * sockstat6 + ss -s: 21 fields, 192 bytes).
 */
export class HostSeries {
  constructor(
    /** Host name, or undefined when the inputs name none. */
    readonly host: string | undefined,
    /** Network namespace (supportconfig network-<NS>.txt), when the inputs name one. */
    readonly namespace: string | undefined,
    /** Grouping key: `host:NAME`, else `dir:<directory of the first source>` (+ `#ns:NS`). */
    readonly key: string,
    /** Epoch ms per snapshot; NaN when the snapshot has no time (those sort last). */
    readonly times: Float64Array,
    private readonly cols: Float64Array[],
    private readonly files: readonly string[],
    private readonly fileIdx: Int32Array,
    private readonly lines: Int32Array,
    private readonly isoExtra: ReadonlyMap<number, string>,
    private readonly diags: ReadonlyMap<number, Diagnostic[]>,
    private readonly listings: ReadonlyMap<number, ListingSummary>,
    /** Protocol counters that are not fields (Snapshot.counters), by nstat name: the ones asked to be kept. */
    private readonly counterCols: ReadonlyMap<string, Float64Array> = new Map(),
  ) {}

  /** Column of a field or a kept counter (by nstat name); all NaN when the series has none. */
  column(name: string): Float64Array {
    const k = FIELD_INDEX.get(name);
    if (k !== undefined) return this.cols[k]!;
    let c = this.counterCols.get(name);
    if (!c) {
      c = this.absentCol ??= new Float64Array(this.times.length).fill(NaN);
    }
    return c;
  }
  private absentCol: Float64Array | undefined;

  /** Each snapshot's file as a number (the same number, the same file). */
  get fileIndex(): Int32Array {
    return this.fileIdx;
  }

  get length(): number {
    return this.times.length;
  }

  /** Column of a field; NaN where absent. */
  col(field: Field): Float64Array {
    return this.cols[FIELD_INDEX.get(field)!]!;
  }

  value(i: number, field: Field): number | undefined {
    const v = this.cols[FIELD_INDEX.get(field)!]![i]!;
    return Number.isNaN(v) ? undefined : v;
  }

  /** ISO time as read (fraction digits kept), or undefined. */
  time(i: number): string | undefined {
    const ms = this.times[i]!;
    if (Number.isNaN(ms)) return undefined;
    return this.isoExtra.get(i) ?? isoOfMs(ms);
  }

  timeMs(i: number): number | undefined {
    const ms = this.times[i]!;
    return Number.isNaN(ms) ? undefined : ms;
  }

  source(i: number): string {
    return `${this.files[this.fileIdx[i]!]}:${this.lines[i]}`;
  }

  /**
   * Bytes of the typed arrays this series holds (each counted once: fields never seen
   * share one column of NaN). The sparse maps are counted apart: `sparseEntries`.
   */
  get storeBytes(): number {
    const arrays = new Set<Float64Array | Int32Array>([this.times, this.fileIdx, this.lines, ...this.cols, ...this.counterCols.values()]);
    let n = 0;
    for (const a of arrays) n += a.byteLength;
    return n;
  }

  /** Entries of the sparse maps: snapshots with diagnostics, listings or extra time digits. */
  get sparseEntries(): number {
    return this.diags.size + this.listings.size + this.isoExtra.size;
  }

  /** How many snapshots carry diagnostics. */
  get diagnosticCount(): number {
    return this.diags.size;
  }

  diagnostics(i: number): readonly Diagnostic[] {
    return this.diags.get(i) ?? [];
  }

  listing(i: number): ListingSummary | undefined {
    return this.listings.get(i);
  }

  /** Host as shown to people. */
  get label(): string {
    const h = this.host ?? `(unnamed host: ${this.key.replace(/^dir:/, '').replace(/#ns:.*$/, '')})`;
    return this.namespace !== undefined ? `${h} (netns ${this.namespace})` : h;
  }

  /** Key of the host as a whole (limits of the host hold for its namespaces too). */
  get hostKey(): string {
    return this.key.replace(/#ns:.*$/, '');
  }

  /** Median of the positive intervals between consecutive distinct times, in seconds. */
  medianIntervalS(): number | undefined {
    const all = new Float64Array(Math.max(0, this.times.length - 1));
    let n = 0;
    for (let i = 1; i < this.times.length; i++) {
      const d = this.times[i]! - this.times[i - 1]!;
      if (d > 0) all[n++] = d / 1000;
    }
    if (n === 0) return undefined;
    const gaps = all.subarray(0, n).sort(); // (typed arrays sort by value)
    const m = gaps.length >> 1;
    return gaps.length % 2 ? gaps[m]! : (gaps[m - 1]! + gaps[m]!) / 2;
  }
}

/** Where the snapshot came from, without the line: `a/b.log:12` → `a/b.log`. */
function fileOf(source: string): string {
  return source.replace(/:\d+$/, '');
}

/** Grouping key: the host name, else the directory the capture came from. */
export function seriesKey(s: Pick<Snapshot, 'host' | 'namespace' | 'source'>): string {
  const ns = s.namespace !== undefined ? `#ns:${s.namespace}` : '';
  if (s.host !== undefined) return `host:${s.host}${ns}`;
  const f = fileOf(s.source);
  return `dir:${f === '-' ? '-' : dirname(f.split('!')[0]!)}${ns}`;
}

/**
 * Columns of one group as snapshots arrive (arrival order). Arrays are made at the
 * size the input suggests (pages of untouched capacity cost nothing) and doubled
 * if it runs out; build() hands out views of them, copying only to reorder.
 */
class Group {
  n = 0;
  /** Snapshots that arrived (kept or not): with a stride past 1, only every stride-th is kept. */
  seen = 0;
  cap: number;
  /** A column exists only once a value of its field has been seen (most logs fill about half). */
  cols: (Float64Array | undefined)[] = ALL_FIELDS.map(() => undefined);
  times: Float64Array;
  fileIdx: Int32Array;
  lines: Int32Array;
  isoExtra = new Map<number, string>();
  diags = new Map<number, Diagnostic[]>();
  listings = new Map<number, ListingSummary>();
  /** Kept counters that are not fields, made when first seen. */
  counters = new Map<string, Float64Array>();
  constructor(
    readonly host: string | undefined,
    readonly namespace: string | undefined,
    cap: number,
  ) {
    this.cap = cap;
    this.times = new Float64Array(cap);
    this.fileIdx = new Int32Array(cap);
    this.lines = new Int32Array(cap);
  }

  private grow(): void {
    this.cap *= 2;
    const f = (a: Float64Array): Float64Array => {
      const b = new Float64Array(this.cap);
      b.set(a);
      return b;
    };
    const g = (a: Int32Array): Int32Array => {
      const b = new Int32Array(this.cap);
      b.set(a);
      return b;
    };
    this.cols = this.cols.map((c) => (c ? f(c) : undefined));
    for (const [k, c] of this.counters) this.counters.set(k, f(c));
    this.times = f(this.times);
    this.fileIdx = g(this.fileIdx);
    this.lines = g(this.lines);
  }

  /**
   * Keep every other row (the ones at even positions): with the builder's stride doubled,
   * these are exactly the arrivals at multiples of the new stride. Sparse maps follow.
   */
  halve(): void {
    const n = this.n;
    const m = (n + 1) >> 1;
    const pick = (a: Float64Array | Int32Array) => {
      for (let j = 0; j < m; j++) a[j] = a[2 * j]!;
    };
    for (const c of this.cols) if (c) pick(c);
    for (const c of this.counters.values()) pick(c);
    pick(this.times);
    pick(this.fileIdx);
    pick(this.lines);
    const remap = <V>(map: Map<number, V>): Map<number, V> => {
      const out = new Map<number, V>();
      for (const [i, v] of map) if (i % 2 === 0) out.set(i / 2, v);
      return out;
    };
    this.isoExtra = remap(this.isoExtra);
    this.diags = remap(this.diags);
    this.listings = remap(this.listings);
    this.n = m;
  }

  /** Column k, made (absent so far) when first needed. */
  private col(k: number): Float64Array {
    let c = this.cols[k];
    if (!c) {
      c = this.cols[k] = new Float64Array(this.cap);
      c.fill(NaN, 0, this.n - 1);
      if (k >= this.colsEnd) this.colsEnd = k + 1;
    }
    return c;
  }
  /** Columns from this one on do not exist (yet). */
  private colsEnd = 0;

  add(r: SnapshotRecord, fileId: number, keep: ReadonlySet<string> | undefined): void {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    const v = r.nums;
    const cols = this.cols;
    const w = r.width;
    for (let k = 0; k < w; k++) {
      const x = v[k]!;
      const c = cols[k];
      if (c) c[i] = x;
      else if (x === x) this.col(k)[i] = x;
    }
    // Past the record's width every value is absent: only columns that exist get their NaN.
    for (let k = w; k < this.colsEnd; k++) {
      const c = cols[k];
      if (c) c[i] = NaN;
    }
    if (this.counters.size) for (const c of this.counters.values()) c[i] = NaN;
    if (r.counters && keep) {
      for (const name in r.counters) {
        if (!keep.has(name)) continue;
        let c = this.counters.get(name);
        if (!c) {
          this.counters.set(name, (c = new Float64Array(this.cap)));
          c.fill(NaN, 0, i);
        }
        c[i] = r.counters[name]!;
      }
    }
    const ms = r.timeMs;
    this.times[i] = ms;
    if (r.timeIso !== undefined && !Number.isNaN(ms) && r.timeIso !== isoOfMs(ms)) {
      this.isoExtra.set(i, r.timeIso);
    }
    this.fileIdx[i] = fileId;
    this.lines[i] = r.line;
    if (r.diagnostics.length) this.diags.set(i, r.diagnostics);
    if (r.listing) this.listings.set(i, r.listing);
  }
}

/** The first n rows of a column: a view when in order, else copied in `perm` order. */
function rows<T extends Float64Array | Int32Array>(a: T, n: number, perm: Int32Array | undefined): T {
  if (!perm) return a.subarray(0, n) as T;
  const out = new (a.constructor as new (n: number) => T)(n);
  for (let i = 0; i < n; i++) out[i] = a[perm[i]!]!;
  return out;
}

/**
 * Rows all series keep together, by default: about 200 MiB of columns for the widest rows
 * (sockstat, sockstat6 and ss -s give 21 fields: 192 bytes a row). A capture a minute is
 * two years of one host; a second, twelve days.
 */
export const MAX_SERIES_ROWS = 1 << 20;

/**
 * Builds the per-host series while snapshots stream in (no object per snapshot
 * is kept), then orders each by time (stable; snapshots without a time last).
 */
export class SeriesBuilder {
  private groups = new Map<string, Group>();
  /**
   * `expectedRows`: how many snapshots the inputs may hold (from their size), to size the columns once.
   * `keepCounters`: protocol counters beyond the fields (Snapshot.counters) to keep, by nstat name
   * (the ones the rules read): the others are not stored.
   */
  constructor(
    private expectedRows = 1 << 12,
    private readonly keepCounters?: ReadonlySet<string>,
    /** Rows kept in all series together: past it, every series keeps one snapshot in `stride` (see `notices`). */
    private readonly maxRows = MAX_SERIES_ROWS,
  ) {
    this.limit = maxRows;
  }

  /** Every stride-th snapshot of a series is kept (1 until the inputs hold more than maxRows). */
  private stride = 1;
  private kept = 0;
  private limit: number;
  /** Snapshots that arrived, kept or not. */
  private arrived = 0;

  /** Is the next snapshot of this group kept? Counts it either way. */
  private keep(g: Group): boolean {
    this.arrived++;
    if (g.seen++ % this.stride !== 0) return false;
    if (this.kept >= this.limit) this.thin();
    if ((g.seen - 1) % this.stride !== 0) return false;
    this.kept++;
    return true;
  }

  /**
   * Over the budget: double the stride and keep every other row of every series, so that
   * memory stays bounded by the rows kept, whatever the size of the inputs (issue 18: 4 GiB
   * of one-line snapshots from an 8 MB gzip). Series of one row keep it: with more series
   * than the budget, the budget follows them (each series is at least one line of input).
   */
  private thin(): void {
    this.stride *= 2;
    this.kept = 0;
    for (const g of this.groups.values()) {
      g.halve();
      this.kept += g.n;
    }
    this.limit = Math.max(this.maxRows, 2 * this.kept);
  }

  /** What the reader must know about the series: snapshots read but not kept. */
  get notices(): string[] {
    if (this.stride === 1) return [];
    return [
      `${this.arrived} snapshots read, more than the ${this.maxRows} rows the series keep: each host's series keeps one snapshot in ${this.stride} ` +
        `(in the order read, the first included), and the rules and charts see those; export writes every snapshot`,
    ];
  }

  /** Size of a new group: the expected rows for the first (at least 16), 16 (doubling as needed) after it. */
  private capFor(): number {
    const c = Math.min(Math.max(this.expectedRows, 16), 1 << 22);
    // Later groups start small and double with use: 20,000 hosts of one row each must not
    // hold 20,000 × 4,096 rows (issue 18: 4.9 GB for a 0.9 MB input).
    this.expectedRows = 16;
    return c;
  }
  private files: string[] = [];
  private fileIds = new Map<string, number>();

  /** The last snapshot's group and file: consecutive snapshots mostly share them. */
  private last: { host: string | undefined; namespace: string | undefined; file: string; group: Group; fileId: number } | undefined;

  add(r: SnapshotRecord): void {
    let l = this.last;
    if (!l || l.file !== r.file || l.host !== r.host || l.namespace !== r.namespace) {
      const key = seriesKey(r);
      let g = this.groups.get(key);
      if (!g) this.groups.set(key, (g = new Group(r.host, r.namespace, this.capFor())));
      l = this.last = { host: r.host, namespace: r.namespace, file: r.file, group: g, fileId: this.fileId(r.file) };
    }
    if (this.keep(l.group)) l.group.add(r, l.fileId, this.keepCounters);
  }

  private fileId(f: string): number {
    let id = this.fileIds.get(f);
    if (id === undefined) {
      id = this.files.length;
      this.files.push(f);
      this.fileIds.set(f, id);
    }
    return id;
  }

  /** Is there a series of this key (`host:NAME`, `dir:PATH`) yet? */
  has(key: string): boolean {
    return this.groups.has(key);
  }

  build(): HostSeries[] {
    const out: HostSeries[] = [];
    for (const [key, g] of this.groups) {
      const n = g.n;
      const times = g.times;
      // Captures are mostly in time order already: sort only when they are not.
      let sorted = true;
      for (let i = 1; i < n && sorted; i++) if (!(times[i - 1]! <= times[i]!) && !Number.isNaN(times[i]!)) sorted = false;
      let perm: Int32Array | undefined;
      if (!sorted) {
        const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
          const ta = times[a]!;
          const tb = times[b]!;
          const na = Number.isNaN(ta);
          const nb = Number.isNaN(tb);
          if (na || nb) return na && nb ? a - b : na ? 1 : -1;
          return ta - tb || a - b;
        });
        perm = Int32Array.from(order);
      }
      const remap = <V>(m: Map<number, V>): Map<number, V> => {
        if (!perm) return m;
        const inv = new Int32Array(n);
        for (let i = 0; i < n; i++) inv[perm[i]!] = i;
        return new Map([...m].map(([i, v]) => [inv[i]!, v]));
      };
      const absent = new Float64Array(n).fill(NaN); // shared by every field never seen in this series
      out.push(
        new HostSeries(
          g.host, g.namespace, key,
          rows(times, n, perm),
          g.cols.map((c) => (c ? rows(c, n, perm) : absent)),
          this.files,
          rows(g.fileIdx, n, perm),
          rows(g.lines, n, perm),
          remap(g.isoExtra), remap(g.diags), remap(g.listings),
          new Map([...g.counters].map(([k, c]) => [k, rows(c, n, perm)])),
        ),
      );
    }
    out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return out;
  }
}

/** Group snapshots per host and order each group by time (stable). */
export function buildSeries(snapshots: Iterable<Snapshot>): HostSeries[] {
  const b = new SeriesBuilder();
  const r = new SnapshotRecord();
  for (const s of snapshots) b.add(r.fill(s));
  return b.build();
}

/** Where bundles keep limits, below the bundle's root. */
const LIMIT_SUBDIRS = /\/?(?:proc\/sys\/net\/ipv4|sos_commands\/kernel)$/;

/**
 * The series a limit belongs to: its host, else the directory of the file it
 * came from, taken at the bundle root for `proc/sys/net/ipv4/*` and
 * `sos_commands/kernel/sysctl_-a`.
 */
export function limitKey(host: string | undefined, source: string): string {
  if (host !== undefined) return `host:${host}`;
  const f = fileOf(source);
  if (f === '-') return 'dir:-';
  const dir = dirname(f.split('!')[0]!);
  return `dir:${LIMIT_SUBDIRS.test(dir) ? dir.replace(LIMIT_SUBDIRS, '') || '.' : dir}`;
}
