import { fork, type ChildProcess } from 'node:child_process';
import { emptyStats, mergeStats, type ReadOptions, type RunStats } from '../../pipeline.js';
import { csvHeader } from '../../report/rows.js';
import { fdOut, HoldBudget, runJob, stdoutOut, TurnOut, unitOptions, type WorkerJob } from './job.js';
import type { FromWorker, ToWorker } from './worker.js';

/** A unit of work: one input, read whole by one process. */
type Unit = { input: string };

export interface ParallelOptions {
  /** The worker script (dist/cli/parallel/worker.js), named by the caller: a bundle's modules are not where tsc puts them. */
  workerScript: string;
  /** Workers already started (parallel/prefork.ts), their stdout this process's: used instead of new ones. */
  workers?: ChildProcess[];
  /**
   * The output file, opened for appending by workers that did not get `fd` as their
   * stdout (started before it was opened); `fd` must then append too (O_APPEND), so that
   * every process writes, in turn, at the file's end.
   */
  outputPath?: string;
}

/**
 * Export on several cores. Each input is a unit of work, read whole by one process.
 * This process reads units itself, and `jobs - 1` worker processes (parallel/worker.ts),
 * started at once (or already, by parallel/prefork.ts), read the others; each takes the
 * next unit as soon as it has read one. Every unit writes to the output itself, in input
 * order: its rows are held until the units before it are written (within a budget per
 * process, parallel/job.ts). Inputs given separately are read independently, so moments are
 * not merged across them (they are within a directory or archive).
 */
export async function exportParallel(
  inputs: readonly string[],
  opts: ReadOptions,
  format: 'csv' | 'jsonl',
  jobs: number,
  /** The output: a file descriptor written by every process in turn (a file or a pipe); 1 is stdout. */
  fd: number,
  more: ParallelOptions,
): Promise<RunStats> {
  const o = unitOptions(opts);

  // Workers start first: their start-up overlaps the planning and this process's first unit.
  const want = Math.max(0, jobs - 1);
  const given = more.workers ?? [];
  for (const c of given.slice(want)) c.disconnect();
  let workers: Worker[];
  if (given.length) {
    if (fd !== 1 && more.outputPath === undefined) throw new Error('started workers write to stdout or to outputPath');
    workers = given.slice(0, want).map((c) => new Worker(c, more.outputPath));
  } else {
    const script = more.workerScript;
    workers = Array.from({ length: want }, () => new Worker(fork(script, [], { stdio: ['ignore', fd, 'inherit', 'ipc'] })));
  }
  try {
    return await exportWith(workers, inputs, format, fd, o);
  } finally {
    // Every way out, a write error (a full disk) included, ends the workers.
    for (const w of workers) w.end();
  }
}

/** The inputs as units, taken in turn by this process and the workers; rows written in input order. */
async function exportWith(workers: Worker[], inputs: readonly string[], format: 'csv' | 'jsonl', fd: number, o: WorkerJob['opts']): Promise<RunStats> {
  const out = fd === 1 ? stdoutOut() : fdOut(fd);
  if (format === 'csv') out.writeNow(Buffer.from(csvHeader()));

  const units: Unit[] = inputs.map((input) => ({ input }));
  const byIdx: RunStats[] = [];
  // written[k] resolves when unit k's rows have all left their process: unit k+1's turn.
  // Made when the unit is taken, so the next unit's turn is there whoever takes it.
  const written: Promise<void>[] = [];
  let next = 0;
  const take = (): { unit: Unit; idx: number; turn: Promise<void>; wrote: (p: Promise<unknown>) => void } | undefined => {
    if (next >= units.length) return undefined;
    const idx = next++;
    const w = deferred<unknown>();
    written[idx] = w.promise.then(() => undefined);
    written[idx]!.catch(() => undefined); // a failure is thrown by the reader's own await
    return { unit: units[idx]!, idx, turn: idx === 0 ? Promise.resolve() : written[idx - 1]!, wrote: w.resolve };
  };
  const job = (unit: Unit): WorkerJob => ({ format, opts: o, ...unit });
  const label = (unit: Unit) => unit.input;

  // This process's units share one hold budget: it takes its next unit as soon as it has
  // read one, holding rows whose turn has not come, so a faster core is not kept in step
  // with a slower one (on a VM the two cores can differ by far).
  const budget = new HoldBudget();
  const here = async (): Promise<void> => {
    for (let t = take(); t; t = take()) {
      const { idx, turn } = t;
      const unitOut = new TurnOut(out, budget);
      void turn.then(() => unitOut.go(), () => undefined);
      const read = runJob(job(t.unit), unitOut);
      t.wrote(Promise.all([turn, read]).then(() => out.flushed()));
      byIdx[idx] = await read;
    }
  };
  const there = async (w: Worker): Promise<void> => {
    for (let t = take(); t; t = take()) {
      const { idx, turn } = t;
      const { read, done } = w.run(idx, job(t.unit), label(t.unit));
      t.wrote(done.then((st) => void (byIdx[idx] = st)));
      void turn.then(() => w.go(idx), () => undefined);
      await read;
    }
  };
  await Promise.all([here(), ...workers.map(there)]);
  await Promise.all(written); // the last units' rows, written in their turn
  const total = emptyStats();
  for (const st of byIdx) if (st) mergeStats(total, st); // input order: the summary reads the same as a serial run's
  return total;
}

/** A worker process reading one job at a time; jobs read but not yet in their turn wait there. */
class Worker {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { label: string; read: Deferred<void>; done: Deferred<RunStats> }>();
  private ended = false;

  /** `output`: a file the worker opens for appending; without it, the worker's stdout is the output. */
  constructor(
    child: ChildProcess,
    private readonly output?: string,
  ) {
    this.child = child;
    this.child.on('message', (m: FromWorker) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      p.read.resolve();
      if ('stats' in m) {
        this.pending.delete(m.id);
        p.done.resolve(m.stats);
      }
    });
    const fail = (why: string) => {
      for (const p of this.pending.values()) {
        const e = new Error(`export worker for ${p.label} ${why}`);
        p.read.reject(e); // (no effect once read)
        p.done.reject(e);
      }
      this.pending.clear();
    };
    this.child.on('error', (e) => fail(`failed: ${e.message}`));
    this.child.on('exit', (code) => fail(`exited (${code}) before it was done`));
  }

  /** `read`: the worker has read the job (its rows may still wait for their turn); `done`: written, with its accounting. */
  run(id: number, job: WorkerJob, label: string): { read: Promise<void>; done: Promise<RunStats> } {
    if (!this.child.connected) {
      const gone = Promise.reject(new Error(`export worker for ${label} is gone`));
      return { read: gone, done: gone };
    }
    const read = deferred<void>();
    const done = deferred<RunStats>();
    this.pending.set(id, { label, read, done });
    this.child.send((this.output === undefined ? { job, id } : { job, id, output: this.output }) satisfies ToWorker);
    return { read: read.promise, done: done.promise };
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

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T | PromiseLike<T>) => void;
  reject: (e: Error) => void;
}

/** A promise and its resolve and reject (Promise.withResolvers, from Node 22 on). */
function deferred<T>(): Deferred<T> {
  let resolve!: Deferred<T>['resolve'];
  let reject!: Deferred<T>['reject'];
  const promise = new Promise<T>((r, j) => ((resolve = r), (reject = j)));
  return { promise, resolve, reject };
}
