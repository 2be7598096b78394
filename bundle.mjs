// Bundles after `tsc` (npm run build): dist/cli/main.js (a small entry that may start
// export workers first, then loads the CLI as a chunk), the workers dist/cli/parallel/*.js and the
// library entry dist/index.js, with every dependency, sharing chunks in dist/chunks/.
// Node 20 loads each ES module file separately (yargs alone is ~40), which cost the CLI
// a third of its start-up, and as much again for each export worker (bench/RESULTS.md). And since the
// bundle holds the libraries, the published package has no runtime dependencies: they
// are devDependencies, and an install is the package alone (well under 5 MB instead of
// ~25 MB; test/install.test.ts holds the bound). The package ships only these bundles and
// tsc's .d.ts files (package.json "files"); tsc's other .js files stay for the tests.
// Code that makes paths from import.meta.url (the built-in rules/) must sit as deep below the
// project root as its tsc counterpart does: src/rules/ code in dist/chunks/ or dist/cli/,
// never in the one-folder dist/index.js or the three-folder workers (checked below).
import { build } from 'esbuild';
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BUILTIN = new Set(builtinModules);
const root = dirname(fileURLToPath(import.meta.url));
// Chunk names carry a hash of their content: old ones would pile up from build to build.
rmSync(join(root, 'dist/chunks'), { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { 'cli/main': 'src/cli/main.ts', 'cli/parallel/worker': 'src/cli/parallel/worker.ts', index: 'src/index.ts', 'cli/parallel/analyze-worker': 'src/cli/parallel/analyze-worker.ts' },
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
  metafile: true,
});
// Every import is bundled: nothing may stay external but Node's own modules.
for (const [file, out] of Object.entries(result.metafile.outputs)) {
  for (const imp of out.imports) {
    if (imp.external && !imp.path.startsWith('node:') && !BUILTIN.has(imp.path)) throw new Error(`bundle.mjs: ${file} imports ${imp.path} from outside the bundle`);
  }
  // A module that makes paths from import.meta.url must land as deep below the root as its
  // source is (src/rules/x.ts in dist/chunks/ or dist/cli/, src/cli/parallel/x.ts in
  // dist/cli/parallel/): elsewhere its relative paths would be wrong.
  if (file.endsWith('.js')) {
    for (const input of Object.keys(out.inputs)) {
      if (!input.includes('node_modules/') && input.split('/').length !== file.split('/').length && /import\.meta\.url/.test(readFileSync(join(root, input), 'utf8'))) {
        throw new Error(`bundle.mjs: ${input} uses import.meta.url but landed in ${file}, at another depth below the root: its paths would be wrong`);
      }
    }
  }
}
chmodSync(join(root, 'dist/cli/main.js'), 0o755);
