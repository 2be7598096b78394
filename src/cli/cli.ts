import yargs from 'yargs';
import { readSnapshots } from '../pipeline.js';
import { attachProgress, commonOptions, printSummary, formatFor, readExitCode, readOptions, repeatable, UsageError, type CommonArgs } from './common.js';
import { checkOutputPath, discardOutputs, openOutput, OutputError, OutputFile, processIo, type CliIo } from './io.js';
import { analyzeOptions, summaryOptions, type AnalyzeArgs } from './analyze-options.js';
import { VERSION } from '../version.js';
import { layoutHelp } from './help.js';
import { closeSync, constants } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { exportWorkers, takePreforked } from './parallel/prefork.js';
import { EXPORT_OPTIONS } from '../options.js';
import { exportRows } from '../export.js';

type ExportArgs = CommonArgs & { format?: string; output?: string; 'row-group-rows'?: number; 'output-dir'?: string; partition?: string[]; jobs: number; 'jobs-min-bytes': number };

async function runExport(given: ExportArgs, io: CliIo): Promise<number> {
  const a = { ...given, format: formatFor(given.format as 'csv' | 'jsonl' | 'parquet' | undefined, given.output, { csv: 'csv', jsonl: 'jsonl', ndjson: 'jsonl', parquet: 'parquet' }, 'csv') };
  checkOutputPath(a.output, a.inputs);
  const opts = readOptions(a, io);
  const format = a.format;
  if (a['output-dir'] !== undefined) return runExportDataset({ ...a, format: given.format }, opts, io);
  if (a.partition?.length) throw new UsageError('--partition needs --output-dir DIR');
  // Several cores: large files each in its own process (parallel/).
  // Workers write to the output themselves: a file, or this process's own stdout (not a test's stream).
  const toFd = (a.output !== undefined && a.output !== '-') || io.stdout === process.stdout;
  const workers = toFd && format !== 'parquet' ? exportWorkers(a.inputs, a.jobs, a['jobs-min-bytes']) : 0;
  if (workers > 0) {
    // The workers write to the output themselves, in turn: stdout, or a file that every
    // process appends to (workers started before it was opened open it themselves).
    // A file is written under a temporary name and renamed at the end (io.ts OutputFile).
    const file = a.output && a.output !== '-' ? new OutputFile(a.output) : undefined;
    const path = file?.writePath;
    const fd = file ? file.open(constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_APPEND) : 1;
    const { exportParallel } = await import('./parallel/export.js');
    // Named from here: in the bundled CLI, the parallel export is a chunk elsewhere.
    const workerScript = fileURLToPath(new URL('../cli/parallel/worker.js', import.meta.url));
    const more = { workerScript, workers: takePreforked(), ...(path ? { outputPath: path } : {}) };
    let stats;
    try {
      stats = await exportParallel(a.inputs, opts, a.format === 'jsonl' ? 'jsonl' : 'csv', workers + 1, fd, more);
    } catch (e) {
      // A write error (a full disk) reaches here from this process or from a worker.
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EIO' || code === 'EDQUOT' || code === 'EFBIG' || /ENOSPC|EIO|EDQUOT|EFBIG/.test((e as Error).message)) {
        throw new OutputError(`cannot write to ${a.output && a.output !== '-' ? a.output : 'stdout'}: ${code ?? (e as Error).message}`);
      }
      throw e;
    } finally {
      if (fd !== 1) closeSync(fd);
    }
    file?.commit();
    printSummary(stats, a.quiet, io);
    return readExitCode(stats);
  }
  // One file or stdout, in this process: CSV, JSON Lines or Parquet (parquet row groups are written as they fill).
  const out = openOutput(a.output, io);
  const progress = await attachProgress(a, opts, io);
  const stats = await exportRows(a.inputs, { ...opts, format, ...(a['row-group-rows'] ? { rowGroupRows: a['row-group-rows'] } : {}) }, { lend: out.writeNow, ready: out.ready });
  await out.close();
  progress.done();
  printSummary(stats, a.quiet, io);
  return readExitCode(stats);
}

/**
 * A Hive-partitioned Parquet dataset: DIR/host=NAME[/date=YYYY-MM-DD]/part-0.parquet, one
 * file per partition (its columns without the partition's), each written row group by row
 * group and appended to as its bytes come. DIR must be new or empty: no old part is mixed in.
 */
