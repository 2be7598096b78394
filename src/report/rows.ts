import Papa from 'papaparse';
import { ALL_FIELDS, COLUMNS } from '../normalize/fields.js';
import type { Snapshot } from '../normalize/types.js';

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
  /** Text ready to write since the last take(). */
  take(): string;
  /** Bytes buffered and not yet taken. */
  readonly pending: number;
}

/** The CSV header line. */
export function csvHeader(): string {
  return Papa.unparse([[...COLUMNS]], { newline: '\n' }) + '\n';
}

/** CSV (RFC 4180 by papaparse), header first, batched so papaparse runs per batch. */
export function csvWriter(opts: { header?: boolean } = {}): RowWriter {
  let batch: Cell[][] = [];
  let out = opts.header === false ? '' : csvHeader();
  const flushBatch = (): void => {
    if (batch.length === 0) return;
    out += Papa.unparse(batch, { newline: '\n', header: false, escapeFormulae: true }) + '\n';
    batch = [];
  };
  return {
    snapshot(s) {
      batch.push(snapshotRow(s));
      if (batch.length >= 512) flushBatch();
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
