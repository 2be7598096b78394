import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet';
import { ALL_FIELDS, COLUMNS } from '../normalize/fields.js';
import { fastSnapshot } from '../normalize/fast.js';
import type { Snapshot } from '../normalize/types.js';
import type { FastBlock } from '../segment/fast.js';
import { snapshotRow, type Cell, type RowWriter } from './rows.js';

/** Rows per row group: a few MB of column data in memory at a time, and groups a reader can skip. */
export const ROW_GROUP_ROWS = 65_536;

const INTEGER = new Set<string>(ALL_FIELDS);

/**
 * The Parquet schema of the CSV's columns (the same table, `COLUMNS`, in the same order):
 * counters INT64, `time` a UTC timestamp in microseconds, the rest UTF-8 strings. Every
 * column is OPTIONAL: an absent value is null, never 0.
 */
export function parquetSchema(): SchemaElement[] {
  const leaf = (name: string): SchemaElement => {
    if (name === 'time') {
      return {
        name,
        type: 'INT64',
        repetition_type: 'OPTIONAL',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
      };
    }
    if (INTEGER.has(name)) return { name, type: 'INT64', repetition_type: 'OPTIONAL' };
    return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' };
  };
  return [{ name: 'root', num_children: COLUMNS.length }, ...COLUMNS.map(leaf)];
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
export function parquetWriter(opts: { rowGroupRows?: number } = {}): ParquetRowWriter {
  const groupRows = opts.rowGroupRows ?? ROW_GROUP_ROWS;
  const bytes = new ByteWriter(1 << 20);
  const writer = new ParquetWriter({ writer: bytes, schema: parquetSchema(), codec: 'SNAPPY', createdBy: 'sockscope' });
  let columns: (Cell | bigint)[][] = COLUMNS.map(() => []);
  let rows = 0;
  let finished = false;

  const flushGroup = (): void => {
    if (rows === 0) return;
    const columnData = COLUMNS.map((name, i) => ({ name, data: columns[i]! }));
    void writer.write({ columnData, rowGroupSize: rows });
    columns = COLUMNS.map(() => []);
    rows = 0;
  };
  const add = (s: Snapshot): void => {
    if (finished) throw new Error('parquet: row after finish');
    const row = snapshotRow(s);
    for (let i = 0; i < row.length; i++) {
      const v = row[i]!;
      columns[i]!.push(typeof v === 'number' ? BigInt(v) : i === TIME_COLUMN && v !== null ? isoMicros(v) : v);
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
    fast: (f: FastBlock) => add(fastSnapshot(f)),
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
