#!/usr/bin/env node
/**
 * The sockscope command. An `export` that will read several big files on several cores
 * starts its worker processes first (parallel/prefork.ts), so that their start-up
 * (~0.15 s each) runs while this process loads the CLI itself, not after it.
 */
import { prefork } from '../parallel/prefork.js';

const argv = process.argv.slice(2);
prefork(argv, new URL('../parallel/worker.js', import.meta.url));
const { main } = await import('./cli.js');

// `sockscope ... | head`: a closed pipe ends the run quietly, as for other Unix tools.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = await main(argv, {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  settle: (code) => {
    process.exitCode = code;
  },
});
