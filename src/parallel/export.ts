import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expandInputs, isProblem } from '../ingest/sources.js';
import { packing } from '../ingest/decompress.js';
import { emptyStats, type FileRange, type ReadOptions, type RunStats } from '../pipeline.js';
import { csvHeader } from '../report/rows.js';
import { parseFilenameTime } from '../segment/time.js';
import { planPieces, SPLIT_MIN_BYTES } from './split.js';
import { fdOut, runJob, stdoutOut, TurnOut, type WorkerJob } from './job.js';
import type { ToWorker, WorkerDone } from './worker.js';

type Unit = { input: string } | { range: FileRange };

export interface ParallelOptions {
  /** Cut plain logs of at least this many bytes into pieces (default SPLIT_MIN_BYTES). */
  minBytes?: number;
  pieceBytes?: number;
  /** The worker script (parallel/worker.js): a bundled CLI names its own. */
  workerScript?: string;
}

/**
 * Export on several cores. Each input is a unit of work, and a big plain-text log is cut
 * into pieces (parallel/split.ts cuts only where the pieces read exactly as the whole).
 * This process reads units itself, and `jobs - 1` worker processes (parallel/worker.ts),
 * started at once, read the others; each takes the next unit when done with one. Every
 * unit writes to the output itself, in input order: its rows are held until the units
 * before it are written. Inputs given separately are read independently, so moments are
 * not merged across them (they are within a directory or archive).
 */
export async function exportParallel(
  inputs: readonly string[],
  opts: ReadOptions,
  format: 'csv' | 'jsonl',
  jobs: number,
  /** The output: a file descriptor written by every process in turn (a file or a pipe); 1 is stdout. */
  fd: number,
  more: ParallelOptions = {},
): Promise<RunStats> {
  const o: WorkerJob['opts'] = {};
  if (opts.tz) o.tz = opts.tz;
  if (opts.host) o.host = opts.host;
  if (opts.sinceMs !== undefined) o.sinceMs = opts.sinceMs;
  if (opts.untilMs !== undefined) o.untilMs = opts.untilMs;
  if (opts.archiveLimits) o.archiveLimits = opts.archiveLimits;
  if (opts.fast === false) o.fast = false;

  // Workers start first: their start-up overlaps the planning and this process's first unit.
  const script = more.workerScript ?? fileURLToPath(new URL('./worker.js', import.meta.url));
  const workers = Array.from({ length: Math.max(0, jobs - 1) }, () => new Worker(script, fd));
  const out = fd === 1 ? stdoutOut() : fdOut(fd);
  if (format === 'csv') out.writeNow(Buffer.from(csvHeader()));

  const units = planUnits(inputs, opts, jobs, more.minBytes ?? SPLIT_MIN_BYTES, more.pieceBytes);
  const byIdx: RunStats[] = [];
  // written[k] resolves when unit k's rows have all left their process: unit k+1's turn.
  const written: Promise<void>[] = [];
  let next = 0;
  const take = async (): Promise<{ unit: Unit; idx: number; turn: Promise<void> } | undefined> => {
    const u = await units.next();
    if (u.done) return undefined;
    const idx = next++;
    return { unit: u.value, idx, turn: idx === 0 ? Promise.resolve() : written[idx - 1]! };
  };
  const job = (unit: Unit): WorkerJob => ({ format, opts: o, ...unit });
  const label = (unit: Unit) => ('input' in unit ? unit.input : unit.range.name);

  const here = async (): Promise<void> => {
    for (let t = await take(); t; t = await take()) {
      const { idx, turn } = t;
      const unitOut = new TurnOut(out);
      let wrote!: () => void;
      written[idx] = new Promise<void>((r) => (wrote = r));
      void turn.then(() => unitOut.go());
      byIdx[idx] = await runJob(job(t.unit), unitOut);
      await turn;
      await out.flushed();
      wrote();
    }
  };
  const there = async (w: Worker): Promise<void> => {
    for (let t = await take(); t; t = await take()) {
      const { idx, turn } = t;
      const done = w.run(idx, job(t.unit), label(t.unit));
      written[idx] = done.then(() => undefined);
      void turn.then(() => w.go(idx), () => undefined);
      byIdx[idx] = await done;
    }
  };
  try {
    await Promise.all([here(), ...workers.map(there)]);
  } finally {
    for (const w of workers) w.end();
  }
  const total = emptyStats();
  for (const st of byIdx) if (st) merge(total, st); // input order: the summary reads the same as a serial run's
  return total;
}

/** A worker process taking one job at a time. */
class Worker {
  private readonly child: ChildProcess;
  private pending: { id: number; label: string; resolve: (s: RunStats) => void; reject: (e: Error) => void } | undefined;
  private ended = false;

  constructor(script: string, fd: number) {
    this.child = fork(script, [], { stdio: ['ignore', fd, 'inherit', 'ipc'] });
    this.child.on('message', (m: WorkerDone) => {
      const p = this.pending;
      if (p?.id !== m.id) return;
      this.pending = undefined;
      p.resolve(m.stats);
    });
    const fail = (why: string) => {
      const p = this.pending;
      this.pending = undefined;
      p?.reject(new Error(`export worker for ${p.label} ${why}`));
    };
    this.child.on('error', (e) => fail(`failed: ${e.message}`));
    this.child.on('exit', (code) => fail(`exited (${code}) before it was done`));
  }

  run(id: number, job: WorkerJob, label: string): Promise<RunStats> {
    if (!this.child.connected) return Promise.reject(new Error(`export worker for ${label} is gone`));
    return new Promise<RunStats>((resolve, reject) => {
      this.pending = { id, label, resolve, reject };
      this.child.send({ job, id } satisfies ToWorker);
    });
  }

  go(id: number): void {
    if (this.child.connected) this.child.send({ go: id } satisfies ToWorker);
  }

  /** No more jobs: the worker exits (or is stopped if it never got one). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.child.connected) this.child.disconnect();
  }
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
