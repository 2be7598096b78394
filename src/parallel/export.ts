import { Worker } from 'node:worker_threads';
import { expandInputs, isProblem } from '../ingest/sources.js';
import { packing } from '../ingest/decompress.js';
import { emptyStats, type FileRange, type ReadOptions, type RunStats } from '../pipeline.js';
import { csvHeader } from '../report/rows.js';
import { parseFilenameTime } from '../segment/time.js';
import { planPieces } from './split.js';
import type { WorkerJob, WorkerMessage } from './worker.js';

/** Smallest file that is cut into pieces for several threads. */
export const SPLIT_MIN_BYTES = 32 << 20;

type Unit = { input: string } | { range: FileRange };

/**
 * Export on several cores: each input goes to a worker thread, and a big plain-text
 * log is cut into pieces read by the workers side by side (parallel/split.ts cuts
 * only where the pieces read exactly as the whole). Rows come back as bytes and
 * are written in input order. Inputs given separately are read independently, so
 * moments are not merged across them (they are within a directory or archive).
 */
export async function exportParallel(
  inputs: readonly string[],
  opts: ReadOptions,
  format: 'csv' | 'jsonl',
  jobs: number,
  write: (chunk: string | Uint8Array) => Promise<void>,
  split: { minBytes?: number; pieceBytes?: number } = {},
): Promise<RunStats> {
  const total = emptyStats();
  const byIdx: RunStats[] = [];
  if (format === 'csv') await write(csvHeader());
  const o: WorkerJob['opts'] = {};
  if (opts.tz) o.tz = opts.tz;
  if (opts.host) o.host = opts.host;
  if (opts.sinceMs !== undefined) o.sinceMs = opts.sinceMs;
  if (opts.untilMs !== undefined) o.untilMs = opts.untilMs;
  if (opts.archiveLimits) o.archiveLimits = opts.archiveLimits;
  if (opts.fast === false) o.fast = false;

  const units = planUnits(inputs, opts, jobs, split.minBytes ?? SPLIT_MIN_BYTES, split.pieceBytes);
  const pending = new Map<number, Uint8Array[]>();
  const finished = new Set<number>();
  let next = 0; // next unit to write
  let queued = 0; // units handed out
  let noMore = false;
  const flush = async () => {
    for (;;) {
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
  let writing = Promise.resolve();
  const workers: Worker[] = [];
  await new Promise<void>((resolve, reject) => {
    let alive = jobs;
    let taking = Promise.resolve();
    const give = (w: Worker) => {
      // Units are planned as the file is read: take them one at a time, in order.
      taking = taking.then(async () => {
        const u = noMore ? undefined : await units.next();
        if (!u || u.done) {
          noMore = true;
          if (--alive === 0) resolve();
          return;
        }
        const idx = queued++;
        w.postMessage({ idx, format, opts: o, ...u.value } satisfies WorkerJob);
      }, reject);
    };
    for (let k = 0; k < jobs; k++) {
      const w = new Worker(new URL('./worker.js', import.meta.url));
      workers.push(w);
      w.on('message', (m: WorkerMessage) => {
        if (m.type === 'chunk') {
          if (!pending.has(m.idx)) pending.set(m.idx, []);
          pending.get(m.idx)!.push(m.bytes);
        } else {
          finished.add(m.idx);
          byIdx[m.idx] = m.stats;
          give(w);
        }
        writing = writing.then(flush);
      });
      w.on('error', reject);
      give(w);
    }
  });
  await writing;
  await flush();
  await Promise.all(workers.map((w) => w.terminate()));
  for (const s of byIdx) if (s) merge(total, s); // input order: the summary reads the same as a serial run's
  return total;
}

/** The inputs as units of work: big plain-text files cut into pieces, the rest whole. */
async function* planUnits(inputs: readonly string[], opts: ReadOptions, jobs: number, splitMinBytes: number, pieceBytes?: number): AsyncGenerator<Unit> {
  for (const input of inputs) {
    const range = await splittable(input, opts, splitMinBytes);
    if (!range) {
      yield { input };
      continue;
    }
    // Pieces small enough that a few are in flight at once (memory), large enough to be worth a job.
    const bytes = pieceBytes ?? Math.max(8 << 20, Math.min(64 << 20, Math.ceil(range.size / (jobs * 4))));
    for await (const p of planPieces(range.path, range.size, bytes)) {
      yield { range: { path: range.path, name: range.name, base: range.base, ...p } };
    }
  }
}

/** A plain file on disk, big enough, whose lines carry nothing from its name or bundle. */
async function splittable(input: string, opts: ReadOptions, minBytes: number) {
  if (input === '-') return undefined;
  let found: { path: string; name: string; base: string; size: number } | undefined;
  let count = 0;
  for await (const item of expandInputs([input], opts.tz ? { tz: opts.tz } : {})) {
    count++;
    if (isProblem(item) || count > 1) return undefined;
    const plain = !packing(item.base).archive && !packing(item.base).compression && !/\.json$/i.test(item.base);
    if (!plain || item.size === undefined || item.size < minBytes) return undefined;
    if (item.host !== undefined || item.namespace !== undefined || item.timeNote || item.defaultTime || item.limitSysctl !== undefined) return undefined;
    if (parseFilenameTime(item.base, opts)) return undefined;
    found = { path: input, name: item.name, base: item.base, size: item.size };
  }
  return count === 1 ? found : undefined;
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
