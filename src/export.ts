import { readSnapshots, type ReadOptions, type RunStats, type SnapshotSink } from './pipeline.js';
import { csvWriter, jsonlWriter, type RowWriter } from './report/rows.js';

/**
 * `export`: one row per (host, moment) as CSV, JSON Lines or Parquet. The one function
 * behind the CLI's export (serial, and every unit of `export -j`, in this process and in
 * the workers, parallel/job.ts) and the library's exportSnapshots (src/index.ts).
 */

export type ExportFormat = 'csv' | 'jsonl' | 'parquet';

export interface ExportOptions extends ReadOptions {
  /** Default csv. */
  format?: ExportFormat;
  /** CSV: the header line first (default true; the units of a parallel export after the first leave it out). */
  header?: boolean;
  /** Parquet: rows per row group (default 65,536). */
  rowGroupRows?: number;
}


/** Where export's bytes go: a file, stdout, a unit's turn in a parallel export, a library caller's callback. */
export interface ExportOutput {
  /**
   * Bytes lent by the row writer (a view of its buffer, valid during the call): write or copy
   * them, and return true when their memory may be written over; false leaves it alone.
   */
  lend(b: Uint8Array): boolean;
  /** While the output is backed up: a promise to wait on before more rows. */
  ready(): Promise<void> | undefined;
}

/** Rows buffered before they are handed to the output. */
const HAND_OVER = 1 << 16;

/** Reads `inputs` and writes its rows to `out`; returns the run's accounting once every row is handed over. */
export async function exportRows(inputs: readonly string[], opts: ExportOptions, out: ExportOutput): Promise<RunStats> {
  const w = await rowWriter(opts);
  const sink: SnapshotSink = {
    snapshot: (r) => w.snapshot(r),
    drain: () => {
      if (w.pending <= HAND_OVER) return;
      w.lend(out.lend);
      return out.ready();
    },
  };
  const stats = await readSnapshots(inputs, opts, sink);
  w.finish?.();
  w.lend(out.lend);
  await out.ready();
  return stats;
}

async function rowWriter(opts: ExportOptions): Promise<RowWriter & { finish?(): void }> {
  if (opts.format === 'jsonl') return jsonlWriter();
  if (opts.format === 'parquet') {
    // hyparquet-writer loads only for Parquet.
    const { parquetWriter } = await import('./report/parquet.js');
    return parquetWriter(opts.rowGroupRows ? { rowGroupRows: opts.rowGroupRows } : {});
  }
  return csvWriter(opts.header === false ? { header: false } : {});
}
