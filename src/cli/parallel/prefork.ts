import { fork, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { EXPORT_OPTIONS, JOBS_MIN_BYTES, READ_OPTIONS, valuedFlags } from '../../options.js';

/**
 * Export workers started before the CLI has loaded. Reading the command line here is a
 * guess made before yargs parses it (it only looks for `export`, -j and big files): a
 * wrong guess costs a worker that is stopped unused, or a worker started later, never a
 * different result. Only node: modules and the options table are imported: this runs
 * before the rest loads.
 */
let started: ChildProcess[] = [];

/** Options of `export` whose value is the next argument (that value is not an input): from the table yargs reads. */
const VALUED = valuedFlags(READ_OPTIONS, EXPORT_OPTIONS);

/** Start the workers that `preforkCount` counts. */
export function prefork(argv: readonly string[], workerScript: URL): void {
  const n = preforkCount(argv);
  if (n === 0) return;
  const script = fileURLToPath(workerScript);
  for (let k = 0; k < n; k++) started.push(fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
}

/** A regular file's size (symbolic links followed); undefined for stdin, directories and the rest. */
function fileSize(path: string): number | undefined {
  if (path === '-') return undefined;
  try {
    const st = statSync(path);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How many worker processes an export of `inputs` uses on `jobs` cores (the CLI decides
 * with this, and prefork guesses with it): when every input is a file of `minBytes` or
 * more, one per file after the first; at most `jobs - 1`. 0: the inputs are read in this
 * process alone (small files of one moment then still merge).
 */
export function exportWorkers(inputs: readonly string[], jobs: number, minBytes: number): number {
  if (!(jobs > 1) || inputs.length < 2) return 0;
  for (const p of inputs) if (!((fileSize(p) ?? -1) >= minBytes)) return 0;
  return Math.min(jobs, inputs.length) - 1;
}

/** How many workers an `export` command line (without node and script) will likely use (exportWorkers). */
export function preforkCount(argv: readonly string[]): number {
  if (argv[0] !== 'export') return 0;
  let jobs = availableParallelism();
  let minBytes = JOBS_MIN_BYTES;
  const inputs: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const [name, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : /^-j\d+$/.test(a) ? ['-j', a.slice(2)] : [a, undefined];
    if (VALUED.has(name)) {
      const v = inline ?? argv[++i];
      if (name === '-j' || name === '--jobs') jobs = Number(v);
      if (name === '--jobs-min-bytes') minBytes = Number(v);
    } else if (name === '--') inputs.push(...argv.slice(i + 1)), (i = argv.length);
    else if (!name.startsWith('-') || name === '-') inputs.push(a);
  }
  return exportWorkers(inputs, jobs, minBytes);
}

/** The workers started by prefork, handed over once (an export that does not use them ends them). */
export function takePreforked(): ChildProcess[] {
  const w = started;
  started = [];
  return w;
}
