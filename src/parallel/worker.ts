import { parentPort } from 'node:worker_threads';
import { readRange, readSnapshots, type FileRange, type ReadOptions, type RunStats } from '../pipeline.js';
import { csvWriter, jsonlWriter } from '../report/rows.js';

/** One export job: a whole input, or a piece of a big file (parallel/split.ts). */
export interface WorkerJob {
  idx: number;
  input?: string;
  range?: FileRange;
  format: 'csv' | 'jsonl';
  opts: Pick<ReadOptions, 'tz' | 'host' | 'sinceMs' | 'untilMs' | 'archiveLimits' | 'fast'>;
}

/** Rows come back as UTF-8 bytes (moved, not copied, to the main thread), then the job's accounting. */
export type WorkerMessage =
  | { type: 'chunk'; idx: number; bytes: Uint8Array }
  | { type: 'done'; idx: number; stats: RunStats };

const port = parentPort!;
const post = (idx: number, bytes: Buffer): void => {
  if (!bytes.length) return;
  // Move the memory when the bytes own it (not a slice of Node's shared pool), else copy.
  const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  port.postMessage({ type: 'chunk', idx, bytes } satisfies WorkerMessage, own ? [bytes.buffer as ArrayBuffer] : []);
};

port.on('message', async (job: WorkerJob) => {
  const w = job.format === 'jsonl' ? jsonlWriter() : csvWriter({ header: false });
  const sink = {
    snapshot: (s: Parameters<typeof w.snapshot>[0]) => w.snapshot(s),
    fast: (f: Parameters<typeof w.fast>[0]) => w.fast(f),
    drain: () => {
      if (w.pending > 1 << 20) post(job.idx, w.take());
    },
  };
  const stats = job.range ? await readRange(job.range, job.opts, sink) : await readSnapshots([job.input!], job.opts, sink);
  post(job.idx, w.take());
  port.postMessage({ type: 'done', idx: job.idx, stats } satisfies WorkerMessage);
});
