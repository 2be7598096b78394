import { expandInputs, type InputFile } from './ingest/sources.js';
import { isProblem, problem, type Problem } from './parse/problem.js';
import { looksLikeSadfJson, segmentSadfJson } from './segment/sadf-json.js';
import { readLines, scanLines } from './ingest/lines.js';
import { FAST_KINDS, FastScanner, fastToBlock, isFastBlock, type FastBlock } from './fast/scanner.js';
import type { ArchiveLimits } from './ingest/archive.js';
import type { Readable } from 'node:stream';
import { readChunks } from './ingest/chunks.js';
import { BlockMerger } from './normalize/merge.js';
import { normalizeBlock } from './normalize/normalize.js';
import { limitsOfSysctlLine } from './normalize/limits.js';
import { MAX_MOMENTS, MomentIndex, type MomentCheck } from './normalize/moments.js';
import { SnapshotRecord } from './normalize/record.js';
import type { Snapshot } from './normalize/types.js';
import { Segmenter, type SegmentOptions } from './segment/segmenter.js';
import { parseFilenameTime, type TimeOptions } from './parse/time.js';
import type { Block, LimitReading } from './segment/types.js';
import { isLimitSysctl, limitValues } from './parse/sysctl.js';
import { LogScanner, type LogEvent, type LogMatcher, type LogTimeContext } from './parse/kernel-log.js';
import { posixTz, posixWallToUtc, wallInZone } from './parse/time.js';

export interface ReadOptions extends TimeOptions {
  /**
   * `--host NAME`: snapshots whose inputs name no host get this name; those
   * that name another host are left out (a filter for multi-host inputs).
   */
  host?: string;
  /** Keep snapshots at or after / before this epoch ms (`--since`, `--until`). */
  sinceMs?: number;
  untilMs?: number;
  stdin?: Readable;
  /** Archive reading limits (member size held in memory, nesting depth...). */
  archiveLimits?: Partial<ArchiveLimits>;
  /** Called after every input file (progress). */
  onFile?(name: string, bytes: number): void;
  /** Called as bytes are read (progress). */
  onBytes?(n: number): void;
  /**
   * false: read every block with the general path (tests compare it with the
   * byte-level path, src/fast/, which is on by default).
   */
  fast?: boolean;
  /** The rules' kernel log patterns: matching lines of kernel logs and of captures become events. */
  logMatcher?: LogMatcher;
}

/** Accounting for a run: blocks = blocksInSnapshots + skipped. */
export interface RunStats {
  files: number;
  bytes: number;
  lines: number;
  /** Lines outside any capture: prompts, separators, socket tables, garbage. */
  outsideLines: number;
  /** Blocks the segmenter found. */
  blocks: number;
  /** Blocks that became (part of) a snapshot. */
  blocksInSnapshots: number;
  snapshots: number;
  /** Snapshots dropped by --since/--until (or without a time when those are given). */
  filtered: number;
  /** Snapshots of other hosts than --host. */
  otherHosts: number;
  /** Snapshots of a (host, moment) already read from another file, with the same values: merged into it. */
  duplicates: number;
  /** Blocks that looked like captures but became no snapshot (severity error). */
  skipped: Problem[];
  /** Inputs that could not be read at all. */
  inputProblems: Problem[];
  /**
   * Inputs named by the caller (the command line) that gave nothing: a problem at their
   * own name and no file read from them (missing, unreadable, binary, ...). The CLI exits 2.
   */
  failedInputs: Problem[];
}

export function emptyStats(): RunStats {
  return {
    files: 0, bytes: 0, lines: 0, outsideLines: 0, blocks: 0, blocksInSnapshots: 0,
    snapshots: 0, filtered: 0, otherHosts: 0, duplicates: 0, skipped: [], inputProblems: [], failedInputs: [],
  };
}