async function runExportDataset(a: ExportArgs, opts: ReturnType<typeof readOptions>, io: CliIo): Promise<number> {
  const { parquetWriter, partitionPath } = await import('../report/parquet.js');
  const { appendFileSync, existsSync, mkdirSync, readdirSync } = await import('node:fs');
  const { join } = await import('node:path');
  const dir = a['output-dir']!;
  if (a.output !== undefined) throw new UsageError('give -o FILE or --output-dir DIR, not both');
  if (a.format !== undefined && a.format !== 'parquet') throw new UsageError('--output-dir writes Parquet only');
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new UsageError(`--output-dir ${dir}: not empty (a dataset's readers would mix old parts in)`);
  const by = (a.partition ?? []) as ('host' | 'date')[];
  const omit = by.filter((k) => k === 'host');
  const parts = new Map<string, { w: ReturnType<typeof parquetWriter>; file: string }>();
  const part = (s: import('../normalize/record.js').SnapshotRecord) => {
    const key = partitionPath(s, by);
    let p = parts.get(key);
    if (!p) {
      const sub = join(dir, key);
      mkdirSync(sub, { recursive: true });
      p = { w: parquetWriter({ omit, ...(a['row-group-rows'] ? { rowGroupRows: a['row-group-rows'] } : {}) }), file: join(sub, 'part-0.parquet') };
      appendFileSync(p.file, '', { flag: 'w' });
      parts.set(key, p);
    }
    p.w.snapshot(s);
    if (p.w.pending > 1 << 20) appendFileSync(p.file, p.w.take());
  };
  mkdirSync(dir, { recursive: true });
  const progress = await attachProgress(a, opts, io);
  const stats = await readSnapshots(a.inputs, opts, { snapshot: part });
  for (const p of parts.values()) {
    p.w.finish();
    appendFileSync(p.file, p.w.take());
  }
  progress.done();
  printSummary(stats, a.quiet, io);
  return readExitCode(stats);
}

async function runExplain(a: CommonArgs & { as?: string; output?: string }, io: CliIo): Promise<number> {
  checkOutputPath(a.output, a.inputs);
  const { explainSnapshot } = await import('../report/explain.js');
  const { renderSs } = await import('../report/ss-text.js');
  const opts = readOptions(a, io);
  const out = openOutput(a.output, io);
  let buf = '';
  const notes: string[] = [];
  const progress = await attachProgress(a, opts, io);
  const stats = await readSnapshots(a.inputs, opts, {
    snapshot: (rec) => {
      const s = rec.snapshot();
      if (a.as === 'ss') {
        const r = renderSs(s);
        buf += r.text;
        if (r.assumedZero.length) notes.push(`${s.source}: absent, printed as 0 as ss does: ${r.assumedZero.join(', ')}`);
      } else {
        buf += explainSnapshot(s);
      }
    },
    drain: () => {
      if (buf.length < 1 << 16) return;
      const t = buf;
      buf = '';
      return out.write(t);
    },
  });
  await out.write(buf);
  await out.close();
  progress.done();
  if (!a.quiet) for (const n of notes) io.stderr.write(`sockscope: ${n}\n`);
  printSummary(stats, a.quiet, io);
  return readExitCode(stats);
}

/**
 * Words yargs-parser would not keep as inputs, passed through under names it keeps and
 * mapped back by restoreStdin: a lone "-" (stdin), which it drops from positionals, and every
 * word after "--" (`export -- -file.txt`), which it would not count as an input.
 */
const STDIN_ARG = '\u0000stdin';
const LITERAL = '\u0000arg:';

function protectArgs(argv: readonly string[]): { args: string[]; literals: string[] } {
  const end = argv.indexOf('--');
  const literals = end < 0 ? [] : argv.slice(end + 1);
  const head = end < 0 ? argv : argv.slice(0, end);
  return { args: [...head.map((a) => (a === '-' ? STDIN_ARG : a)), ...literals.map((_, k) => `${LITERAL}${k}`)], literals };
}

let literalArgs: string[] = [];

