import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expandInputs, isProblem } from '../ingest/sources.js';
import { packing } from '../ingest/decompress.js';
import { emptyStats, type FileRange, type ReadOptions, type RunStats } from '../pipeline.js';
import { csvHeader } from '../report/rows.js';
import { parseFilenameTime } from '../segment/time.js';
import { planPieces, SPLIT_MIN_BYTES } from './split.js';
import type { ToWorker, WorkerDone, WorkerJob } from './worker.js';
import { writeSync } from 'node:fs';


type Unit = { input: string } | { range: FileRange };

/**
 * Export on several cores: each input goes to a worker thread, and a big plain-text
 * log is cut into pieces read by the workers side by side (parallel/split.ts cuts
 * only where the pieces read exactly as the whole). Each unit is a child process
 * writing to the output itself, in input order (parallel/worker.ts). Inputs given separately are read independently, so
 * moments are not merged across them (they are within a directory or archive).
 */
export async function exportParallel(
  inputs: readonly string[],
  opts: ReadOptions,
  format: 'csv' | 'jsonl',
  jobs: number,
  /** The output: a file descriptor the workers write to in turn (a file or a pipe). */
  out: number,
  split: { minBytes?: number; pieceBytes?: number } = {},
): Promise<RunStats> {
  const total = emptyStats();
  const byIdx: RunStats[] = [];
  if (format === 'csv') writeSync(out, csvHeader());
  const o: WorkerJob['opts'] = {};
  if (opts.tz) o.tz = opts.tz;
  if (opts.host) o.host = opts.host;
  if (opts.sinceMs !== undefined) o.sinceMs = opts.sinceMs;
  if (opts.untilMs !== undefined) o.untilMs = opts.untilMs;
  if (opts.archiveLimits) o.archiveLimits = opts.archiveLimits;
  if (opts.fast === false) o.fast = false;

  const units = planUnits(inputs, opts, jobs, split.minBytes ?? SPLIT_MIN_BYTES, split.pieceBytes);
  const script = fileURLToPath(new URL('./worker.js', import.meta.url));
  // Each unit's worker; unit k gets `go` when unit k-1 is written.
  const workers: ChildProcess[] = [];
  const written: Promise<void>[] = [];
  let queued = 0;
  let noMore = false;
  const run = async (): Promise<void> => {
    for (;;) {
      const u = noMore ? undefined : await units.next();
      if (!u || u.done) {
        noMore = true;
        return;
      }
      const idx = queued++;
      const child = fork(script, [], { stdio: ['ignore', out, 'inherit', 'ipc'] });
      workers[idx] = child;
      const before = idx === 0 ? Promise.resolve() : written[idx - 1]!;
      written[idx] = new Promise<void>((resolve, reject) => {
        child.on('message', (m: WorkerDone) => {
          byIdx[idx] = m.stats;
          resolve();
        });
        child.on('error', reject);
        child.on('exit', (code) => {
          if (byIdx[idx] === undefined) reject(new Error(`export worker for ${'input' in u.value ? u.value.input : u.value.range.name} exited (${code}) before it was done`));
        });
      });
      child.send({ job: { format, opts: o, ...u.value } } satisfies ToWorker);
      void before.then(() => child.send({ go: true } satisfies ToWorker), () => undefined);
      await written[idx];
    }
  };
  await Promise.all(Array.from({ length: jobs }, run));
  await Promise.all(written);
  for (const w of workers) if (w.connected) w.disconnect();
  for (const st of byIdx) if (st) merge(total, st); // input order: the summary reads the same as a serial run's
  return total;
}

/** The inputs as units of work: big plain-text files cut into pieces, the rest whole. */
async function* planUnits(inputs: readonly string[], opts: ReadOptions, jobs: number, splitMinBytes: number, pieceBytes?: number): AsyncGenerator<Unit> {
  for (const input of inputs) {
    const range = await splittable(input, opts, splitMinBytes);
    if (!range) {
      yield { input };
      continue;
    }
    // Pieces small enough that a few are in flight at once (memory), large enough to be worth a job.
    const bytes = pieceBytes ?? Math.max(8 << 20, Math.min(64 << 20, Math.ceil(range.size / (jobs * 4))));
    for await (const p of planPieces(range.path, range.size, bytes)) {
      yield { range: { path: range.path, name: range.name, base: range.base, ...p } };
    }
  }
}

/** A plain file on disk, big enough, whose lines carry nothing from its name or bundle. */
async function splittable(input: string, opts: ReadOptions, minBytes: number) {
  if (input === '-') return undefined;
  let found: { path: string; name: string; base: string; size: number } | undefined;
  let count = 0;
  for await (const item of expandInputs([input], opts.tz ? { tz: opts.tz } : {})) {
    count++;
    if (isProblem(item) || count > 1) return undefined;
    const plain = !packing(item.base).archive && !packing(item.base).compression && !/\.json$/i.test(item.base);
    if (!plain || item.size === undefined || item.size < minBytes) return undefined;
    if (item.host !== undefined || item.namespace !== undefined || item.timeNote || item.defaultTime || item.limitSysctl !== undefined) return undefined;
    if (parseFilenameTime(item.base, opts)) return undefined;
    found = { path: input, name: item.name, base: item.base, size: item.size };
  }
  return count === 1 ? found : undefined;
}

function merge(into: RunStats, s: RunStats): void {
  into.files += s.files;
  into.bytes += s.bytes;
  into.lines += s.lines;
  into.outsideLines += s.outsideLines;
  into.blocks += s.blocks;
  into.blocksInSnapshots += s.blocksInSnapshots;
  into.snapshots += s.snapshots;
  into.filtered += s.filtered;
  into.otherHosts += s.otherHosts;
  into.skipped.push(...s.skipped);
  into.inputProblems.push(...s.inputProblems);
}
