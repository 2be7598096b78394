// Bundles the CLI after `tsc` (npm run build): dist/cli/main.js (a small entry that may start
// export workers first, then loads the CLI as a chunk) and dist/parallel/worker.js, with
// their dependencies, sharing chunks in dist/chunks/. Node 20
// loads each ES module file separately (yargs alone is ~40), which cost the CLI ~0.1 s
// of its ~0.3 s start-up, and as much again for each export worker. The library
// (dist/index.js and the stages) stays as tsc wrote it.
// Every bundled file sits two folders below the project root, as its tsc counterpart
// does, so paths made from import.meta.url (the built-in rules/) resolve the same.
import { build } from 'esbuild';
import { chmodSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
// Chunk names carry a hash of their content: old ones would pile up from build to build.
rmSync(join(root, 'dist/chunks'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { 'cli/main': 'src/cli/main.ts', 'parallel/worker': 'src/parallel/worker.ts' },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // CommonJS dependencies (papaparse, yauzl) call require(); ES modules have none.
  banner: { js: "import { createRequire as __sockscopeRequire } from 'node:module'; const require = __sockscopeRequire(import.meta.url);" },
  logLevel: 'warning',
});
chmodSync(join(root, 'dist/cli/main.js'), 0o755);
