import { writeSync } from 'node:fs';
import { readRange, readSnapshots, type FileRange, type ReadOptions, type RunStats } from '../pipeline.js';
import { csvWriter, jsonlWriter } from '../report/rows.js';

/**
 * One unit of a parallel export, as the main process and the worker processes both run
 * it: read a whole input or a piece of a big file, and write its rows to the shared
 * output when it is the unit's turn (every unit before it written), holding them till then.
 */

/** One export job: a whole input, or a piece of a big file (parallel/split.ts). */
export interface WorkerJob {
  input?: string;
  range?: FileRange;
  format: 'csv' | 'jsonl';
  opts: Pick<ReadOptions, 'tz' | 'host' | 'sinceMs' | 'untilMs' | 'archiveLimits' | 'fast'>;
}

/** Where rows go: the export's output, shared by every process in input order. */
export interface Out {
  /** Write; a promise when the writer should wait before the next write. */
  write(b: Uint8Array): void | Promise<void>;
  /** Write without waiting (kept in order with the writes around it). */
  queue(b: Uint8Array): void;
  /** Resolves when everything written so far has left this process. */
  flushed(): Promise<void>;
}

/** This process's stdout (the output file or pipe itself, inherited by workers). */
export function stdoutOut(): Out {
  const s = process.stdout;
  return {
    write: (b) => (s.write(b) ? undefined : new Promise<void>((r) => s.once('drain', () => r()))),
    queue: (b) => void s.write(b),
    flushed: () => (s.writableLength === 0 ? Promise.resolve() : new Promise<void>((r) => s.once('drain', () => r()))),
  };
}

/** A file descriptor opened for the output: written synchronously, so always flushed. */
export function fdOut(fd: number): Out {
  const write = (b: Uint8Array): void => {
    for (let off = 0; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
  };
  return {
    write,
    queue: write,
    flushed: () => Promise.resolve(),
  };
}

/** Rows held before the unit's turn, at most: past it, reading waits for the turn. */
const HOLD_MAX = 256 << 20;

/** A unit's rows: held until `go()` (its turn), then written as they come, in order. */
export class TurnOut {
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private turn = false;
  private wake: (() => void) | undefined;

  constructor(private readonly out: Out, private readonly holdMax = HOLD_MAX) {}

  write(b: Uint8Array): void | Promise<void> {
    if (!b.length) return;
    if (this.turn) return this.out.write(b);
    this.held.push(b);
    this.heldBytes += b.length;
    if (this.heldBytes > this.holdMax) return new Promise<void>((r) => (this.wake = r));
  }

  /** The units before this one are written: write what is held (in order), then the rest as it comes. */
  go(): void {
    this.turn = true;
    for (const b of this.held.splice(0)) this.out.queue(b); // flushed() waits for them
    this.heldBytes = 0;
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}

/** Read one job, writing its rows through `out`; returns its accounting once every row is handed to `out`. */
export async function runJob(job: WorkerJob, out: TurnOut): Promise<RunStats> {
  const w = job.format === 'jsonl' ? jsonlWriter() : csvWriter({ header: false });
  const sink = {
    snapshot: (s: Parameters<typeof w.snapshot>[0]) => w.snapshot(s),
    fast: (f: Parameters<typeof w.fast>[0]) => w.fast(f),
    drain: () => (w.pending > 1 << 16 ? out.write(w.take()) : undefined),
  };
  const stats = job.range ? await readRange(job.range, job.opts, sink) : await readSnapshots([job.input!], job.opts, sink);
  await out.write(w.take());
  return stats;
}
