// Bundles after `tsc` (npm run build): dist/cli/main.js (a small entry that may start
// export workers first, then loads the CLI as a chunk), dist/parallel/worker.js and the
// library entry dist/index.js, with every dependency, sharing chunks in dist/chunks/.
// Node 20 loads each ES module file separately (yargs alone is ~40), which cost the CLI
// ~0.1 s of its ~0.3 s start-up, and as much again for each export worker. And since the
// bundle holds the libraries, the published package has no runtime dependencies: they
// are devDependencies, and an install is the package alone (well under 5 MB instead of
// ~25 MB; test/install.test.ts holds the bound). The package ships only these bundles and
// tsc's .d.ts files (package.json "files"); tsc's other .js files stay for the tests.
// Code that makes paths from import.meta.url (the built-in rules/) must sit two folders
// below the project root, as its tsc counterpart does: in dist/chunks/, dist/cli/ or
// dist/parallel/, never in the one-folder dist/index.js (checked below).
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
  entryPoints: { 'cli/main': 'src/cli/main.ts', 'parallel/worker': 'src/parallel/worker.ts', index: 'src/index.ts', 'parallel/analyze-worker': 'src/parallel/analyze-worker.ts' },
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
  if (file === 'dist/index.js') {
    for (const input of Object.keys(out.inputs)) {
      if (!input.startsWith('node_modules/') && /import\.meta\.url/.test(readFileSync(join(root, input), 'utf8'))) {
        throw new Error(`bundle.mjs: ${input} uses import.meta.url but landed in dist/index.js, one folder below the root: its paths would be wrong`);
      }
    }
  }
}
chmodSync(join(root, 'dist/cli/main.js'), 0o755);
