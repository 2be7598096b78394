/**
 * sockscope as a library: what the CLI does for people, for programs.
 *
 *   import { analyze, exportSnapshots } from 'sockscope';
 *   const report = await analyze(['sosreport.tar.xz']);
 *   await exportSnapshots(['capture.log'], { format: 'csv' }, (text) => process.stdout.write(text));
 */
import type { ReadOptions, RunStats } from './pipeline.js';
import { exportRows } from './export.js';

export { analyze, analyzeWithSeries, loadRules, type AnalysisReport, type AnalyzeOptions } from './analyze.js';
export { readSnapshots, collectSnapshots, type ReadOptions, type RunStats, type SnapshotSink } from './pipeline.js';
export type { Snapshot, Diagnostic } from './normalize/types.js';
export type { Problem, Severity } from './parse/problem.js';
export { COLUMNS, NUMERIC_FIELDS, EXTRA_FIELDS, FIELD_SCOPE } from './normalize/fields.js';
export type { Finding, Evidence, NotEvaluated } from './rules/engine.js';
export { renderText, renderMarkdown, renderJira, renderJson } from './report/findings.js';
export { renderSs } from './report/ss-text.js';
export { explainSnapshot } from './report/explain.js';
export { parseSockstat } from './parse/sockstat.js';
export { parseSsSummary } from './parse/ss.js';
export { parseSnmp } from './parse/snmp.js';
export { parseListing } from './parse/listing.js';
export { segmentText } from './segment/segmenter.js';
export { normalizeBlock } from './normalize/normalize.js';
export { VERSION } from './version.js';

/** Rows of every snapshot as CSV or JSON Lines, streamed to `write` (back-pressure respected). */
export async function exportSnapshots(
  inputs: readonly string[],
  opts: ReadOptions & { format?: 'csv' | 'jsonl' },
  write: (text: string) => void | Promise<void>,
): Promise<RunStats> {
  let wait: void | Promise<void>;
  return exportRows(inputs, opts, {
    // Rows are lent whole, so a piece never ends inside a character.
    lend: (b) => {
      wait = write(Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8'));
      return true;
    },
    ready: () => {
      const w = wait;
      wait = undefined;
      return w ?? undefined;
    },
  });
}
