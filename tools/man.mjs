// Writes man/sockscope.1 from the help of every command (npm run build, after tsc):
// src/cli/man.ts turns the help into roff. test/help.test.ts checks the file is current.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { main } = await import(join(root, 'dist/cli/cli.js'));
const { manPage } = await import(join(root, 'dist/cli/man.js'));
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
mkdirSync(join(root, 'man'), { recursive: true });
writeFileSync(join(root, 'man/sockscope.1'), await manPage(main, version));
