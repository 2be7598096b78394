import { isProblem, type Problem } from './parse/problem.js';
import { BUILTIN_RULES_DIR, readRuleFiles } from './ingest/rule-files.js';
import { isLimitSysctl, LIMIT_NAMES, limitValues } from './parse/sysctl.js';
import { SnapshotRecord } from './normalize/record.js';
import { readSnapshots, type ReadOptions, type RunStats } from './pipeline.js';
import { emptyLimitBook, runRules, type Finding, type LimitBook, type NotEvaluated } from './rules/engine.js';
import { buildRuleSet, type RuleSet, type RuleSetOptions } from './rules/ruleset.js';
import { countersRead } from './rules/names.js';
import { LogBook } from './rules/logs.js';
import { isoFromMs } from './parse/time.js';
import { seriesKey } from './series/series.js';

/** The series key of a host as a whole (a kernel log is the host's, whatever namespace). */
const hostKey = (host: string | undefined, file: string): string => seriesKey({ source: `${file}:1`, ...(host !== undefined ? { host } : {}) });
import { limitKey, SeriesBuilder, type HostSeries } from './series/series.js';
import { inputBytes } from './ingest/sources.js';
import { VERSION } from './version.js';
import { hostSparklines } from './report/sparkline.js';
import type { AnalysisReport, HostSummary } from './report/model.js';

export interface AnalyzeOptions extends ReadOptions, RuleSetOptions {
  /** `--rules DIR`, repeatable. */
  rulesDirs?: string[];
  /** `--limit name=value`: holds for every host, over what the inputs say. */
  limits?: Record<string, number>;
  /** How the inputs are read: readSnapshots, or the same on several processes (`analyze -j`, parallel/analyze.ts). */
  read?: typeof readSnapshots;
  /** Rows all series keep together (default MAX_SERIES_ROWS); past it each keeps one snapshot in 2, 4, ... */
  maxSeriesRows?: number;
}

export type { AnalysisReport, HostSummary } from './report/model.js';

export class RuleSetError extends Error {
  constructor(readonly errors: string[]) {
    super(errors.join('\n'));
  }
}

/** Built-ins plus `--rules` dirs, with `--disable` and `--param` applied. */
export async function loadRules(opts: Pick<AnalyzeOptions, 'rulesDirs' | 'disable' | 'params'> = {}): Promise<RuleSet> {
  const builtin = await readRuleFiles(BUILTIN_RULES_DIR);
  const custom = await Promise.all((opts.rulesDirs ?? []).map((d) => readRuleFiles(d)));
  const o: RuleSetOptions = {};
  if (opts.disable) o.disable = opts.disable;
  if (opts.params) o.params = opts.params;
  return buildRuleSet(builtin, custom, o);
}

/** `--limit` values: `tcp_mem="a b c"` style or one part (`tcp_mem_pressure=N`). */
export function parseLimitArgs(args: Record<string, string>): { limits: Record<string, number>; errors: string[] } {
  const limits: Record<string, number> = {};
  const errors: string[] = [];
  for (const [k, v] of Object.entries(args)) {
    if (isLimitSysctl(k)) {
      const vals = limitValues(k, v);
      if (isProblem(vals)) errors.push(`--limit ${vals.reason}`);
      else for (const x of vals) limits[x.name] = x.value;
    } else if ((LIMIT_NAMES as readonly string[]).includes(k) && /^\d+$/.test(v.trim())) {
      limits[k] = Number(v);
    } else {
      errors.push(`--limit ${k}=${v}: unknown limit or not a number (known: ${LIMIT_NAMES.join(', ')}, tcp_mem, udp_mem, ip_local_port_range)`);
    }
  }
  return { limits, errors };
}

/** ingest → … → rules: every snapshot of the inputs, grouped per host, every rule run. */
export async function analyze(inputs: readonly string[], opts: AnalyzeOptions = {}): Promise<AnalysisReport> {
  return (await analyzeWithSeries(inputs, opts)).report;
}

