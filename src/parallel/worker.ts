import { readRange, readSnapshots, type FileRange, type ReadOptions, type RunStats } from '../pipeline.js';
import { csvWriter, jsonlWriter } from '../report/rows.js';

/**
 * An export worker: a child process (parallel/export.ts forks one per job) whose stdout
 * is the export's output itself. It holds its rows until the parent says it is its turn
 * (`go`: the jobs before it are written), then writes them and the rest as it reads.
 * Processes rather than threads, and no copy through the parent: threads of one process
 * share its page tables, and on this kind of VM page faults of two busy threads serialize.
 */

/** One export job: a whole input, or a piece of a big file (parallel/split.ts). */
export interface WorkerJob {
  input?: string;
  range?: FileRange;
  format: 'csv' | 'jsonl';
  opts: Pick<ReadOptions, 'tz' | 'host' | 'sinceMs' | 'untilMs' | 'archiveLimits' | 'fast'>;
}

/** Parent → worker: the job, then `go` when its rows may be written. Worker → parent: the accounting, once written. */
export type ToWorker = { job: WorkerJob } | { go: true };
export interface WorkerDone {
  stats: RunStats;
}

let turn = false;
const held: Uint8Array[] = [];
let heldBytes = 0;
/** Rows held before it is this job's turn, at most: past it, reading waits for the turn. */
const HOLD_MAX = 256 << 20;
let onTurn: (() => void) | undefined;
const write = (b: Uint8Array): void | Promise<void> => {
  if (!b.length) return;
  if (!turn) {
    held.push(b);
    heldBytes += b.length;
    if (heldBytes > HOLD_MAX) return new Promise<void>((r) => (onTurn = r));
    return;
  }
  if (!process.stdout.write(b)) return new Promise((r) => process.stdout.once('drain', () => r()));
};
let stats: RunStats | undefined;
const done = (): void => {
  if (!turn || !stats) return;
  const s = stats;
  const send = () => process.send!({ stats: s } satisfies WorkerDone, undefined, undefined, () => process.disconnect());
  // stdout on a file is written at once; on a pipe, wait until it is flushed.
  if (process.stdout.writableLength === 0) send();
  else process.stdout.once('drain', send);
};

process.on('message', async (m: ToWorker) => {
  if ('go' in m) {
    // Queue every held chunk before any new one (the stream keeps their order), then write as read.
    for (const b of held.splice(0)) process.stdout.write(b);
    heldBytes = 0;
    turn = true;
    onTurn?.();
    done();
    return;
  }
  const job = m.job;
  const w = job.format === 'jsonl' ? jsonlWriter() : csvWriter({ header: false });
  const sink = {
    snapshot: (s: Parameters<typeof w.snapshot>[0]) => w.snapshot(s),
    fast: (f: Parameters<typeof w.fast>[0]) => w.fast(f),
    drain: () => (w.pending > 1 << 16 ? write(w.take()) : undefined),
  };
  stats = job.range ? await readRange(job.range, job.opts, sink) : await readSnapshots([job.input!], job.opts, sink);
  await write(w.take());
  done();
});
