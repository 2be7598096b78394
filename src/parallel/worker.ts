import type { RunStats } from '../pipeline.js';
import { runJob, stdoutOut, TurnOut, type WorkerJob } from './job.js';

/**
 * An export worker: a child process (parallel/export.ts starts one per extra core) whose
 * stdout is the export's output itself. It takes jobs one at a time; each job's rows are
 * held until the parent says it is that job's turn (`go`: the jobs before it are
 * written), then written as read. Processes rather than threads, and no copy through the
 * parent: threads of one process share its page tables, and on this kind of VM page
 * faults of two busy threads serialize.
 */

export type { WorkerJob } from './job.js';

/** Parent → worker: a job, then `go` when its rows may be written. Worker → parent: the job's accounting, once its rows are written. */
export type ToWorker = { job: WorkerJob; id: number } | { go: number };
export interface WorkerDone {
  id: number;
  stats: RunStats;
}

const out = stdoutOut();
let current: { id: number; out: TurnOut; turn: boolean; stats?: RunStats } | undefined;

/** Report the job once it has read everything, had its turn and its rows left the process. */
const finish = (): void => {
  const c = current;
  if (!c || !c.turn || !c.stats) return;
  current = undefined;
  void out.flushed().then(() => process.send!({ id: c.id, stats: c.stats! } satisfies WorkerDone));
};

process.on('message', (m: ToWorker) => {
  if ('go' in m) {
    if (current?.id !== m.go) return;
    current.turn = true;
    current.out.go();
    finish();
    return;
  }
  const c = (current = { id: m.id, out: new TurnOut(out), turn: false } as NonNullable<typeof current>);
  void runJob(m.job, c.out).then(
    (stats) => {
      c.stats = stats;
      finish();
    },
    (e: unknown) => {
      process.stderr.write(`sockscope: export worker: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(2);
    },
  );
});
// The parent disconnects when every job is done: nothing keeps this process then.
process.on('disconnect', () => undefined);