function restoreStdin<T extends { inputs: string[] }>(a: T): T {
  return { ...a, inputs: a.inputs.map((i) => (i === STDIN_ARG ? '-' : i.startsWith(LITERAL) ? literalArgs[Number(i.slice(LITERAL.length))]! : i)) };
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let code = 0;
  const parser = layoutHelp(yargs())
    .scriptName('sockscope')
    .usage(
      '$0 <command> [options] <inputs..>\n\nOffline analyzer for Linux socket statistics. Inputs: capture logs (date; cat /proc/net/sockstat ' +
        '/proc/net/sockstat6; ss -s, in a loop), per-snapshot files, pasted ss -s output, /proc/net/snmp and netstat, ss -tanp and lsof ' +
        'listings, directories, archives (.tar, .tar.gz, .tar.xz, .zip, .gz, .xz), sosreports, supportconfigs and sar data (sar -n SOCK).',
    )
    .command(
      'export <inputs..>',
      'write one row per (host, moment) as CSV, JSON Lines or Parquet',
      (y) =>
        commonOptions(y)
          .options(EXPORT_OPTIONS)
          .example('$0 export samples/ -o snapshots.csv', 'every capture under samples/ as CSV')
          .example('$0 export -j 2 host1.log host2.log -o all.csv', 'two large logs on two cores')
          .example('$0 export --format jsonl capture.log.gz', 'a gzipped log as JSON Lines')
          .example('$0 export bundles/ -o fleet.parquet', 'typed columns for DuckDB, Spark or pandas')
          .example('$0 export bundles/ --output-dir fleet --partition host', 'a Hive-partitioned dataset, one folder per host')
          .example('cat capture.log | $0 export -', 'read stdin'),
      async (a) => {
        code = await runExport(restoreStdin(a as unknown as ExportArgs), io);
      },
    )
    .command(
      'explain <inputs..>',
      'show each snapshot as ss -s would, with the closed arithmetic worked out',
      (y) =>
        commonOptions(y)
          .option('as', { choices: ['ss'] as const, describe: 'ss: print exactly what iproute2 >= 4.17 "ss -s" prints, nothing else' })
          .option('output', { alias: 'o', type: 'string', describe: 'write to FILE instead of stdout' })
          .example('$0 explain samples/kernel-6.18/unconnected-leak/combined.txt', 'the arithmetic of one capture')
          .example('$0 explain --as ss capture.log', 'rebuild the ss -s output of every snapshot'),
      async (a) => {
        code = await runExplain(restoreStdin(a as unknown as CommonArgs & { as?: string; output?: string }), io);
      },
    )
    .command(
      'analyze <inputs..>',
      'run the rules over every snapshot and host series; write a findings report',
      (y) => analyzeOptions(y),
      async (a) => {
        // The rule engine and reports load only for this command.
        const { runAnalyze } = await import('./analyze-cmd.js');
        code = await runAnalyze(restoreStdin(a as unknown as AnalyzeArgs), io);
      },
    )
    .command(
      'summary <inputs..>',
      'one line per host, worst first, with its top finding (the same as analyze --format summary)',
      (y) => summaryOptions(y),
      async (a) => {
        const { runAnalyze } = await import('./analyze-cmd.js');
        code = await runAnalyze({ ...restoreStdin(a as unknown as AnalyzeArgs), format: 'summary' }, io);
      },
    )
    .command(
      'capture-script',
      'print the capture script to run on the host with the problem (POSIX sh, coreutils, iproute2, optionally lsof)',
      (y) => y.example('$0 capture-script > sockscope-capture.sh', 'then, as root on that host: sh sockscope-capture.sh -i 60'),
      async () => {
        // scripts/ sits two folders above every built file (dist/cli, dist/chunks) and this source.
        io.stdout.write(await readFile(new URL('../../scripts/sockscope-capture.sh', import.meta.url), 'utf8'));
        code = 0;
      },
    )
    .command('rules', 'list, show, check and test rules', (y) =>
      y
        .command(
          'list',
          'id, severity, scope and title of every rule',
          (z) =>
            z
              .option('rules', repeatable('also load rules from this folder (repeatable)'))
              .example('$0 rules list', 'the built-in rules')
              .example('$0 rules list --rules my-rules/', 'with your own'),
          async (a) => {
            code = await (await import('./rules-cmd.js')).rulesList(a.rules as string[] | undefined, io);
          },
        )
        .command(
          'show <id>',
          'one rule: condition, params with defaults, explanation, remediation',
          (z) =>
            z
              .positional('id', { type: 'string', demandOption: true, describe: 'a rule id, as rules list prints it' })
              .option('rules', repeatable('also load rules from this folder (repeatable)'))
              .example('$0 rules show tcp-unhashed-sockets', 'what it checks and what to do'),
          async (a) => {
            code = await (await import('./rules-cmd.js')).rulesShow(a.id as string, a.rules as string[] | undefined, io);
          },
        )
        .command(
          'lint <dir>',
          'check rule files: schema, unknown fields, functions, params; file:line each; exit 2 on any error',
          (z) => z.positional('dir', { type: 'string', demandOption: true, describe: 'a folder of rule files (.yaml)' }).example('$0 rules lint my-rules/', 'check your rule files before using them'),
          async (a) => {
            code = await (await import('./rules-cmd.js')).rulesLint(a.dir as string, io);
          },
        )
        .command(
          'test <dir>',
          'run the rule tests of a rules folder (DIR/tests/<rule id>.yaml) with DIR\'s rules loaded as --rules DIR; exit 1 on a failed case',
          (z) =>
            z
              .positional('dir', { type: 'string', demandOption: true, describe: 'a folder of rule files with their tests in DIR/tests/' })
              .example('$0 rules test my-rules/', 'run the test cases of your own rules'),
          async (a) => {
            code = await (await import('./rules-cmd.js')).rulesTest(a.dir as string, io);
          },
        )
        .demandCommand(1, 'name a rules command: list, show, lint or test')
        .example('$0 rules list', 'id, severity, scope and title of every rule')
        .example('$0 rules show tcp-close-wait', 'one rule in full'),
    )
    .demandCommand(1, 'name a command: analyze, summary, export, explain, rules or capture-script')
    .example('$0 analyze capture.log', 'findings on the terminal')
    .example('$0 analyze -o ticket.md sosreport-web1.tar.xz', 'a markdown report to paste into a ticket')
    .example('$0 summary bundles/', 'one line per host, worst first, with its top finding')
    .example('$0 export capture.log -o snapshots.csv', 'one row per (host, moment)')
    .example('$0 capture-script > sockscope-capture.sh', 'the capture loop to run on the host with the problem')
    .epilogue(
      'Exit codes: 0 done; 1 a finding at or above --fail-on; 2 usage error, broken rule file, no usable input, or an input ' +
        'named on the command line that could not be read (said on stderr and at the top of the report, after writing what could be read).',
    )
    .completion('completion', 'print a bash/zsh completion script: sockscope completion >> ~/.bashrc')
    .recommendCommands()
    .strict()
    .help()
    .alias('h', 'help')
    .option('debug', { type: 'boolean', default: false, describe: 'show stack traces of unexpected errors' })
    .version(VERSION)
    .wrap(io.helpWidth !== undefined ? io.helpWidth : Math.min(110, io.stdout.columns || 110))
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(`${msg}\nRun with --help for usage.`);
    });
  // yargs formats a command's whole help each time the command runs, in case it is shown
  // later; our .fail() never shows it. Skip that work (a good part of start-up:
  // bench/RESULTS.md) unless help is asked for, as Angular CLI does (angular/angular-cli#34087).
  if (!argv.includes('--help') && !argv.includes('-h')) {
    const usage = (parser as unknown as { getInternalMethods(): { getUsageInstance(): { cacheHelpMessage(): void } } }).getInternalMethods().getUsageInstance();
    usage.cacheHelpMessage = () => undefined;
  }
  try {
    // yargs-parser drops a lone "-" from positionals: pass stdin through under a name it keeps.
    // With a callback, yargs hands over what it would print (help, version) instead of printing it.
    let shown = '';
    const { args, literals } = protectArgs(argv);
    literalArgs = literals;
    await parser.parseAsync(args, {}, (_err, _argv, output) => {
      shown = output;
    });
    if (shown) io.stdout.write(`${shown}\n`);
  } catch (e) {
    if (e instanceof UsageError || e instanceof OutputError) {
      io.stderr.write(`sockscope: ${e.message}\n`);
      return 2;
    }
    // Input problems are reported as such elsewhere; this is a bug or an environment failure.
    const debug = argv.includes('--debug');
    io.stderr.write(`sockscope: ${debug ? ((e as Error).stack ?? String(e)) : `${(e as Error).message ?? String(e)} (run with --debug for details)`}\n`);
    return 2;
  } finally {
    // An output not renamed into place (an error) is removed: an old file keeps its bytes.
    discardOutputs();
    // Workers started for an export that did not use them (prefork guessed wrong, or an error).
    for (const c of takePreforked()) c.disconnect();
  }
  return code;
}
