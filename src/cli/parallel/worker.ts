import type { RunStats } from '../../pipeline.js';
import { openSync } from 'node:fs';
import { fdOut, HoldBudget, runJob, stdoutOut, TurnOut, type Out, type WorkerJob } from './job.js';

/**
 * An export worker: a child process (parallel/export.ts starts one per extra core, or
 * parallel/prefork.ts before the CLI loads) that writes to the export's output itself:
 * its stdout, or `-o FILE` opened for appending. It reads its jobs one after the other
 * and takes the next as soon as one is read; each job's rows are held until the parent
 * says it is that job's turn (`go`: the jobs before it are written), then written as
 * read. Processes rather than threads, and no copy through the parent: threads of one
 * process share its page tables, and on this kind of VM page faults of two busy threads
 * serialize.
 */

export type { WorkerJob } from './job.js';

/**
 * Parent → worker: a job, then `go` when its rows may be written. Worker → parent: `read`
 * once the job is read (the parent may send the next one: this worker holds the rows of
 * jobs whose turn has not come, within one budget), then its accounting once its rows are written.
 */
export type ToWorker = { job: WorkerJob; id: number; output?: string } | { go: number };
export type FromWorker = { id: number; read: true } | WorkerDone;
export interface WorkerDone {
  id: number;
  stats: RunStats;
}

const budget = new HoldBudget();
/** Where rows go, made with the first job: stdout, or the output file opened for appending (when this worker was started before it was opened). */
let sink: Out | undefined;
type Job = { id: number; job: WorkerJob; out: TurnOut; turn: boolean; stats?: RunStats };
const jobs = new Map<number, Job>();
const queue: Job[] = [];
let reading = false;

/** Report a job once it has been read, had its turn and its rows have left the process. */
const finish = (c: Job): void => {
  if (!c.turn || !c.stats || !jobs.has(c.id)) return;
  jobs.delete(c.id);
  void sink!.flushed().then(() => tell({ id: c.id, stats: c.stats! } satisfies WorkerDone));
};

/** Jobs are read one after the other, in the order they came. */
const next = (): void => {
  if (reading) return;
  const c = queue.shift();
  if (!c) return;
  reading = true;
  void runJob(c.job, c.out).then(
    (stats) => {
      c.stats = stats;
      reading = false;
      if (!c.turn) tell({ id: c.id, read: true });
      finish(c);
      next();
    },
    (e: unknown) => {
      // An I/O error (a full disk) is one line; anything else is a bug: its stack.
      const err = e as NodeJS.ErrnoException;
      process.stderr.write(`sockscope: export worker: ${err.code ? err.message : (err.stack ?? String(e))}\n`);
      process.exit(2);
    },
  );
};

process.on('message', (m: ToWorker) => {
  if ('go' in m) {
    const c = jobs.get(m.go);
    if (!c) return;
    c.turn = true;
    c.out.go();
    finish(c);
    return;
  }
  sink ??= m.output === undefined ? stdoutOut() : fdOut(openSync(m.output, 'a'));
  const c: Job = { id: m.id, job: m.job, out: new TurnOut(sink, budget), turn: false };
  jobs.set(c.id, c);
  queue.push(c);
  next();
});
// The parent disconnects when every job is written, or it is gone (its output closed, say
// `| head`): either way nothing is left to do here.
process.on('disconnect', () => process.exit(0));

/** To the parent, while it is there. */
function tell(m: FromWorker): void {
  if (process.connected) process.send!(m);
}
