import { parentPort, workerData } from 'node:worker_threads';
import { readSnapshots, type ReadOptions } from '../pipeline.js';
import { csvWriter, jsonlWriter } from '../report/rows.js';

/** One export worker: reads the files it is given and posts its rows as text, in chunks. */
export interface WorkerJob {
  idx: number;
  input: string;
  format: 'csv' | 'jsonl';
  opts: Pick<ReadOptions, 'tz' | 'host' | 'sinceMs' | 'untilMs' | 'archiveLimits'>;
}

export type WorkerMessage =
  | { type: 'chunk'; idx: number; text: string }
  | { type: 'done'; idx: number; stats: Awaited<ReturnType<typeof readSnapshots>> };

const port = parentPort!;
port.on('message', async (job: WorkerJob) => {
  const w = job.format === 'jsonl' ? jsonlWriter() : csvWriter({ header: false });
  const stats = await readSnapshots([job.input], job.opts, {
    snapshot: (s) => w.snapshot(s),
    fast: (f) => w.fast(f),
    drain: () => {
      if (w.pending > 1 << 20) port.postMessage({ type: 'chunk', idx: job.idx, text: w.take() } satisfies WorkerMessage);
    },
  });
  port.postMessage({ type: 'chunk', idx: job.idx, text: w.take() } satisfies WorkerMessage);
  port.postMessage({ type: 'done', idx: job.idx, stats } satisfies WorkerMessage);
});
void workerData;
