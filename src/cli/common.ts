import { isProblem, type Problem } from '../parse/problem.js';
import type { Argv } from 'yargs';
import type { ReadOptions, RunStats } from '../pipeline.js';
import { inputBytes } from '../ingest/sources.js';
import { Progress } from './progress.js';
import { checkZone, parseTimestampLine } from '../parse/time.js';
import type { CliIo } from './io.js';
import { oneLine } from '../report/safe-text.js';
import { READ_OPTIONS } from '../options.js';

export interface CommonArgs {
  inputs: string[];
  host?: string;
  since?: string;
  until?: string;
  tz?: string;
  quiet?: boolean;
  progress?: boolean;
}

export function commonOptions<T>(y: Argv<T>) {
  return y
    .positional('inputs', { type: 'string', array: true, demandOption: true, describe: 'capture logs and files, directories (walked), archives (.tar, .tar.gz, .tar.xz, .zip, .gz, .xz), sosreports, supportconfigs, sar files, or - for stdin' })
    .options(READ_OPTIONS);
}

export class UsageError extends Error {}

/**
 * An option given once or more, each use with exactly one value (`--disable a --disable=b`).
 * Not yargs' `array: true`, which takes every word after it, inputs included.
 */
export function repeatable(describe: string) {
  return { type: 'string' as const, requiresArg: true, describe, coerce: (v: string | string[]): string[] => [v].flat() };
}

function parseTimeArg(name: string, text: string | undefined, tz: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = parseTimestampLine(text, tz ? { tz } : {});
  if (!t || isProblem(t)) throw new UsageError(`--${name}: cannot read ${JSON.stringify(text)} as a time${t ? `: ${t.reason}` : ''}`);
  return t.ms;
}

/** A progress line on stderr when it is a terminal (not with --quiet or --no-progress). */
export async function attachProgress(a: CommonArgs, opts: ReadOptions, io: CliIo): Promise<{ done(): void }> {
  if (!Progress.enabled(io.stderr, a.quiet, a.progress)) return { done() {} };
  const p = new Progress(io.stderr, await inputBytes(a.inputs));
  opts.onBytes = (n) => p.addBytes(n);
  opts.onFile = () => p.fileDone();
  return { done: () => p.done() };
}

export function readOptions(a: CommonArgs, io: CliIo): ReadOptions {
  if (a.tz) {
    const bad = checkZone(a.tz);
    if (bad) throw new UsageError(`--tz: ${bad}`);
  }
  const o: ReadOptions = { stdin: io.stdin };
  if (a.tz) o.tz = a.tz;
  if (a.host) o.host = a.host;
  const since = parseTimeArg('since', a.since, a.tz);
  const until = parseTimeArg('until', a.until, a.tz);
  if (since !== undefined && until !== undefined && since > until) throw new UsageError(`--since ${a.since} is later than --until ${a.until}: nothing could be kept`);
  if (since !== undefined) o.sinceMs = since;
  if (until !== undefined) o.untilMs = until;
  return o;
}

/** The run's accounting on stderr: nothing read is left unmentioned. */
export function printSummary(stats: RunStats, quiet: boolean | undefined, io: CliIo): void {
  const e = io.stderr;
  if (quiet) {
    printFailed(stats.failedInputs, io);
    return;
  }
  for (const p of stats.inputProblems) e.write(`sockscope: ${oneLine(p.source)}: ${oneLine(p.reason)}\n`);
  for (const s of stats.skipped) e.write(`sockscope: skipped ${s.source}: ${s.reason}\n`);
  e.write(
    `sockscope: ${stats.files} file(s), ${stats.bytes} bytes, ${stats.blocks} block(s) → ${stats.snapshots} snapshot(s)` +
      ` (${stats.blocksInSnapshots} block(s) merged into snapshots), ${stats.skipped.length} skipped` +
      (stats.filtered ? `, ${stats.filtered} outside --since/--until` : '') +
      (stats.otherHosts ? `, ${stats.otherHosts} of other hosts than --host` : '') +
      `; ${stats.outsideLines} line(s) outside any capture\n`,
  );
}

/** Inputs named on the command line that gave nothing: said on stderr even with --quiet, as cat and grep do. */
export function printFailed(failed: readonly Problem[], io: CliIo): void {
  for (const p of failed) io.stderr.write(`sockscope: ${oneLine(p.source)}: ${oneLine(p.reason)}\n`);
}

/** 2 when nothing could be used or a named input failed (after writing what could be read), else 0. */
export function readExitCode(stats: Pick<RunStats, 'snapshots' | 'failedInputs'>): number {
  return stats.snapshots === 0 || stats.failedInputs.length > 0 ? 2 : 0;
}

/**
 * The format: `--format` when given, else from `-o`'s extension (case-insensitive), else the
 * command's default (stdout, or an extension it does not know).
 */
export function formatFor<T extends string>(given: T | undefined, output: string | undefined, byExt: Readonly<Record<string, T>>, fallback: T): T {
  if (given) return given;
  const ext = output && output !== '-' ? /\.([a-z0-9]+)$/i.exec(output)?.[1]?.toLowerCase() : undefined;
  return (ext !== undefined && Object.hasOwn(byExt, ext) ? byExt[ext] : undefined) ?? fallback;
}
