import type { Argv } from 'yargs';
import { commonOptions, repeatable, type CommonArgs } from './common.js';

/**
 * The `analyze` command's options, apart from the command itself (cli/analyze-cmd.ts),
 * which loads the rule engine: yargs needs these before any command runs.
 */
type Severity = 'info' | 'warning' | 'critical';
export type AnalyzeFormat = 'text' | 'markdown' | 'jira' | 'json' | 'html' | 'csv' | 'summary' | 'parquet';

/** `-o FILE`'s extension → the report format, when --format is not given. */
export const ANALYZE_EXTENSIONS: Readonly<Record<string, AnalyzeFormat>> = { html: 'html', htm: 'html', md: 'markdown', markdown: 'markdown', json: 'json', txt: 'text', csv: 'csv', parquet: 'parquet' };

export interface AnalyzeArgs extends CommonArgs {
  rules?: string[];
  param?: string[];
  disable?: string[];
  limit?: string[];
  /** Unset: from -o's extension (ANALYZE_EXTENSIONS), else text. */
  format?: AnalyzeFormat;
  output?: string;
  'output-dir'?: string;
  color?: 'auto' | 'always' | 'never';
  summary?: boolean;
  'max-findings'?: number;
  'max-chars'?: number;
  'fail-on'?: Severity;
  jobs?: number;
}

/** The inputs and the rules: what `analyze` and `summary` share. */
function ruleOptions<T>(y: Argv<T>) {
  return commonOptions(y)
    .option('rules', repeatable('another folder of rule files (repeatable); a rule with a built-in id replaces it'))
    .option('param', repeatable('override a rule param: id.name=value (repeatable)'))
    .option('disable', repeatable('skip a rule by id (repeatable)'))
    .option('limit', repeatable('a kernel limit for every host: tcp_max_orphans=65536, tcp_mem="a b c" (repeatable)'));
}

/** `sockscope summary`: `analyze --format summary` under its own name. */
export function summaryOptions<T>(y: Argv<T>) {
  return ruleOptions(y)
    .option('output', { alias: 'o', type: 'string', describe: 'write to FILE instead of stdout' })
    .option('fail-on', { choices: ['info', 'warning', 'critical'] as const, describe: 'exit 1 when a finding is at least this severe' })
    .example('$0 summary bundles/', 'one line per host, worst first, with its top finding')
    .example('$0 summary --disable capture-gap sosreports/', 'the same without one rule');
}

export function analyzeOptions<T>(y: Argv<T>) {
  return ruleOptions(y)
    .option('format', { choices: ['text', 'markdown', 'jira', 'json', 'html', 'csv', 'summary', 'parquet'] as const, describe: 'report format (html: one self-contained file with charts; jira: Jira wiki markup; csv: one row per finding; parquet: the csv rows, typed; summary: one line per host, worst first); default: from -o\'s extension (.html .md .json .txt .csv .parquet), else text' })
    .option('summary', { type: 'boolean', describe: 'markdown/jira: counts, hosts and the findings table only, no section per finding' })
    .option('max-findings', { type: 'number', describe: 'markdown/jira: a section for the N worst findings only (the table lists all)' })
    .option('max-chars', { type: 'number', describe: 'markdown/jira: cut to N characters with a line saying what was cut (default: one GitHub comment, 65536; Jira 32767; 0: no limit)' })
    .option('output', { alias: 'o', type: 'string', describe: 'write to FILE instead of stdout' })
    .option('output-dir', { type: 'string', describe: 'write one report per host into DIR (new or empty) and an index linking to them; --format markdown (default), html, json or text' })
    .option('color', { choices: ['auto', 'always', 'never'] as const, default: 'auto' as const, describe: 'colour the text report: auto (a terminal, unless NO_COLOR is set; FORCE_COLOR forces it), always, never' })
    .option('jobs', { alias: 'j', type: 'number', default: 1, describe: 'read the inputs (bundles, logs, folders: each one whole) on N processes at once; the report is the same as with 1' })
    .option('fail-on', { choices: ['info', 'warning', 'critical'] as const, describe: 'exit 1 when a finding is at least this severe' })
    .example('$0 analyze samples/kernel-6.18/unconnected-leak/', 'findings for one capture folder, on the terminal')
    .example('$0 analyze -o ticket.md capture.log', 'a report to paste into a ticket')
    .example('$0 analyze -o report.html sosreport.tar.xz', 'a report with charts to attach to a ticket')
    .example('$0 analyze -j 4 -o fleet.parquet bundles/*', 'the findings of many bundles, read on 4 cores')
    .example('$0 analyze --output-dir reports --format html bundles/', 'one report per host, and reports/index.html')
    .example('$0 analyze --param tcp-orphans-high.min_orphans=200 logs/', 'another threshold for a rule (sockscope rules show ID lists its params)')
    .example('$0 analyze --fail-on warning logs/', 'exit 1 when a finding is a warning or worse (scripts, CI)');
}

