import type { SchemaElement } from 'hyparquet';
import type { AnalysisReport } from './model.js';
import { FINDING_COLUMNS, findingRow } from './fleet.js';
import { fleet } from './findings.js';
import { isoMicros, parquetTable, timestampColumn } from './parquet.js';

// A module of its own: the Parquet writer is loaded only when this format is asked for.
/** The findings columns' Parquet types: times UTC timestamps (µs), `snapshots` INT64, `peak_value` DOUBLE, the rest UTF-8. */
const FINDING_TIMES = new Set<string>(['first_seen', 'last_seen', 'critical_since', 'peak_time']);

export function findingsParquetSchema(): SchemaElement[] {
  return [
    { name: 'root', num_children: FINDING_COLUMNS.length },
    ...FINDING_COLUMNS.map((name): SchemaElement =>
      FINDING_TIMES.has(name) ? timestampColumn(name)
      : name === 'snapshots' ? { name, type: 'INT64', repetition_type: 'OPTIONAL' }
      : name === 'peak_value' ? { name, type: 'DOUBLE', repetition_type: 'OPTIONAL' }
      : { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    ),
  ];
}

/**
 * `analyze --format parquet`: the rows of `analyze --format csv` (same columns, same order,
 * worst host first) as one typed Parquet file; absent is null. Texts are as the rules wrote
 * them (no spreadsheet formula guard: Parquet readers do not evaluate cells).
 */
export function renderFindingsParquet(r: AnalysisReport): Uint8Array {
  const rows = fleet(r).flatMap((h) => h.findings.map(findingRow));
  const columns = FINDING_COLUMNS.map((name, j) =>
    rows.map((row) => {
      const v = row[j] ?? null;
      if (v === null) return null;
      if (FINDING_TIMES.has(name)) return typeof v === 'string' ? isoMicros(v) : null;
      if (name === 'snapshots') return BigInt(v);
      if (name === 'peak_value') return Number(v);
      return String(v);
    }),
  );
  return parquetTable(findingsParquetSchema(), columns);
}
