#!/usr/bin/env node
/**
 * The sockscope command. An `export` that will read several big files on several cores
 * starts its worker processes first (parallel/prefork.ts), so that their start-up
 * (~0.15 s each) runs while this process loads the CLI itself, not after it.
 */
import { prefork } from '../parallel/prefork.js';

prefork(process.argv.slice(2), new URL('../parallel/worker.js', import.meta.url));
await import('./cli.js');
