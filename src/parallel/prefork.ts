import { fork, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

/**
 * Export workers started before the CLI has loaded. Reading the command line here is a
 * guess made before yargs parses it (it only looks for `export`, -j and big files): a
 * wrong guess costs a worker that is stopped unused, or a worker started later, never a
 * different result. Only node: modules are imported: this runs before the rest loads.
 */
let started: ChildProcess[] = [];

/** Options of `export` whose value is the next argument (that value is not an input). */
const VALUED = new Set(['-o', '--output', '--format', '-j', '--jobs', '--jobs-min-bytes', '--host', '--since', '--until', '--tz']);

/** Start the workers that `preforkCount` counts. */
export function prefork(argv: readonly string[], workerScript: URL): void {
  const n = preforkCount(argv);
  if (n === 0) return;
  const script = fileURLToPath(workerScript);
  for (let k = 0; k < n; k++) started.push(fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
}

/**
 * How many workers an `export` command line (without node and script) will likely use:
 * `jobs - 1` for several files that are all big (each gets a process; no more processes
 * than files), or for one big file with --split; 0 for anything else.
 */
export function preforkCount(argv: readonly string[]): number {
  if (argv[0] !== 'export') return 0;
  let jobs = availableParallelism();
  let minBytes = 16 << 20;
  let split = false;
  const inputs: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const [name, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : /^-j\d+$/.test(a) ? ['-j', a.slice(2)] : [a, undefined];
    if (VALUED.has(name)) {
      const v = inline ?? argv[++i];
      if (name === '-j' || name === '--jobs') jobs = Number(v);
      if (name === '--jobs-min-bytes') minBytes = Number(v);
    } else if (name === '--split') split = true;
    else if (name === '--') inputs.push(...argv.slice(i + 1)), (i = argv.length);
    else if (!name.startsWith('-')) inputs.push(a);
  }
  if (!(jobs > 1)) return 0;
  const big = inputs.filter((p) => {
    try {
      const st = statSync(p);
      return st.isFile() && st.size >= Math.min(minBytes, split ? 32 << 20 : Infinity);
    } catch {
      return false;
    }
  }).length;
  if (big < (split ? 1 : 2) || big < inputs.length) return 0;
  return Math.min(jobs, split ? jobs : big) - 1;
}

/** The workers started by prefork, handed over once (an export that does not use them ends them). */
export function takePreforked(): ChildProcess[] {
  const w = started;
  started = [];
  return w;
}
