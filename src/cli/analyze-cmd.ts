import type { Argv } from 'yargs';
import { fileURLToPath } from 'node:url';
import { analyzeWithSeries, parseLimitArgs, RuleSetError, type AnalyzeOptions } from '../analyze.js';
import { renderHtml } from '../report/html-report.js';
import type { HostSeries } from '../series/series.js';
import { fleet, renderJira, renderJson, renderMarkdown, renderText, type TicketOptions } from '../report/findings.js';
import { hostFileName, hostReport, renderIndex, type IndexFormat } from '../report/per-host.js';
import type { AnalysisReport } from '../analyze.js';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderFindingsCsv, renderSummary } from '../report/fleet.js';
import { oneLine } from '../report/safe-text.js';
import { SEVERITY_RANK } from '../rules/schema.js';
import type { AnalyzeArgs } from './analyze-options.js';
import { attachProgress, formatFor, printFailed, readOptions, UsageError } from './common.js';
import { ANALYZE_EXTENSIONS } from './analyze-options.js';
import { checkOutputPath, openOutput, type CliIo } from './io.js';

export type { AnalyzeArgs } from './analyze-options.js';

function splitKv(list: string[] | undefined, flag: string): [string, string][] {
  return (list ?? []).map((s) => {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new UsageError(`--${flag} ${s}: expected name=value`);
    return [s.slice(0, eq), s.slice(eq + 1)];
  });
}

export function analyzeArgsToOptions(a: AnalyzeArgs, io: CliIo): AnalyzeOptions {
  const opts: AnalyzeOptions = { ...readOptions(a, io) };
  if (a.rules?.length) opts.rulesDirs = a.rules;
  if (a.disable?.length) opts.disable = a.disable;
  // Null-prototype maps: `--param __proto__.x=1` is a name like any other (then no such rule), never Object.prototype.
  const params: Record<string, Record<string, number>> = Object.create(null) as Record<string, Record<string, number>>;
  for (const [k, v] of splitKv(a.param, 'param')) {
    const dot = k.lastIndexOf('.');
    if (dot <= 0 || !/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(v.trim())) throw new UsageError(`--param ${k}=${v}: expected id.name=number`);
    const id = k.slice(0, dot);
    (Object.hasOwn(params, id) ? params[id]! : (params[id] = Object.create(null) as Record<string, number>))[k.slice(dot + 1)] = Number(v);
  }
  if (Object.keys(params).length) opts.params = params;
  const lim = parseLimitArgs(Object.fromEntries(splitKv(a.limit, 'limit')));
  if (lim.errors.length) throw new UsageError(lim.errors.join('\n'));
  if (Object.keys(lim.limits).length) opts.limits = lim.limits;
  return opts;
}

