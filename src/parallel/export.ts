import { Worker } from 'node:worker_threads';
import { emptyStats, type ReadOptions, type RunStats } from '../pipeline.js';
import { csvHeader } from '../report/rows.js';
import type { WorkerJob, WorkerMessage } from './worker.js';

/**
 * Export several files on several cores: each file goes to a worker thread, rows come
 * back as text and are written in input order (a later file's rows wait while an
 * earlier one is still being read). Files are read independently, so moments are
 * not merged across files given separately (they are within a directory or archive).
 */
export async function exportParallel(
  inputs: readonly string[],
  opts: ReadOptions,
  format: 'csv' | 'jsonl',
  jobs: number,
  write: (text: string) => Promise<void>,
): Promise<RunStats> {
  const total = emptyStats();
  const byIdx: RunStats[] = [];
  if (format === 'csv') await write(csvHeader());
  const pending = new Map<number, string[]>();
  const finished = new Set<number>();
  let next = 0;
  let queue = 0;
  const flush = async () => {
    while (next < inputs.length) {
      const chunks = pending.get(next);
      if (chunks) {
        for (const c of chunks) await write(c);
        chunks.length = 0;
      }
      if (!finished.has(next)) break;
      pending.delete(next);
      next++;
    }
  };
  const o: WorkerJob['opts'] = {};
  if (opts.tz) o.tz = opts.tz;
  if (opts.host) o.host = opts.host;
  if (opts.sinceMs !== undefined) o.sinceMs = opts.sinceMs;
  if (opts.untilMs !== undefined) o.untilMs = opts.untilMs;
  if (opts.archiveLimits) o.archiveLimits = opts.archiveLimits;
  const n = Math.min(jobs, inputs.length);
  let writing = Promise.resolve();
  await new Promise<void>((resolve, reject) => {
    let alive = n;
    for (let k = 0; k < n; k++) {
      const w = new Worker(new URL('./worker.js', import.meta.url));
      const give = () => {
        if (queue >= inputs.length) {
          void w.terminate();
          if (--alive === 0) resolve();
          return;
        }
        const idx = queue++;
        w.postMessage({ idx, input: inputs[idx]!, format, opts: o } satisfies WorkerJob);
      };
      w.on('message', (m: WorkerMessage) => {
        if (m.type === 'chunk') {
          if (!pending.has(m.idx)) pending.set(m.idx, []);
          pending.get(m.idx)!.push(m.text);
        } else {
          finished.add(m.idx);
          byIdx[m.idx] = m.stats;
          give();
        }
        writing = writing.then(flush);
      });
      w.on('error', reject);
      give();
    }
  });
  await writing;
  await flush();
  for (const s of byIdx) if (s) merge(total, s); // input order: the summary reads the same as a serial run's
  return total;
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
