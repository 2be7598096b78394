import { dirname } from 'node:path/posix';
import { ALL_FIELDS, type Field } from '../normalize/fields.js';
import type { Snapshot } from '../normalize/types.js';

/**
 * One host's snapshots in time order, with columns in typed arrays (NaN =
 * absent) for the series functions. Snapshots without a time follow the timed
 * ones in input order.
 */
export class HostSeries {
  readonly times: Float64Array;
  private readonly cols = new Map<Field, Float64Array>();

  constructor(
    /** Host name, or undefined when the inputs name none. */
    readonly host: string | undefined,
    /** Network namespace (supportconfig network-<NS>.txt), when the inputs name one. */
    readonly namespace: string | undefined,
    /** Grouping key: the host, else `dir:<directory of the first source>`. */
    readonly key: string,
    readonly snapshots: readonly Snapshot[],
  ) {
    this.times = Float64Array.from(snapshots, (s) => s.timeMs ?? NaN);
  }

  get length(): number {
    return this.snapshots.length;
  }

  /** Column of a field; NaN where absent. Built once, on first use. */
  col(field: Field): Float64Array {
    let c = this.cols.get(field);
    if (!c) {
      c = Float64Array.from(this.snapshots, (s) => s.values[field] ?? NaN);
      this.cols.set(field, c);
    }
    return c;
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
export function seriesKey(s: Snapshot): string {
  const ns = s.namespace !== undefined ? `#ns:${s.namespace}` : '';
  if (s.host !== undefined) return `host:${s.host}${ns}`;
  const f = fileOf(s.source);
  return `dir:${f === '-' ? '-' : dirname(f.split('!')[0]!)}${ns}`;
}

/** Group snapshots per host and order each group by time (stable). */
export function buildSeries(snapshots: readonly Snapshot[]): HostSeries[] {
  const groups = new Map<string, Snapshot[]>();
  for (const s of snapshots) {
    const k = seriesKey(s);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(s);
  }
  const out: HostSeries[] = [];
  for (const [key, list] of groups) {
    const ordered = list
      .map((s, i) => ({ s, i }))
      .sort((a, b) => {
        const ta = a.s.timeMs;
        const tb = b.s.timeMs;
        if (ta === undefined && tb === undefined) return a.i - b.i;
        if (ta === undefined) return 1;
        if (tb === undefined) return -1;
        return ta - tb || a.i - b.i;
      })
      .map((x) => x.s);
    out.push(new HostSeries(list[0]!.host, list[0]!.namespace, key, ordered));
  }
  out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out;
}

export { ALL_FIELDS };

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