/** Adds the accounting of `s` (a later part of the same run: another input, another piece) to `into`. */
export function mergeStats(into: RunStats, s: RunStats): RunStats {
  into.files += s.files;
  into.bytes += s.bytes;
  into.lines += s.lines;
  into.outsideLines += s.outsideLines;
  into.blocks += s.blocks;
  into.blocksInSnapshots += s.blocksInSnapshots;
  into.snapshots += s.snapshots;
  into.filtered += s.filtered;
  into.otherHosts += s.otherHosts;
  into.duplicates += s.duplicates;
  into.skipped.push(...s.skipped);
  into.inputProblems.push(...s.inputProblems);
  into.failedInputs.push(...s.failedInputs);
  return into;
}

export interface SnapshotSink {
  /**
   * Each snapshot, whichever way it was read. The record is lent for the call: keep
   * `r.snapshot()` to keep the snapshot.
   */
  snapshot(r: SnapshotRecord): void;
  /** Kernel limits found among the inputs (sysctl -a, proc/sys/net/ipv4/*). */
  limit?(l: LimitReading): void;
  /** A kernel log line that matched a rule's pattern, and the host it is of (undefined: unnamed). */
  logEvent?(e: LogEvent, host: string | undefined): void;
  /** A bundle's kernel log was read whole (no matched line there means none). */
  logFile?(file: string, host: string | undefined): void;
  /** Awaited between chunks: lets a writer apply back-pressure. */
  drain?(): void | Promise<void>;
}

/**
 * ingest → segment → normalize, streaming: one chunk and one block are held at
 * a time, whatever the input size. Every block ends as a snapshot or a skip.
 */
export async function readSnapshots(inputs: readonly string[], given: ReadOptions, sink: SnapshotSink): Promise<RunStats> {
  const read = new Set<string>();
  const opts: ReadOptions = {
    ...given,
    onFile: (name, bytes) => {
      read.add(name);
      given.onFile?.(name, bytes);
    },
  };
  const r = reader(opts, sink);
  const { stats, merger } = r;
  const expandOpts = {
    ...(opts.stdin ? { stdin: opts.stdin } : {}),
    ...(opts.tz ? { tz: opts.tz } : {}),
    ...(opts.archiveLimits ? { limits: opts.archiveLimits } : {}),
  };
  for await (const item of expandInputs(inputs, expandOpts)) {
    if (isProblem(item)) {
      stats.inputProblems.push(item);
      continue;
    }
    const host = item.host;
    if (item.limitSysctl !== undefined && isLimitSysctl(item.limitSysctl)) {
      await readLimitFile(item.open(), item.name, item.limitSysctl, host ?? opts.host, sink, stats);
      continue;
    }
    if (item.kernelLog) {
      if (opts.logMatcher && !opts.logMatcher.empty && sink.logEvent) await readKernelLog(item, opts, sink, stats);
      continue;
    }
    if (/\.json$/i.test(item.base)) {
      await readJsonFile(item, host, opts, merger, stats);
      continue;
    }
    // The whole run is this one file: no later file compares with its moments (normalize/moments.ts).
    if (inputs.length === 1 && item.name === inputs[0]) r.moments.last = item.name;
    await r.text(item);
  }
  merger.flush();
  r.finish();
  stats.failedInputs = failedInputs(inputs, stats.inputProblems, read);
  return stats;
}

/** The named inputs with a problem at their own name from which no file was read (the first problem of each). */
function failedInputs(inputs: readonly string[], problems: readonly Problem[], read: ReadonlySet<string>): Problem[] {
  const named = new Set(inputs.flatMap((i) => [i, i.replace(/\/+$/, '')]));
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const p of problems) {
    if (!named.has(p.source) || read.has(p.source) || seen.has(p.source)) continue;
    seen.add(p.source);
    out.push(p);
  }
  return out;
}

