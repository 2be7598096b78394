import { writeSync } from 'node:fs';
import type { ReadOptions, RunStats } from '../../pipeline.js';
import { exportRows, type ExportOutput } from '../../export.js';

/**
 * One unit of a parallel export, as the main process and the worker processes both run
 * it: read one input, and write its rows to the shared
 * output when it is the unit's turn (every unit before it written), holding them till then.
 */

/** The reading options a unit of work takes to another process (plain data). */
export type UnitOptions = Pick<ReadOptions, 'tz' | 'host' | 'sinceMs' | 'untilMs' | 'archiveLimits' | 'fast'>;

/** The run's reading options as a unit of work (export -j, analyze -j) takes them. */
export function unitOptions(opts: ReadOptions): UnitOptions {
  const o: UnitOptions = {};
  if (opts.tz) o.tz = opts.tz;
  if (opts.host) o.host = opts.host;
  if (opts.sinceMs !== undefined) o.sinceMs = opts.sinceMs;
  if (opts.untilMs !== undefined) o.untilMs = opts.untilMs;
  if (opts.archiveLimits) o.archiveLimits = opts.archiveLimits;
  if (opts.fast === false) o.fast = false;
  return o;
}

/** One export job: one input, read whole. */
export interface WorkerJob {
  input: string;
  format: 'csv' | 'jsonl';
  opts: UnitOptions;
}

/** Where rows go: the export's output, shared by every process in input order. */
export interface Out {
  /** Write bytes now; true when they have left this process (their memory may be written over). */
  writeNow(b: Uint8Array): boolean;
  /** While the output is backed up (a slow pipe): a promise to wait on before writing more. */
  ready(): Promise<void> | undefined;
  /** Resolves when everything written so far has left this process. */
  flushed(): Promise<void>;
}

/** This process's stdout (the output file or pipe itself, inherited by workers). */
export function stdoutOut(): Out {
  const s = process.stdout;
  return {
    writeNow: (b) => {
      s.write(b);
      return s.writableLength === 0;
    },
    ready: () => (s.writableNeedDrain ? new Promise<void>((r) => s.once('drain', () => r())) : undefined),
    // An empty write's callback runs once everything before it is written.
    flushed: () => (s.writableLength === 0 ? Promise.resolve() : new Promise<void>((r) => s.write('', () => r()))),
  };
}

/** A file descriptor opened for the output: written synchronously, so always flushed. */
export function fdOut(fd: number): Out {
  return {
    writeNow: (b) => {
      for (let off = 0; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
      return true;
    },
    ready: () => undefined,
    flushed: () => Promise.resolve(),
  };
}

/** Rows held before their turn by one process's units together, at most: past it, reading waits. */
const HOLD_MAX = 256 << 20;

/**
 * What one process holds for units whose turn has not come: shared by its units, so a
 * process that reads faster than another can run ahead by several units, not by memory
 * without bound. A unit over the budget waits for its turn or for held rows to leave.
 */
export class HoldBudget {
  used = 0;
  private waiting: (() => void)[] = [];
  constructor(readonly max = HOLD_MAX) {}

  get full(): boolean {
    return this.used > this.max;
  }
  take(n: number): void {
    this.used += n;
  }
  give(n: number): void {
    this.used -= n;
    if (!this.full) for (const w of this.waiting.splice(0)) w();
  }
  /** Resolves when held rows have left and the budget has room again. */
  room(): Promise<void> {
    return new Promise<void>((r) => this.waiting.push(r));
  }
}

/** A unit's rows: held until `go()` (its turn), then written as they come, in order. */
export class TurnOut implements ExportOutput {
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private turn = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly out: Out,
    private readonly budget = new HoldBudget(),
  ) {}

  /**
   * Bytes lent by a row writer (RowWriter.lend): written now in its turn, else copied and
   * held. Holding the writer's own memory instead (returning false) was slower
   * (bench/RESULTS.md): the writer then writes its rows into fresh memory, where a copy
   * reads them from its one buffer, still in cache.
   */
  readonly lend = (b: Uint8Array): boolean => {
    if (this.turn) return this.out.writeNow(b);
    if (b.length) this.hold(Buffer.from(b));
    return true;
  };

  /** Bytes the caller gives up (a copy of its own). */
  write(b: Uint8Array): void | Promise<void> {
    if (this.turn) this.out.writeNow(b);
    else if (b.length) this.hold(b);
    return this.ready();
  }

  /** A promise to wait on before more rows: while the output is backed up, or the process holds too much. */
  ready(): Promise<void> | undefined {
    if (this.turn) return this.out.ready();
    if (!this.budget.full) return undefined;
    // Until this unit's turn, or until another unit's held rows leave.
    return new Promise<void>((r) => {
      this.wake = r;
      void this.budget.room().then(r);
    });
  }

  private hold(b: Uint8Array): void {
    this.held.push(b);
    this.heldBytes += b.length;
    this.budget.take(b.length);
  }

  /** The units before this one are written: write what is held (in order), then the rest as it comes. */
  go(): void {
    this.turn = true;
    for (const b of this.held.splice(0)) this.out.writeNow(b); // flushed() waits for them
    const n = this.heldBytes;
    this.heldBytes = 0;
    const w = this.wake;
    this.wake = undefined;
    w?.();
    this.budget.give(n);
  }
}

/** Read one job, writing its rows through `out` (the CSV header is the parent's); returns its accounting once every row is handed to `out`. */
export function runJob(job: WorkerJob, out: TurnOut): Promise<RunStats> {
  return exportRows([job.input], { ...job.opts, format: job.format, header: false }, out);
}