/** --summary, --max-findings, --max-chars, and the command to name in a cut report's last line. */
function ticketOptions(a: AnalyzeArgs): TicketOptions {
  const o: TicketOptions = {};
  if (a.summary) o.summary = true;
  for (const k of ['max-findings', 'max-chars'] as const) {
    const v = a[k];
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new UsageError(`--${k} ${v}: expected a whole number, 0 or more`);
  }
  if (a['max-findings'] !== undefined) o.maxFindings = a['max-findings'];
  if (a['max-chars'] !== undefined) o.maxChars = a['max-chars'];
  const q = (x: string) => (/^[\w@%+=:,./-]+$/.test(x) ? x : `'${x.replace(/'/g, `'\\''`)}'`);
  o.command = `sockscope analyze --format ${a.format} ${a.inputs.map(q).join(' ')}`;
  return o;
}

export async function runAnalyze(given: AnalyzeArgs, io: CliIo): Promise<number> {
  const dir = given['output-dir'];
  const a = { ...given, format: dir !== undefined ? (given.format ?? 'markdown') : formatFor(given.format, given.output, ANALYZE_EXTENSIONS, 'text') };
  if (dir !== undefined) checkOutputDir(dir, a);
  checkOutputPath(a.output, a.inputs);
  const opts = analyzeArgsToOptions(a, io);
  let report;
  let series: HostSeries[] = [];
  if (a.jobs !== undefined && (!Number.isInteger(a.jobs) || a.jobs < 1)) throw new UsageError(`-j ${a.jobs}: expected a whole number, 1 or more`);
  if ((a.jobs ?? 1) > 1 && a.inputs.length > 1) {
    // Each input read whole by one of N worker processes (parallel/analyze.ts); named from here as bundled.
    const { parallelReader } = await import('./parallel/analyze.js');
    const workerScript = fileURLToPath(new URL('../cli/parallel/analyze-worker.js', import.meta.url));
    opts.read = parallelReader({ jobs: a.jobs!, workerScript, rules: { ...(opts.rulesDirs ? { rulesDirs: opts.rulesDirs } : {}), ...(opts.disable ? { disable: opts.disable } : {}), ...(opts.params ? { params: opts.params } : {}) } });
  }
  const progress = await attachProgress(a, opts, io);
  // The HTML report lists the files read (the progress line, if any, still sees each one).
  const files: { name: string; bytes: number }[] = [];
  if (a.format === 'html') {
    const onFile = opts.onFile;
    opts.onFile = (name, bytes) => {
      files.push({ name, bytes });
      onFile?.(name, bytes);
    };
  }
  try {
    ({ report, series } = await analyzeWithSeries(a.inputs, opts));
  } catch (e) {
    if (e instanceof RuleSetError) throw new UsageError(e.message);
    throw e;
  } finally {
    progress.done();
  }
  // The exit code is known before the report is written: a reader that stops early (| head) does not change it.
  const failOn = a['fail-on'];
  const code =
    report.inputs.snapshots === 0 || report.inputs.failed.length ? 2
    : failOn && report.findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn]) ? 1
    : 0;
  io.settle?.(code);
  if (dir !== undefined) {
    writeHostReports(dir, a, report, series, files);
    printRun(a, report, io);
    return code;
  }
  const out = openOutput(a.output, io);
  // --color, else the conventions: FORCE_COLOR (not 0) forces it, NO_COLOR turns it off, else a terminal on stdout.
  const force = io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '0' && io.env.FORCE_COLOR !== 'false';
  const color =
    a.color === 'always' ? true
    : a.color === 'never' ? false
    : force ? true
    : !io.env.NO_COLOR && !a.output && io.stdout.isTTY === true;
  const text =
    a.format === 'json' ? renderJson(report)
    : a.format === 'markdown' ? renderMarkdown(report, ticketOptions(a))
    : a.format === 'jira' ? renderJira(report, ticketOptions(a))
    : a.format === 'csv' ? renderFindingsCsv(report)
    : a.format === 'parquet' ? (await import('../report/findings-parquet.js')).renderFindingsParquet(report)
    : a.format === 'summary' ? renderSummary(report)
    : a.format === 'html' ? renderHtml(report, series, { files })
    : renderText(report, color);
  await out.write(text);
  await out.close();
  printRun(a, report, io);
  return code;
}

/** Input problems, notices and the run's accounting on stderr (inputs that failed even with --quiet). */
function printRun(a: AnalyzeArgs & { format: string }, report: AnalysisReport, io: CliIo): void {
  if (a.quiet) printFailed(report.inputs.failed, io);
  else {
    for (const p of report.inputs.problems) io.stderr.write(`sockscope: ${oneLine(p.source)}: ${oneLine(p.reason)}\n`);
    for (const n of report.notices) io.stderr.write(`sockscope: ${oneLine(n)}\n`);
    if (a.format !== 'text' || a.output) {
      const i = report.inputs;
      io.stderr.write(`sockscope: ${i.files} file(s), ${i.blocks} block(s) → ${i.snapshots} snapshot(s), ${i.skipped.length} skipped; ${report.findings.length} finding(s)\n`);
    }
  }
}

const DIR_FORMATS: Readonly<Record<string, { ext: string; index: IndexFormat }>> = {
  markdown: { ext: 'md', index: 'markdown' },
  html: { ext: 'html', index: 'html' },
  json: { ext: 'json', index: 'json' },
  text: { ext: 'txt', index: 'text' },
};

/** --output-dir: a format it writes, no -o, and a new or empty folder (no old report is mixed in). */
function checkOutputDir(dir: string, a: AnalyzeArgs & { format: string }): void {
  if (a.output !== undefined) throw new UsageError('give -o FILE or --output-dir DIR, not both');
  if (!Object.hasOwn(DIR_FORMATS, a.format)) throw new UsageError(`--output-dir writes markdown, html, json or text reports, not ${a.format}`);
  if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) throw new UsageError(`--output-dir ${dir}: not an empty folder`);
}

/** One report per host, worst first, and DIR/index.EXT linking to them. */
function writeHostReports(dir: string, a: AnalyzeArgs & { format: string }, report: AnalysisReport, series: HostSeries[], files: { name: string; bytes: number }[]): void {
  const { ext, index } = DIR_FORMATS[a.format]!;
  mkdirSync(dir, { recursive: true });
  const hosts = fleet(report);
  const names = new Map<string, string>();
  hosts.forEach((h, k) => {
    const name = hostFileName(k + 1, hosts.length, h.series, ext);
    names.set(h.series, name);
    const r = hostReport(report, h.series);
    const text =
      a.format === 'html' ? renderHtml(r, series.filter((s) => s.label === h.series), { files })
      : a.format === 'json' ? renderJson(r)
      : a.format === 'markdown' ? renderMarkdown(r, ticketOptions(a))
      : renderText(r, false);
    writeFileSync(join(dir, name), text);
  });
  writeFileSync(join(dir, `index.${ext}`), renderIndex(report, names, index));
}