/** Reads inputs into `sink`, keeping the run's accounting. */
function reader(opts: ReadOptions, sink: SnapshotSink) {
  const stats = emptyStats();
  /** Every snapshot, from either path: the run's filters, then the sink. `parts`: blocks it stands for. */
  const deliverRecord = (r: SnapshotRecord, parts: number): void => {
    stats.blocksInSnapshots += parts;
    if (opts.host !== undefined) {
      if (r.host === undefined) r.setHost(opts.host);
      else if (r.host !== opts.host) {
        stats.otherHosts++;
        return;
      }
    }
    const ms = r.timeMs;
    if (opts.sinceMs !== undefined || opts.untilMs !== undefined) {
      if (Number.isNaN(ms) || (opts.sinceMs !== undefined && ms < opts.sinceMs) || (opts.untilMs !== undefined && ms > opts.untilMs)) {
        stats.filtered++;
        return;
      }
    }
    if (!Number.isNaN(ms)) {
      const c = moments.check(r.host, r.namespace, ms, r.nums, r.file, r.line, r.diagnostics);
      if (c && repeated(c, r.file, r.source, parts)) return;
    }
    stats.snapshots++;
    sink.snapshot(r);
  };
  /** The general path's record, filled again for each of its snapshots. */
  const record = new SnapshotRecord();
  /** One row per (host, moment): a moment read before from another file is merged (same values) or reported. */
  const moments = new MomentIndex();
  const merged = new Map<string, number>();
  /** Per file: blocks whose timestamp could not be placed in time (said once per file in the summary). */
  const timeErrors = new Map<string, { n: number; first: string }>();
  const added = new Map<string, { n: number; fields: Set<string> }>();
  const repeated = (c: MomentCheck, file: string, source: string, parts: number): boolean => {
    if (!c) return false;
    if ('agree' in c) {
      stats.duplicates++;
      const into = c.agree.slice(0, c.agree.lastIndexOf(':'));
      const k = `${file}\u0000${into}`;
      merged.set(k, (merged.get(k) ?? 0) + 1);
      return true;
    }
    if ('adds' in c) {
      const into = c.first.slice(0, c.first.lastIndexOf(':'));
      const k = `${file}\u0000${into}`;
      const a = added.get(k);
      if (a) {
        a.n++;
        for (const f of c.adds.split(', ')) a.fields.add(f);
      } else added.set(k, { n: 1, fields: new Set(c.adds.split(', ')) });
      return false;
    }
    stats.blocksInSnapshots -= parts; // a skip, not part of a snapshot
    stats.skipped.push({ severity: 'error', source, reason: `the same host and moment as ${c.first}, with other values (${c.conflict}); one row per host and moment: the first is kept` });
    return true;
  };
  const finish = (): void => {
    for (const [file, e] of timeErrors) {
      stats.inputProblems.push({ severity: 'warning', source: file, reason: `${e.n} timestamp(s) ignored, their snapshots have no time: ${e.first}${e.n > 1 ? ' (the first; each snapshot has its own diagnostic)' : ''}` });
    }
    timeErrors.clear();
    for (const [k, n] of merged) {
      const [file, into] = k.split('\u0000') as [string, string];
      stats.inputProblems.push({ severity: 'warning', source: file, reason: `${n} snapshot(s) of moments already read from ${into}, with the same values: merged into those rows` });
    }
    for (const [k, a] of added) {
      const [file, into] = k.split('\u0000') as [string, string];
      stats.inputProblems.push({
        severity: 'warning',
        source: file,
        reason: `${a.n} snapshot(s) of moments already read from ${into} agree with those rows and add ${[...a.fields].join(', ')}: kept as rows of their own (a row is written when it is read)`,
      });
    }
    merged.clear();
    added.clear();
    for (const [file, n] of moments.unindexed) {
      stats.inputProblems.push({ severity: 'warning', source: file, reason: `${n} timed snapshot(s) past the ${MAX_MOMENTS} the moment index holds (memory bound): a later file repeating those moments is not merged into them` });
    }
    moments.unindexed.clear();
  };
  const deliver = (b: Block | FastBlock): void => {
    if (isFastBlock(b)) {
      deliverRecord(b.record, 1);
      return;
    }
    if (b.timeError !== undefined) {
      const e = timeErrors.get(b.file);
      if (e) e.n++;
      else timeErrors.set(b.file, { n: 1, first: b.timeError });
    }
    const r = normalizeBlock(b);
    if ('skip' in r) {
      stats.skipped.push(r.skip);
      return;
    }
    deliverRecord(record.fill(r.snapshot), b.parts);
  };
  const merger = new BlockMerger<FastBlock>(deliver, {
    is: isFastBlock,
    moment: (f) => f.record,
    kinds: FAST_KINDS,
    toBlock: (f) => fastToBlock(f, opts),
  });

  /** A text input: lines → blocks (fast path or Segmenter) → the merger. */
  const text = async (item: InputFile): Promise<void> => {
    const host = item.host;
    const tz = opts.tz ?? item.tz;
    const defaultTime = item.defaultTime ?? parseFilenameTime(item.base, tz ? { tz } : {});
    const segOpts: SegmentOptions = {};
    if (tz) segOpts.tz = tz;
    else {
      if (item.zones) segOpts.zones = item.zones;
      if (item.tzRule !== undefined) segOpts.tzRule = item.tzRule;
    }
    if (host !== undefined) segOpts.host = host;
    if (defaultTime) segOpts.defaultTime = defaultTime;
    if (item.namespace !== undefined) segOpts.namespace = item.namespace;
    segOpts.onProblem = (p) => stats.inputProblems.push(p);
    if (sink.limit) {
      segOpts.onSysctl = (line) => {
        const ls = limitsOfSysctlLine(line);
        if (!ls) return false;
        for (const l of ls) {
          if (l.host === undefined && opts.host !== undefined) l.host = opts.host;
          sink.limit!(l);
        }
        return true;
      };
    }
    const note = item.timeNote;
    // Kernel log lines among the captures (dmesg -T, syslog, journalctl): the year of a syslog line
    // comes from the capture around it.
    const matcher = opts.logMatcher;
    let lastMs = defaultTime && 'ms' in defaultTime ? defaultTime.ms : undefined;
    if (matcher && !matcher.empty && sink.logEvent) {
      const ctx: LogTimeContext = opts.tz ? { wallToUtc: (w) => wallInZone(w, opts.tz!) } : {};
      segOpts.onOther = (raw, no) => {
        if (!matcher.mayMatch(raw)) return;
        if (lastMs !== undefined) ctx.refMs = lastMs;
        for (const e of matcher.match(raw, item.name, no, ctx)) sink.logEvent!(e, seg.currentHost);
      };
    }
    const seg = new Segmenter(item.name, segOpts, (b) => {
      if (note) b.timeNote = note;
      if (b.time) lastMs = b.time.ms;
      merger.push(b);
    });
    // The fast path reads the loop's blocks without strings; not for files whose time is a guess (their blocks carry a note).
    const scanner = new FastScanner(item.name, seg, { ...segOpts, enabled: opts.fast !== false && !note }, (f) => merger.push(f));
    try {
      const res = await scanLines(
        item.open(),
        scanner,
        (n) => {
          opts.onBytes?.(n);
          return sink.drain?.();
        },
      );
      if (res.binary) {
        stats.inputProblems.push({ severity: 'error', source: item.name, reason: res.binaryReason ?? 'binary file; not a text capture' });
        return;
      }
      seg.end();
      for (const n of item.notes ?? []) stats.inputProblems.push({ severity: 'warning', source: item.name, reason: n });
      if (res.nulBytes) stats.inputProblems.push({ severity: 'warning', source: item.name, reason: `${res.nulBytes} NUL byte(s) in ${res.nulRuns} run(s), the first at byte ${res.firstNulAt} (a crash or hard reboot leaves these): passed over, the text around them read` });
      if (res.longLines) stats.inputProblems.push({ severity: 'warning', source: item.name, reason: `${res.longLines} line(s) longer than 1 MiB cut to their first 1 MiB` });
      stats.files++;
      stats.bytes += res.bytes;
      opts.onFile?.(item.name, res.bytes);
    } catch (e) {
      seg.end();
      stats.inputProblems.push({ severity: 'error', source: item.name, reason: `read failed: ${(e as Error).message}` });
    }
    stats.lines += seg.stats.lines;
    stats.outsideLines += seg.stats.outside;
    stats.blocks += seg.stats.blocks;
  };
  return { stats, merger, text, finish, moments };
}

