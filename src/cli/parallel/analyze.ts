import { fork, type ChildProcess } from 'node:child_process';
import type { LimitReading } from '../../segment/types.js';
import type { LogEvent } from '../../parse/kernel-log.js';
import type { Snapshot } from '../../normalize/types.js';
import { emptyStats, readSnapshots, type ReadOptions, type RunStats, type SnapshotSink } from '../../pipeline.js';
import type { RuleSetOptions } from '../../rules/ruleset.js';
import { SnapshotRecord } from '../../normalize/record.js';
import { unitOptions, type UnitOptions } from './job.js';

/**
 * `analyze -j N` over many inputs: each input named on the command line (a bundle, a log, a
 * directory) is read whole by this process or one of N - 1 worker processes
 * (parallel/analyze-worker.ts), each running the same reading pipeline on it and keeping (a
 * worker: sending back), in order, what the pipeline gave its
 * sink (snapshots, kernel limits, kernel log events, files read) and its accounting. This
 * process then hands all of it to analyze's sink input by input, in the order of the
 * inputs, as one `readSnapshots` over all of them would have: the series, the rules and so
 * the report are the same as with -j 1 (a test compares them).
 *
 * One reading of all the inputs merges a moment of a host that two inputs both hold (the
 * same sosreport given twice, a capture and a bundle of the same second); inputs read apart
 * cannot. When two inputs give a snapshot of the same host at the same moment, the events
 * are dropped and the inputs are read again in this process, as with -j 1.
 */

/** What a worker is told: one input, the reading options that are data, and the rule options (for the kernel log patterns). */
export interface AnalyzeUnit {
  id: number;
  input: string;
  opts: UnitOptions;
  rules: { rulesDirs?: string[] } & RuleSetOptions;
}

/** What the sink was given, in order: a snapshot, a limit, a kernel log event, a kernel log read whole, a file read. */
export type SinkEvent =
  | [0, Snapshot]
  | [1, LimitReading]
  | [2, LogEvent, string | undefined]
  | [3, string, string | undefined]
  | [4, string, number];

/** Worker → parent: events of unit `id` (in batches), then its accounting. */
export type FromAnalyzeWorker = { id: number; events: SinkEvent[] } | { id: number; stats: RunStats } | { id: number; error: string };

export interface ParallelReadOptions {
  jobs: number;
  /** The worker script (the built parallel/analyze-worker.js). */
  workerScript: string;
  rules: AnalyzeUnit['rules'];
  /** Called when two inputs hold the same moment of a host, so that the inputs are read again in one reading (tests). */
  onReadAgain?(first: string, second: string): void;
}

/** Snapshots of one host at one moment, the key one reading would merge on (conservative: a host-less one counts by time alone). */
const momentKey = (s: Snapshot): string | undefined => (s.timeMs === undefined ? undefined : `${s.host ?? ''}\u0000${s.timeMs}`);

/** Sum and concatenate per-input accounting, in input order, as one reading counts. */
export function addStats(into: RunStats, s: RunStats): void {
  for (const k of ['files', 'bytes', 'lines', 'outsideLines', 'blocks', 'blocksInSnapshots', 'snapshots', 'filtered', 'otherHosts', 'duplicates'] as const) into[k] += s[k];
  into.skipped.push(...s.skipped);
  into.inputProblems.push(...s.inputProblems);
  into.failedInputs.push(...s.failedInputs);
}

/**
 * A `readSnapshots` for analyze that reads the inputs on `jobs` processes (see above); one
 * input, stdin, or -j 1: readSnapshots itself.
 */
