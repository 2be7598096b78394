#!/usr/bin/env node
/**
 * The sockscope command. An `export` that will read several big files on several cores
 * starts its worker processes first (parallel/prefork.ts), so that their start-up runs
 * while this process loads the CLI itself, not after it (what it saves: bench/RESULTS.md).
 */
import { prefork } from './parallel/prefork.js';

const argv = process.argv.slice(2);
prefork(argv, new URL('../cli/parallel/worker.js', import.meta.url));
const { main } = await import('./cli.js');
const { discardOutputs } = await import('./io.js');

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  // `sockscope ... | head`: a closed pipe ends the run quietly, as for other Unix tools,
  // with the exit code already known (findings found before the report was written).
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  // A full disk (> /dev/full) or a broken terminal: one line, exit 2.
  process.stderr.write(`sockscope: cannot write to stdout: ${e.code ?? e.message}\n`);
  discardOutputs();
  process.exit(2);
});

// Interrupted: no -o file is left half written (it is written under a temporary name until the end).
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    discardOutputs();
    process.exit(code);
  });
}

process.exitCode = await main(argv, {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  settle: (code) => {
    process.exitCode = code;
  },
});
