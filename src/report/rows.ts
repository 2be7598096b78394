import Papa from 'papaparse';
import { ALL_FIELDS, COLUMNS, EXTRA_FIELDS } from '../normalize/fields.js';
import { FAST_FORMATS, fastSnapshot } from '../normalize/fast.js';
import type { Snapshot } from '../normalize/types.js';
import type { FastBlock } from '../segment/fast.js';

export type Cell = string | number | null;

/** A snapshot as a flat row in column order; absent values are null (empty in CSV). */
export function snapshotRow(s: Snapshot): Cell[] {
  const row: Cell[] = [s.host ?? null, s.time ?? null, s.source, s.formats.join('+')];
  for (const f of ALL_FIELDS) {
    const v = s.values[f];
    row.push(v === undefined ? null : v);
  }
  row.push(s.namespace ?? null);
  const other = Object.entries(s.otherKeys);
  row.push(other.length ? other.map(([k, v]) => `${k}=${v}`).join(';') : null);
  row.push(s.diagnostics.length ? s.diagnostics.map((d) => d.message).join(' | ') : null);
  return row;
}

/** A snapshot as one JSON object with the CSV's keys; absent values are null. */
export function snapshotJson(s: Snapshot): Record<string, unknown> {
  const o: Record<string, unknown> = {
    host: s.host ?? null,
    time: s.time ?? null,
    source: s.source,
    formats: s.formats.join('+'),
  };
  for (const f of ALL_FIELDS) o[f] = s.values[f] ?? null;
  o.namespace = s.namespace ?? null;
  o.other_keys = s.otherKeys;
  o.diagnostics = s.diagnostics;
  return o;
}

export interface RowWriter {
  snapshot(s: Snapshot): void;
  /** A fast-path snapshot (segment/fast.ts): the same row, written from its values. */
  fast(f: FastBlock): void;
  /** Text ready to write since the last take(). */
  take(): string;
  /** Bytes buffered and not yet taken. */
  readonly pending: number;
}

/** The CSV header line. */
export function csvHeader(): string {
  return Papa.unparse([[...COLUMNS]], { newline: '\n' }) + '\n';
}

const UNPARSE = { newline: '\n', header: false, escapeFormulae: true } as const;

/** One text cell exactly as papaparse writes it (quoted, formula-escaped as needed). */
const csvCell = (x: string | undefined): string => (x === undefined ? '' : Papa.unparse([[x]], UNPARSE));

const AFTER_VALUES = ','.repeat(EXTRA_FIELDS.length);

/**
 * Rows of fast-path snapshots without papaparse's per-cell work: they hold numbers
 * and a few texts that are the same row after row (host, file, namespace), each
 * escaped once by papaparse. The bytes equal papaparse's for the same snapshot
 * (a test compares them on every sample).
 */
class FastRows {
  private host: string | undefined = '\u0000';
  private hostCell = '';
  private ns: string | undefined = '\u0000';
  private tail = '';
  private file = '\u0000';
  private filePlain = false;
  private readonly formats = csvCell(FAST_FORMATS.join('+'));

  row(f: FastBlock): string {
    if (f.host !== this.host) {
      this.host = f.host;
      this.hostCell = csvCell(f.host);
    }
    if (f.namespace !== this.ns) {
      this.ns = f.namespace;
      this.tail = `${AFTER_VALUES},${csvCell(f.namespace)},,\n`;
    }
    if (f.file !== this.file) {
      this.file = f.file;
      // `file:N` needs no quoting or escaping for any N when `file:1` needs none.
      this.filePlain = csvCell(`${f.file}:1`) === `${f.file}:1`;
    }
    const source = this.filePlain ? `${f.file}:${f.line}` : csvCell(`${f.file}:${f.line}`);
    const v = f.values;
    let row = `${this.hostCell},${f.time.iso},${source},${this.formats}`;
    for (let i = 0; i < v.length; i++) row += `,${v[i]}`;
    return row + this.tail;
  }
}

/** CSV (RFC 4180 by papaparse), header first, batched so papaparse runs per batch. */
export function csvWriter(opts: { header?: boolean } = {}): RowWriter {
  let batch: Cell[][] = [];
  let out = opts.header === false ? '' : csvHeader();
  const fastRows = new FastRows();
  const flushBatch = (): void => {
    if (batch.length === 0) return;
    out += Papa.unparse(batch, UNPARSE) + '\n';
    batch = [];
  };
  return {
    snapshot(s) {
      batch.push(snapshotRow(s));
      if (batch.length >= 512) flushBatch();
    },
    fast(f) {
      if (batch.length) flushBatch();
      out += fastRows.row(f);
    },
    take() {
      flushBatch();
      const t = out;
      out = '';
      return t;
    },
    get pending() {
      return out.length + batch.length * 200;
    },
  };
}

/** JSON Lines: one object per snapshot. */
export function jsonlWriter(): RowWriter {
  let out = '';
  return {
    snapshot(s) {
      out += JSON.stringify(snapshotJson(s)) + '\n';
    },
    fast(f) {
      out += JSON.stringify(snapshotJson(fastSnapshot(f))) + '\n';
    },
    take() {
      const t = out;
      out = '';
      return t;
    },
    get pending() {
      return out.length;
    },
  };
}
