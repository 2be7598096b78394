import { loadRules } from '../../analyze.js';
import { LogBook } from '../../rules/logs.js';
import type { LogMatcher } from '../../parse/kernel-log.js';
import { recordInput, type AnalyzeUnit, type FromAnalyzeWorker } from './analyze.js';

/**
 * An `analyze -j N` worker (parallel/analyze.ts): reads the inputs it is sent, one after
 * the other, with the same pipeline as analyze, and sends back what the pipeline gave its
 * sink, in order, then the accounting. Fast-path snapshots are sent as the snapshots they
 * stand for (their buffers stay here).
 */

let matcher: Promise<LogMatcher> | undefined;
const queue: AnalyzeUnit[] = [];
let reading = false;

async function read(u: AnalyzeUnit): Promise<void> {
  // The rules' kernel log patterns, as analyze gives them to the pipeline: loaded once.
  matcher ??= loadRules(u.rules).then((rs) => new LogBook(rs.rules).matcher);
  const logMatcher = await matcher;
  const stats = await recordInput(u.input, { ...u.opts, logMatcher }, (events) => tell({ id: u.id, events }));
  tell({ id: u.id, stats });
}

const next = (): void => {
  if (reading) return;
  const u = queue.shift();
  if (!u) return;
  reading = true;
  read(u).then(
    () => {
      reading = false;
      next();
    },
    (e: unknown) => {
      tell({ id: u.id, error: (e as Error).stack ?? String(e) });
      reading = false;
      next();
    },
  );
};

process.on('message', (u: AnalyzeUnit) => {
  queue.push(u);
  next();
});
// The parent disconnects when every input is read, or it is gone: nothing is left to do.
process.on('disconnect', () => process.exit(0));

function tell(m: FromAnalyzeWorker): void {
  if (process.connected) process.send!(m);
}
