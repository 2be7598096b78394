import { dirname } from 'node:path/posix';
import { ALL_FIELDS, type Field } from '../normalize/fields.js';
import type { Diagnostic, Snapshot } from '../normalize/types.js';
import type { ListingSummary } from '../parse/listing.js';
import { isoFromMs } from '../segment/time.js';
import type { FastBlock } from '../segment/fast.js';

const FIELD_INDEX = new Map<Field, number>(ALL_FIELDS.map((f, i) => [f, i]));

/**
 * One host's snapshots in time order, stored by column: a Float64Array per field
 * (NaN = absent), the times, and sources as (file, line) numbers. What few snapshots
 * carry besides numbers (diagnostics, socket listings, times with more than
 * millisecond digits) is kept in sparse maps: 16 bytes per snapshot plus 8 per field the
 * inputs give (sockstat + sockstat6 + ss -s: 21 fields, 184 bytes).
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
  ) {}

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
    return this.isoExtra.get(i) ?? isoFromMs(ms, ms % 1000 ? String(ms % 1000).padStart(3, '0') : undefined);
  }

  timeMs(i: number): number | undefined {
    const ms = this.times[i]!;
    return Number.isNaN(ms) ? undefined : ms;
  }

  source(i: number): string {
    return `${this.files[this.fileIdx[i]!]}:${this.lines[i]}`;
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
    const gaps: number[] = [];
    for (let i = 1; i < this.times.length; i++) {
      const d = this.times[i]! - this.times[i - 1]!;
      if (d > 0) gaps.push(d / 1000);
    }
    if (gaps.length === 0) return undefined;
    gaps.sort((a, b) => a - b);
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

/** Rows per chunk of a growing column. */
const ROWS = 1 << 14;

/**
 * Columns of one group as snapshots arrive (arrival order), in chunks of ROWS rows
 * (no copying as they grow); build() gathers them into one array per column.
 */
class Group {
  n = 0;
  /** A column exists only once a value of its field has been seen (most logs fill about half). */
  cols: (Float64Array[] | undefined)[] = ALL_FIELDS.map(() => undefined);
  times: Float64Array[] = [];
  fileIdx: Int32Array[] = [];
  lines: Int32Array[] = [];
  isoExtra = new Map<number, string>();
  diags = new Map<number, Diagnostic[]>();
  listings = new Map<number, ListingSummary>();
  constructor(
    readonly host: string | undefined,
    readonly namespace: string | undefined,
  ) {}

  /** Row i's chunk is ready (a new chunk of every column starts at multiples of ROWS). */
  private row(): number {
    const i = this.n++;
    if ((i & (ROWS - 1)) === 0) {
      this.times.push(new Float64Array(ROWS));
      this.fileIdx.push(new Int32Array(ROWS));
      this.lines.push(new Int32Array(ROWS));
      for (const c of this.cols) if (c) c.push(new Float64Array(ROWS).fill(NaN));
    }
    return i;
  }

  /** Column k's chunk holding row i (the column starts, all absent, when first needed). */
  private chunk(k: number, i: number): Float64Array {
    let c = this.cols[k];
    if (!c) {
      c = this.cols[k] = [];
      for (let j = 0; j <= i >> 14; j++) c.push(new Float64Array(ROWS).fill(NaN));
    }
    return c[i >> 14]!;
  }

  /** A fast-path snapshot: its canonical columns straight from its values. */
  addFast(f: FastBlock, fileId: number): void {
    const i = this.row();
    const j = i & (ROWS - 1);
    const v = f.values;
    for (let k = 0; k < v.length; k++) this.chunk(k, i)[j] = v[k]!;
    this.times[i >> 14]![j] = f.time.ms;
    this.fileIdx[i >> 14]![j] = fileId;
    this.lines[i >> 14]![j] = f.line;
  }