/** JSON inputs: `sadf -j` output is read; other JSON (manifests, notes) is passed over. */
async function readJsonFile(item: InputFile, host: string | undefined, opts: ReadOptions, merger: BlockMerger<FastBlock>, stats: RunStats): Promise<void> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of item.open() as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > MAX_JSON) {
      stats.inputProblems.push({ severity: 'error', source: item.name, reason: `JSON larger than ${MAX_JSON} bytes; not read` });
      return;
    }
    chunks.push(Buffer.from(c));
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!looksLikeSadfJson(text.slice(0, 200))) return;
  const r = segmentSadfJson(text, item.name, { ...(opts.tz ? { tz: opts.tz } : {}), ...(host !== undefined ? { host } : {}) });
  stats.files++;
  stats.bytes += n;
  opts.onFile?.(item.name, n);
  if (r.problem) {
    stats.inputProblems.push(r.problem);
    return;
  }
  for (const b of r.blocks) {
    stats.blocks++;
    merger.push(b);
  }
}

const MAX_JSON = 256 << 20;

/** A kernel log of a bundle: streamed, only lines with a pattern's literal decoded (parse/kernel-log.ts). */
async function readKernelLog(item: InputFile, opts: ReadOptions, sink: SnapshotSink, stats: RunStats): Promise<void> {
  const dt = item.defaultTime;
  const ctx: LogTimeContext = {};
  if (dt && 'ms' in dt) ctx.refMs = dt.ms;
  if (item.kernelLog?.bootMs !== undefined) ctx.bootMs = item.kernelLog.bootMs;
  // dmesg -T and syslog print local wall time with no zone: --tz, else the zone the bundle names,
  // else the bundle's one offset (etc/localtime or date against date --utc with a single offset).
  const tz = opts.tz ?? item.tz;
  const offsets = item.zones ? [...new Set(Object.values(item.zones))] : [];
  const rule = item.tzRule !== undefined ? posixTz(item.tzRule) : undefined;
  if (tz) ctx.wallToUtc = (w) => wallInZone(w, tz);
  else if (rule) ctx.wallToUtc = (w) => posixWallToUtc(rule, w).ms;
  else if (offsets.length === 1) ctx.wallToUtc = (w) => w - offsets[0]! * 60000;
  const host = item.host ?? opts.host;
  const scanner = new LogScanner(opts.logMatcher!, item.name, ctx, (e) => sink.logEvent!(e, host));
  try {
    for await (const c of item.open() as AsyncIterable<Buffer>) {
      scanner.push(c);
      opts.onBytes?.(c.length);
    }
    scanner.end();
    sink.logFile?.(item.name, host);
    stats.files++;
    stats.bytes += scanner.bytes;
    stats.lines += scanner.lines;
    opts.onFile?.(item.name, scanner.bytes);
  } catch (e) {
    stats.inputProblems.push({ severity: 'error', source: item.name, reason: `read failed: ${(e as Error).message}` });
  }
}

/** A `proc/sys/net/ipv4/<name>` file: its one line is the limit's value. */
async function readLimitFile(
  stream: Readable, name: string, sysctl: Parameters<typeof limitValues>[0], host: string | undefined,
  sink: SnapshotSink, stats: RunStats,
): Promise<void> {
  let first: string | undefined;
  const res = await readLines(stream, { line: (t) => { first ??= t; } });
  stats.files++;
  stats.bytes += res.bytes;
  const vals = limitValues(sysctl, first ?? '');
  if (isProblem(vals)) {
    stats.inputProblems.push({ ...vals, source: `${name}:1` });
    return;
  }
  for (const v of vals) {
    const l: LimitReading = { name: v.name, value: v.value, source: `${name}:1` };
    if (host !== undefined) l.host = host;
    sink.limit?.(l);
  }
}

/** Collect every snapshot in memory (tests, analyze). */
export async function collectSnapshots(inputs: readonly string[], opts: ReadOptions = {}): Promise<{ snapshots: Snapshot[]; stats: RunStats }> {
  const snapshots: Snapshot[] = [];
  const stats = await readSnapshots(inputs, opts, { snapshot: (r) => snapshots.push(r.snapshot()) });
  return { snapshots, stats };
}