export function parallelReader(p: ParallelReadOptions): (inputs: readonly string[], opts: ReadOptions, sink: SnapshotSink) => Promise<RunStats> {
  return async (inputs, opts, sink) => {
    if (p.jobs < 2 || inputs.length < 2 || inputs.includes('-')) return readSnapshots(inputs, opts, sink);
    const units = await readUnits(inputs, opts, p);
    // The same moment of a host in two inputs: one reading would merge them; read as -j 1 does.
    const seen = new Map<string, number>();
    for (let u = 0; u < units.length; u++) {
      const here = new Set<string>();
      for (const e of units[u]!.events) {
        if (e[0] !== 0) continue;
        const k = momentKey(e[1]);
        if (k === undefined || here.has(k)) continue;
        here.add(k);
        if (seen.has(k)) {
          p.onReadAgain?.(inputs[seen.get(k)!]!, inputs[u]!);
          return readSnapshots(inputs, opts, sink);
        }
        seen.set(k, u);
      }
    }
    const stats = emptyStats();
    const record = new SnapshotRecord();
    for (const u of units) {
      for (const e of u.events) {
        switch (e[0]) {
          case 0: sink.snapshot(record.fill(e[1])); break;
          case 1: sink.limit?.(e[1]); break;
          case 2: sink.logEvent?.(e[1], e[2]); break;
          case 3: sink.logFile?.(e[1], e[2]); break;
          case 4: opts.onBytes?.(e[2]); opts.onFile?.(e[1], e[2]); break;
        }
      }
      addStats(stats, u.stats);
    }
    return stats;
  };
}

/**
 * One input read whole, as readSnapshots reads it, with what it gave the sink recorded in
 * order (each snapshot as an object of its own: the records are lent).
 * `send` takes the events in batches as they come.
 */
export async function recordInput(input: string, opts: ReadOptions, send: (events: SinkEvent[]) => void): Promise<RunStats> {
  let events: SinkEvent[] = [];
  const push = (e: SinkEvent): void => {
    events.push(e);
    if (events.length >= 4096) {
      send(events);
      events = [];
    }
  };
  const stats = await readSnapshots([input], { ...opts, onFile: (name, bytes) => push([4, name, bytes]) }, {
    snapshot: (r) => push([0, r.snapshot()]),
    limit: (l) => push([1, l]),
    logEvent: (e, host) => push([2, e, host]),
    logFile: (file, host) => push([3, file, host]),
  });
  if (events.length) send(events);
  return stats;
}

/** Every input read by this process or a worker (`jobs - 1` of them), each taking the next input when done; the result in input order. */
async function readUnits(inputs: readonly string[], opts: ReadOptions, p: ParallelReadOptions): Promise<{ events: SinkEvent[]; stats: RunStats }[]> {
  const o = unitOptions(opts);
  const results: { events: SinkEvent[]; stats?: RunStats }[] = inputs.map(() => ({ events: [] }));
  const n = Math.min(p.jobs, inputs.length) - 1;
  const workers: ChildProcess[] = [];
  let next = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let done = 0;
      // This process reads inputs too, with the pipeline's own options (its kernel log patterns).
      const here = async (): Promise<void> => {
        while (next < inputs.length) {
          const id = next++;
          results[id]!.stats = await recordInput(inputs[id]!, { ...o, ...(opts.logMatcher ? { logMatcher: opts.logMatcher } : {}) }, (ev) => {
            for (const e of ev) results[id]!.events.push(e);
          });
          if (++done === inputs.length) resolve();
        }
      };
      const give = (w: ChildProcess): void => {
        if (next >= inputs.length) return;
        const id = next++;
        w.send({ id, input: inputs[id]!, opts: o, rules: p.rules } satisfies AnalyzeUnit);
      };
      for (let k = 0; k < n; k++) {
        const w = fork(p.workerScript, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced' });
        workers.push(w);
        w.on('message', (m: FromAnalyzeWorker) => {
          if ('events' in m) {
            for (const e of m.events) results[m.id]!.events.push(e);
          } else if ('stats' in m) {
            results[m.id]!.stats = m.stats;
            if (++done === inputs.length) resolve();
            else give(w);
          } else {
            reject(new Error(`analyze worker, ${inputs[m.id]}: ${m.error}`));
          }
        });
        w.on('exit', (code, signal) => {
          if (done < inputs.length) reject(new Error(`analyze worker ended (${signal ?? code}) before every input was read`));
        });
        w.on('error', reject);
        // Two units in flight per worker: it starts the next while this process takes the last one's events.
        give(w);
        give(w);
      }
      here().catch(reject);
    });
  } finally {
    for (const w of workers) if (w.connected) w.disconnect();
  }
  return results.map((r) => ({ events: r.events, stats: r.stats! }));
}