/** As analyze, and the per-host series the report was made from (for charts). */
export async function analyzeWithSeries(
  inputs: readonly string[],
  opts: AnalyzeOptions = {},
): Promise<{ report: AnalysisReport; series: HostSeries[] }> {
  const ruleSet = await loadRules(opts);
  if (ruleSet.errors.length) throw new RuleSetError(ruleSet.errors);
  // Snapshots go straight into per-host columns: no object per snapshot is kept.
  // Sized from the inputs (about 400 bytes per snapshot or more), so columns are not copied as they grow.
  const bytes = await inputBytes(inputs).catch(() => undefined);
  // Protocol counters are many (~350 per snapshot): only those a rule reads are kept.
  const keep = countersRead(ruleSet.rules.flatMap((r) => r.reads));
  const builder = new SeriesBuilder(bytes !== undefined ? Math.ceil(bytes / 400) : undefined, keep, opts.maxSeriesRows);
  const book: LimitBook = emptyLimitBook();
  // Kernel log lines the rules' patterns match, per host (or directory) like the series.
  const logs = new LogBook(ruleSet.rules);
  const stats = await (opts.read ?? readSnapshots)(inputs, { ...opts, logMatcher: logs.matcher }, {
    logEvent: (e, host) => logs.add(hostKey(host, e.file), e),
    logFile: (file, host) => logs.cover(hostKey(host, file)),
    snapshot: (r) => builder.add(r),
    limit: (l) => {
      const k = limitKey(l.host, l.source);
      let m = book.byKey.get(k);
      if (!m) book.byKey.set(k, (m = new Map()));
      m.set(l.name, { value: l.value, source: l.source });
    },
  });
  for (const [name, value] of Object.entries(opts.limits ?? {})) {
    book.global.set(name, { value, source: '--limit' });
    for (const m of book.byKey.values()) m.delete(name);
  }
  // A host known only from its kernel log (a loose kern.log, a bundle without captures) gets one
  // empty row at its last matched line, so that the rules reading the log judge it.
  for (const [key, last] of logs.lastEvents()) {
    if (builder.has(key)) continue;
    builder.add(SnapshotRecord.of({
      source: `${last.file}:${last.line}`, sources: [], formats: ['kernel-log'], values: {}, otherKeys: {}, diagnostics: [],
      ...(key.startsWith('host:') ? { host: key.slice(5) } : {}),
      ...(last.ms !== undefined ? { timeMs: last.ms, time: isoFromMs(last.ms) } : {}),
    }));
  }
  const series = builder.build();
  const { findings, notEvaluated, problems, notices } = runRules(ruleSet.rules, series, book, logs);
  stats.inputProblems.push(...problems);
  const report = buildReport(stats, series, ruleSet, book, findings, notEvaluated);
  report.notices.push(...builder.notices, ...notices);
  return { report, series };
}

function buildReport(
  stats: RunStats, series: HostSeries[], ruleSet: RuleSet, book: LimitBook, findings: Finding[], notEvaluated: NotEvaluated[],
): AnalysisReport {
  const hosts: HostSummary[] = series.map((s) => {
    // The first and last snapshots with a time (those without sort last).
    let first = 0;
    while (first < s.length && s.timeMs(first) === undefined) first++;
    let last = s.length - 1;
    while (last >= first && s.timeMs(last) === undefined) last--;
    return {
      host: s.host ?? null,
      series: s.label,
      first: first < s.length ? s.time(first)! : null,
      last: last >= first && first < s.length ? s.time(last)! : null,
      snapshots: s.length,
      sparklines: hostSparklines(s),
    };
  });
  const labelOf = new Map(series.map((s) => [s.key, s.label]));
  const limits: AnalysisReport['limits'] = [];
  for (const [key, m] of [...book.byKey].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    for (const [name, e] of m) limits.push({ series: labelOf.get(key) ?? key.replace(/^(host|dir):/, ''), name, value: e.value, source: e.source });
  }
  for (const [name, e] of book.global) limits.push({ series: '*', name, value: e.value, source: e.source });
  return {
    tool: { name: 'sockscope', version: VERSION },
    inputs: {
      files: stats.files,
      bytes: stats.bytes,
      blocks: stats.blocks,
      blocks_in_snapshots: stats.blocksInSnapshots,
      snapshots: stats.snapshots,
      skipped: stats.skipped.map(asWritten),
      problems: stats.inputProblems.map(asWritten),
      failed: stats.failedInputs.map(asWritten),
      outside_lines: stats.outsideLines,
    },
    hosts,
    rules: ruleSet.rules.map((r) => r.id),
    limits,
    findings,
    not_evaluated: notEvaluated,
    notices: [...ruleSet.notices],
  };
}

/** A problem as the report writes it: source, reason, severity, in that order. */
const asWritten = (p: Problem): Problem => ({ source: p.source, reason: p.reason, severity: p.severity });

