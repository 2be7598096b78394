import { availableParallelism } from 'node:os';

/**
 * The options of the reading commands and of `export`, declared once: yargs reads these
 * tables (src/cli/), and cli/parallel/prefork.ts reads the same ones to tell, before the CLI
 * has loaded, an option's value from an input. Plain data, node: modules only (prefork
 * runs before the rest loads).
 */

/** Smallest file that gets its own core with `export -j` (--jobs-min-bytes). */
export const JOBS_MIN_BYTES = 16 << 20;

/** What an option declares (the part of yargs' Options used here). */
export interface OptionDef {
  /** Absent: a string of `choices`. */
  type?: 'string' | 'number' | 'boolean';
  alias?: string;
  default?: unknown;
  describe: string;
  hidden?: boolean;
  array?: boolean;
  choices?: readonly string[];
}

/** Options of every command that reads captures (export, explain, analyze). */
export const READ_OPTIONS = {
  host: { type: 'string', describe: 'only this host: snapshots of other named hosts are left out, unnamed ones get this name' },
  since: { type: 'string', describe: 'keep snapshots at or after this time (ISO 8601, date output, epoch)' },
  until: { type: 'string', describe: 'keep snapshots at or before this time' },
  tz: { type: 'string', describe: 'IANA zone for zone abbreviations such as CET and for times without a zone (e.g. Europe/Berlin)' },
  quiet: { alias: 'q', type: 'boolean', default: false, describe: 'print no summary or diagnostics on stderr' },
  progress: { type: 'boolean', default: true, describe: 'progress on stderr when it is a terminal (--no-progress turns it off)' },
} as const satisfies Record<string, OptionDef>;

/** Options of `export` (besides READ_OPTIONS). */
export const EXPORT_OPTIONS = {
  format: { choices: ['csv', 'jsonl', 'parquet'], describe: 'output format; default: from -o\'s extension (.csv .jsonl .parquet), else csv' },
  output: { alias: 'o', type: 'string', describe: 'write to FILE instead of stdout' },
  jobs: { alias: 'j', type: 'number', default: availableParallelism(), describe: 'large files read at once on separate cores (several file inputs); 1 reads them in turn' },
  'jobs-min-bytes': { type: 'number', default: JOBS_MIN_BYTES, hidden: true, describe: 'smallest file size that gets its own core' },
  'output-dir': { type: 'string', describe: 'write a Parquet dataset into DIR (new or empty) instead of one file' },
  partition: { type: 'string', array: true, choices: ['host', 'date'], describe: 'with --output-dir: Hive partitions DIR/host=NAME/date=YYYY-MM-DD/part-0.parquet, in the order given' },
  'row-group-rows': { type: 'number', hidden: true, describe: 'Parquet: rows per row group (default 65536)' },
} as const satisfies Record<string, OptionDef>;

/** Every spelling of the options in `tables` that take a value (`--host`, `-o`, ...): the word after them is that value. */
export function valuedFlags(...tables: Record<string, OptionDef>[]): Set<string> {
  const out = new Set<string>();
  for (const t of tables) {
    for (const [name, d] of Object.entries(t)) {
      if (d.type === 'boolean') continue;
      out.add(`--${name}`);
      if (d.alias) out.add(d.alias.length === 1 ? `-${d.alias}` : `--${d.alias}`);
    }
  }
  return out;
}
