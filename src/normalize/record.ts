import { ALL_FIELDS, FIELD_INDEX } from './fields.js';
import { formatList, NO_DIAGNOSTICS, NO_KEYS } from './normalize.js';
import type { Diagnostic, Snapshot, Values } from './types.js';
import type { ListingSummary } from '../parse/listing.js';
import { isoFromMs } from '../parse/time.js';

/** Fields normalize derives after the ones read (tcp_closed, tcp_unhashed, the listing's): its values list them last. */
const DERIVED_LAST = new Set<string>(['tcp_closed', 'tcp_unhashed', 'lsof_unhashed', ...ALL_FIELDS.filter((f) => f.startsWith('list_'))]);
const READ_FIRST = ALL_FIELDS.map((_, i) => i).filter((i) => !DERIVED_LAST.has(ALL_FIELDS[i]!));
const DERIVED = ALL_FIELDS.map((_, i) => i).filter((i) => DERIVED_LAST.has(ALL_FIELDS[i]!));

/** The ISO text of an epoch ms: `...Z`, with milliseconds only when there are some. */
export function isoOfMs(ms: number): string {
  const f = ms % 1000;
  return isoFromMs(ms, f ? String(f < 0 ? f + 1000 : f).padStart(3, '0') : undefined);
}

/**
 * One snapshot as the pipeline hands it to a sink, however it was read: the general path
 * (segmenter → parsers → normalizeBlock) fills it from the Snapshot it made; the byte-level
 * path (src/fast/) fills it straight from the bytes of a capture-loop block. Sinks see one
 * kind of value whatever the path: the CSV writer writes a row from it, the series store
 * copies its columns.
 *
 * Lent: a record is valid during the sink call that gets it, and is filled again for the
 * next snapshot. A sink that keeps a snapshot keeps `snapshot()`, an object of its own.
 */
export class SnapshotRecord {
  /** File (display name) and line the snapshot starts at: its `source` is `file:line`. */
  file = '';
  line = 0;
  host: string | undefined = undefined;
  namespace: string | undefined = undefined;
  /** Epoch ms; NaN when the snapshot has no time. */
  timeMs = NaN;
  /** The time's ISO text when it is not `isoOfMs(timeMs)` (or not known to be). */
  timeIso: string | undefined = undefined;
  /** Every field's value in ALL_FIELDS order (NUMERIC_FIELDS first): NaN where absent. */
  readonly nums = new Float64Array(ALL_FIELDS.length).fill(NaN);
  /** The formats that fed it (one shared, frozen list per combination: `formatList`). */
  formats: string[] = formatList(0);
  /** Columns past this one are all NaN (a row writer stops there). */
  width = 0;
  otherKeys: Record<string, number> = NO_KEYS;
  diagnostics: Diagnostic[] = NO_DIAGNOSTICS;
  counters: Record<string, number> | undefined = undefined;
  listing: ListingSummary | undefined = undefined;
  /** Read by the byte-level path (tests count these; nothing else differs). */
  bytePath = false;
  /** Lines in `file` of the sections that fed it, when `made` has no `sources`. */
  readonly sectionLines: number[] = [];
  /** The snapshot this record was filled from (general path), or made from it on request. */
  private made: Snapshot | undefined = undefined;

  /** The source when it is not `file:line` (set only by fill). */
  sourceText: string | undefined = undefined;

  get source(): string {
    return this.sourceText ?? `${this.file}:${this.line}`;
  }

  /** The time's ISO text, or undefined. */
  get time(): string | undefined {
    return this.timeIso ?? (Number.isNaN(this.timeMs) ? undefined : isoOfMs(this.timeMs));
  }

  /** The value of a field (undefined when absent). */
  value(field: string): number | undefined {
    const v = this.nums[FIELD_INDEX.get(field)!];
    return v === undefined || Number.isNaN(v) ? undefined : v;
  }

  /** Filled from a snapshot of the general path (which is kept as the record's `snapshot()`). */
  fill(s: Snapshot): this {
    const colon = s.source.lastIndexOf(':');
    this.file = s.source.slice(0, colon);
    this.line = Number(s.source.slice(colon + 1));
    this.sourceText = colon > 0 && `${this.file}:${this.line}` === s.source ? undefined : s.source;
    this.host = s.host;
    this.namespace = s.namespace;
    this.timeMs = s.timeMs ?? NaN;
    this.timeIso = s.time;
    const nums = this.nums;
    const v = s.values;
    let width = 0;
    for (let i = 0; i < nums.length; i++) {
      const x = v[ALL_FIELDS[i]!];
      if (x === undefined) nums[i] = NaN;
      else {
        nums[i] = x;
        width = i + 1;
      }
    }
    this.width = width;
    this.formats = s.formats;
    this.otherKeys = s.otherKeys;
    this.diagnostics = s.diagnostics;
    this.counters = s.counters;
    this.listing = s.listing;
    this.bytePath = false;
    this.made = s;
    return this;
  }

  /** The host `--host` names, for a snapshot whose inputs name none. */
  setHost(host: string): void {
    this.host = host;
    if (this.made) this.made.host = host;
  }

  /** Begin filling from bytes: the values and section lines are set by the caller. */
  reset(): void {
    this.made = undefined;
    this.sourceText = undefined;
  }

  /**
   * The snapshot as an object the caller may keep: the general path's own, or one made
   * with the keys, key order and values normalize gives the same lines.
   */
  snapshot(): Snapshot {
    if (this.made) return this.made;
    const values: Values = {};
    const nums = this.nums;
    for (const i of READ_FIRST) if (!Number.isNaN(nums[i]!)) values[ALL_FIELDS[i]!] = nums[i]!;
    for (const i of DERIVED) if (!Number.isNaN(nums[i]!)) values[ALL_FIELDS[i]!] = nums[i]!;
    const s: Snapshot = {
      source: this.source,
      sources: [...new Set(this.sectionLines.map((l) => `${this.file}:${l}`))],
      formats: this.formats,
      values,
      otherKeys: this.otherKeys,
      diagnostics: this.diagnostics,
    };
    if (this.host !== undefined) s.host = this.host;
    if (this.namespace !== undefined) s.namespace = this.namespace;
    if (this.listing) s.listing = this.listing;
    if (this.counters) s.counters = this.counters;
    const t = this.time;
    if (t !== undefined) {
      s.time = t;
      s.timeMs = this.timeMs;
    }
    return (this.made = s);
  }

  /** A record of its own for a snapshot (tests, collections of snapshots). */
  static of(s: Snapshot): SnapshotRecord {
    return new SnapshotRecord().fill(s);
  }
}