  add(s: Snapshot, fileIndex: (f: string) => number): void {
    const i = this.row();
    const j = i & (ROWS - 1);
    for (let k = 0; k < ALL_FIELDS.length; k++) {
      const v = s.values[ALL_FIELDS[k]!];
      if (v !== undefined) this.chunk(k, i)[j] = v;
    }
    this.times[i >> 14]![j] = s.timeMs ?? NaN;
    if (s.time !== undefined && s.timeMs !== undefined && s.time !== isoFromMs(s.timeMs, s.timeMs % 1000 ? String(s.timeMs % 1000).padStart(3, '0') : undefined)) {
      this.isoExtra.set(i, s.time);
    }
    const colon = s.source.lastIndexOf(':');
    this.fileIdx[i >> 14]![j] = fileIndex(s.source.slice(0, colon));
    this.lines[i >> 14]![j] = Number(s.source.slice(colon + 1));
    if (s.diagnostics.length) this.diags.set(i, s.diagnostics);
    if (s.listing) this.listings.set(i, s.listing);
  }
}

/** Chunks → one array of n rows, in `perm` order (or as they are). */
function gather<T extends Float64Array | Int32Array>(chunks: T[], n: number, out: T, perm: Int32Array | undefined): T {
  if (!perm) {
    for (let c = 0, at = 0; at < n; c++, at += ROWS) out.set(chunks[c]!.subarray(0, Math.min(ROWS, n - at)), at);
    return out;
  }
  for (let i = 0; i < n; i++) {
    const p = perm[i]!;
    out[i] = chunks[p >> 14]![p & (ROWS - 1)]!;
  }
  return out;
}

/**
 * Builds the per-host series while snapshots stream in (no object per snapshot
 * is kept), then orders each by time (stable; snapshots without a time last).
 */
export class SeriesBuilder {
  private groups = new Map<string, Group>();
  private files: string[] = [];
  private fileIds = new Map<string, number>();

  /** Last fast-path group and file: consecutive fast snapshots share them. */
  private last: { host: string | undefined; namespace: string | undefined; file: string; group: Group; fileId: number } | undefined;

  /** A fast-path snapshot (segment/fast.ts), without making it an object first. */
  fast(f: FastBlock): void {
    let l = this.last;
    if (!l || l.file !== f.file || l.host !== f.host || l.namespace !== f.namespace) {
      const key = seriesKey({ host: f.host, namespace: f.namespace, source: `${f.file}:${f.line}` } as Snapshot);
      let g = this.groups.get(key);
      if (!g) this.groups.set(key, (g = new Group(f.host, f.namespace)));
      l = this.last = { host: f.host, namespace: f.namespace, file: f.file, group: g, fileId: this.fileId(f.file) };
    }
    l.group.addFast(f, l.fileId);
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

  add(s: Snapshot): void {
    const k = seriesKey(s);
    let g = this.groups.get(k);
    if (!g) this.groups.set(k, (g = new Group(s.host, s.namespace)));
    g.add(s, (f) => this.fileId(f));
  }

  build(): HostSeries[] {
    const out: HostSeries[] = [];
    for (const [key, g] of this.groups) {
      const n = g.n;
      const times = gather(g.times, n, new Float64Array(n), undefined);
      // Captures are mostly in time order already: sort only when they are not.
      let sorted = true;
      for (let i = 1; i < n && sorted; i++) if (!(times[i - 1]! <= times[i]!) && !Number.isNaN(times[i]!)) sorted = false;
      if (sorted) for (let i = 1; i < n && sorted; i++) if (Number.isNaN(times[i - 1]!) && !Number.isNaN(times[i]!)) sorted = false;
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
          perm ? gather(g.times, n, new Float64Array(n), perm) : times,
          g.cols.map((c) => (c ? gather(c, n, new Float64Array(n), perm) : absent)),
          this.files,
          gather(g.fileIdx, n, new Int32Array(n), perm),
          gather(g.lines, n, new Int32Array(n), perm),
          remap(g.isoExtra), remap(g.diags), remap(g.listings),
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
  for (const s of snapshots) b.add(s);
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
