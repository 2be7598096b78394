import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet';
import { ALL_FIELDS, COLUMNS } from '../normalize/fields.js';
import type { SnapshotRecord } from '../normalize/record.js';
import { snapshotRow, type Cell, type RowWriter } from './rows.js';

/** Rows per row group: a few MB of column data in memory at a time, and groups a reader can skip. */
export const ROW_GROUP_ROWS = 65_536;

const INTEGER = new Set<string>(ALL_FIELDS);

/**
 * The Parquet schema of the CSV's columns (the same table, `COLUMNS`, in the same order):
 * counters INT64, `time` a UTC timestamp in microseconds, the rest UTF-8 strings. Every
 * column is OPTIONAL: an absent value is null, never 0.
 */
export function parquetSchema(columns: readonly string[] = COLUMNS): SchemaElement[] {
  const leaf = (name: string): SchemaElement => {
    if (name === 'time') return timestampColumn(name);
    if (INTEGER.has(name)) return { name, type: 'INT64', repetition_type: 'OPTIONAL' };
    return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' };
  };
  return [{ name: 'root', num_children: columns.length }, ...columns.map(leaf)];
}

const TIME_COLUMN = COLUMNS.indexOf('time');

/**
 * `2026-11-25T00:35:57.123456789Z` as microseconds since the epoch. Digits past the
 * microsecond are cut (the CSV keeps them as written); a time that does not parse is null.
 */
export function isoMicros(iso: string): bigint | null {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(iso);
  if (!m) return null;
  const ms = Date.parse(`${m[1]}Z`);
  if (Number.isNaN(ms)) return null;
  const frac = m[2] ? Number(m[2].padEnd(6, '0').slice(0, 6)) : 0;
  return BigInt(ms) * 1000n + BigInt(frac);
}

export interface ParquetRowWriter extends RowWriter {
  /** Writes the last row group and the footer: the bytes of a whole file are then all taken. */
  finish(): void;
}

/**
 * Snapshots as one Parquet file (hyparquet-writer; snappy-compressed pages), written row group
 * by row group: rows are kept as columns until a group is full, then encoded; `take`/`lend`
 * hand out the encoded bytes so far. The cells are `snapshotRow`'s, the CSV's.
 */
export function parquetWriter(opts: { rowGroupRows?: number; omit?: readonly string[] } = {}): ParquetRowWriter {
  const groupRows = opts.rowGroupRows ?? ROW_GROUP_ROWS;
  // Columns a partitioned dataset carries in its directory names are not in its files.
  const kept = COLUMNS.flatMap((name, i) => (opts.omit?.includes(name) ? [] : [{ name, i }]));
  const bytes = new ByteWriter(1 << 16);
  const writer = new ParquetWriter({ writer: bytes, schema: parquetSchema(kept.map((k) => k.name)), codec: 'SNAPPY', createdBy: 'sockscope' });
  let columns: (Cell | bigint)[][] = kept.map(() => []);
  let rows = 0;
  let finished = false;

  const flushGroup = (): void => {
    if (rows === 0) return;
    const columnData = kept.map(({ name }, j) => ({ name, data: columns[j]! }));
    void writer.write({ columnData, rowGroupSize: rows });
    columns = kept.map(() => []);
    rows = 0;
  };
  const add = (r: SnapshotRecord): void => {
    if (finished) throw new Error('parquet: row after finish');
    const row = snapshotRow(r);
    for (let j = 0; j < kept.length; j++) {
      const i = kept[j]!.i;
      const v = row[i]!;
      columns[j]!.push(typeof v === 'number' ? BigInt(v) : i === TIME_COLUMN && v !== null ? isoMicros(v) : v);
    }
    if (++rows >= groupRows) flushGroup();
  };
  const take = (): Buffer => {
    const out = Buffer.from(bytes.buffer, 0, bytes.index);
    const copy = Buffer.allocUnsafe(out.length);
    out.copy(copy);
    bytes.index = 0;
    return copy;
  };
  return {
    snapshot: add,
    take,
    lend(write) {
      // The writer's buffer is written over by the next group: a copy is lent.
      if (bytes.index > 0) write(take());
    },
    get pending() {
      return bytes.index;
    },
    finish() {
      if (finished) return;
      flushGroup();
      void writer.finish();
      finished = true;
    },
  };
}

/** A UTC timestamp column in microseconds (the `time` of export, the times of findings). */
export function timestampColumn(name: string): SchemaElement {
  return { name, type: 'INT64', repetition_type: 'OPTIONAL', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' } };
}

/**
 * A small table as one whole Parquet file in memory (one row group, snappy): for what is
 * already all in memory, such as a report's findings. `columns` follow `schema`'s leaves.
 */
export function parquetTable(schema: SchemaElement[], columns: (string | number | bigint | null)[][]): Uint8Array {
  const bytes = new ByteWriter(1 << 12);
  const writer = new ParquetWriter({ writer: bytes, schema, codec: 'SNAPPY', createdBy: 'sockscope' });
  const rows = columns[0]?.length ?? 0;
  if (rows > 0) void writer.write({ columnData: schema.slice(1).map((s, j) => ({ name: s.name, data: columns[j]! })), rowGroupSize: rows });
  void writer.finish();
  return new Uint8Array(bytes.buffer, 0, bytes.index);
}

export type PartitionKey = 'host' | 'date';

/** Hive's name for a partition whose value is absent (null when read back). */
export const HIVE_NULL = '__HIVE_DEFAULT_PARTITION__';

/** A partition value as one path segment: Hive's escaping (`%2F` for `/`, ...), never `.` or `..` alone. */
export function hiveEscape(v: string): string {
  const e = v.replace(/[\x00-\x1f"#%'*/:=?\\\x7f{}[\]^]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return e === '.' || e === '..' ? e.replace(/\./g, '%2E') : e;
}

/**
 * The Hive partition directory of a snapshot: `host=web01/date=2026-11-25` for
 * `['host', 'date']`; `date` is the UTC day of `time`. Absent values are Hive's null.
 */
export function partitionPath(s: Pick<SnapshotRecord, 'host' | 'time'>, by: readonly PartitionKey[]): string {
  return by
    .map((k) => {
      const v = k === 'host' ? s.host : s.time?.slice(0, 10);
      return `${k}=${v === undefined || v === '' ? HIVE_NULL : hiveEscape(v)}`;
    })
    .join('/');
}
