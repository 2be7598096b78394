/**
 * Stage boundaries (issue 15.3), enforced. Every `src/**\/*.ts` file is read with the
 * TypeScript parser (already a dev dependency; no regex to fool with comments or strings):
 * its static imports, `export ... from` and dynamic `import()`, and its use of files and of
 * `process`. The rules and their exceptions are described in docs/architecture.md.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

/**
 * Rank of each stage: a file may import files of its own stage and of stages with a LOWER
 * rank only. Two stages with the same rank may not import each other. The order is the
 * dependency order of the code, not the order data flows in: parsers are pure functions of
 * text and the format registry (src/parse/formats/) is consulted by segment and ingest, so
 * parse is the base; the segmenter (lines → blocks, timestamps) needs only parse; ingest
 * (files, archives, bundles) uses parse and segment's time parsing to date bundle files, and
 * nothing below it may reach the code that reads files.
 */
const STAGE_RANK: Record<string, number> = {
  'parse': 0,
  'version.ts': 0,
  'options.ts': 0, // the options table: plain data, read by the CLI and by cli/parallel/prefork.ts
  'segment': 1,
  'ingest': 2,
  'normalize': 3,
  'fast': 3.5, // the byte-level path: parse, segment and normalize's record; imported by src/pipeline.ts only
  'series': 4,
  'rules': 5,
  'report': 6,
  'pipeline.ts': 7,
  'analyze.ts': 8,
  'export.ts': 8,
  'index.ts': 9, // the library entry: nothing imports it
  'cli': 10,
};

/**
 * Today's imports against the order, each with its reason and the issue item that removes
 * it. An entry that is no longer needed fails the test too: delete it when its fix lands.
 */
const ORDER_EXCEPTIONS: Record<string, string> = {
};

/** Modules that touch files, and modules that touch the process (or start others). */
const FILE_MODULES = new Set(['fs', 'fs/promises']);
const PROCESS_MODULES = new Set(['process', 'child_process', 'worker_threads', 'cluster']);
/**
 * Documented rule: only ingest and cli touch files and the process (ingest runs the system's
 * xz/bzip2 decoders; the CLI reads argv, stdin and writes the outputs).
 */
const MAY_TOUCH_FILES = new Set(['ingest', 'cli']);
const MAY_TOUCH_PROCESS = new Set(['ingest', 'cli']);

/**
 * Exceptions to the file/process rule: none today. (src/parallel/, which forks the `-j`
 * workers, stats the inputs and writes from the workers, moved under the CLI.)
 * Key: `file uses capability` (capability: files | process). Stale entries fail the test.
 */
const IO_EXCEPTIONS: Record<string, string> = {};

interface Edge {
  from: string; // repository-relative, e.g. src/cli/cli.ts
  to: string;
  dynamic: boolean;
}

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listTs(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out.sort();
}

/** `src/<stage>/…` → stage; `src/<file>.ts` → the file name. */
function stageOf(rel: string): string {
  return rel.split('/')[1]!;
}

interface Scan {
  specifiers: { spec: string; dynamic: boolean }[];
  usesProcessGlobal: boolean;
}

/** Imports (static, `export from`, dynamic) and uses of the `process` global of one source. */
function scanSource(text: string, fileName = 'x.ts'): Scan {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const specifiers: Scan['specifiers'] = [];
  let usesProcessGlobal = false;
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier
      && ts.isStringLiteral(node.moduleSpecifier)) {
      specifiers.push({ spec: node.moduleSpecifier.text, dynamic: false });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      // A computed specifier could hide any edge: forbid it outright.
      specifiers.push({ spec: arg && ts.isStringLiteralLike(arg) ? arg.text : '<computed>', dynamic: true });
    } else if (ts.isIdentifier(node) && node.text === 'process') {
      const p = node.parent;
      // `process.x`, `process[x]`, `globalThis.process`, or `process` passed as a value.
      const asValue = (ts.isPropertyAccessExpression(p) && (p.expression === node || p.name === node))
        || (ts.isElementAccessExpression(p) && p.expression === node)
        || ts.isCallExpression(p) || ts.isVariableDeclaration(p) && p.initializer === node
        || ts.isShorthandPropertyAssignment(p);
      if (asValue) usesProcessGlobal = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { specifiers, usesProcessGlobal };
}

const files = listTs(SRC).map((abs) => relative(ROOT, abs).split('\\').join('/'));
const edges: Edge[] = [];
const unresolved: string[] = [];
const io = new Map<string, Set<'files' | 'process'>>();

for (const rel of files) {
  const scan = scanSource(readFileSync(join(ROOT, rel), 'utf8'), rel);
  const uses = new Set<'files' | 'process'>();
  if (scan.usesProcessGlobal) uses.add('process');
  for (const { spec, dynamic } of scan.specifiers) {
    if (spec.startsWith('.')) {
      const target = resolve(ROOT, dirname(rel), spec).replace(/\.js$/, '.ts');
      const to = relative(ROOT, target).split('\\').join('/');
      if (!existsSync(target) || !to.startsWith('src/')) unresolved.push(`${rel}: ${spec}`);
      else edges.push({ from: rel, to, dynamic });
    } else if (spec === '<computed>') {
      unresolved.push(`${rel}: import() with a computed specifier`);
    } else {
      const mod = spec.replace(/^node:/, '');
      if (FILE_MODULES.has(mod)) uses.add('files');
      if (PROCESS_MODULES.has(mod)) uses.add('process');
    }
  }
  if (uses.size) io.set(rel, uses);
}

/**
 * Import circles between files (type-only imports included: a circle of types is a circle of
 * design). Today's, each with its reason; a stale entry fails the test too. Key: the files of
 * the circle, sorted, joined with ' <-> '.
 */
const CYCLE_EXCEPTIONS: Record<string, string> = {
  'src/cli/common.ts <-> src/cli/io.ts': 'the CliIo type (io.ts) and UsageError (common.ts), within the CLI',
};

/** The circles of a graph: its strongly connected components of more than one file (Tarjan). */
function cycles(es: readonly Edge[]): string[] {
  const next = new Map<string, string[]>();
  for (const e of es) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[] = [];
  let n = 0;
  const visit = (v: string): void => {
    index.set(v, n);
    low.set(v, n++);
    stack.push(v);
    on.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) out.push(c.sort().join(' <-> '));
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return out.sort();
}

function orderViolations(es: readonly Edge[]): string[] {
  const out: string[] = [];
  for (const e of es) {
    const a = stageOf(e.from);
    const b = stageOf(e.to);
    if (a === b) continue;
    if (STAGE_RANK[a]! <= STAGE_RANK[b]!) out.push(`${e.from} -> ${e.to}`);
  }
  return out;
}

function ioViolations(m: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const out: string[] = [];
  for (const [rel, uses] of m) {
    const stage = stageOf(rel);
    if (uses.has('files') && !MAY_TOUCH_FILES.has(stage)) out.push(`${rel} uses files`);
    if (uses.has('process') && !MAY_TOUCH_PROCESS.has(stage)) out.push(`${rel} uses process`);
  }
  return out;
}

describe('stage boundaries (docs/architecture.md)', () => {
  it('the scan sees the real graph: every relative import resolves, known edges are found', () => {
    expect(unresolved).toEqual([]);
    expect(files.length).toBeGreaterThan(50);
    expect(edges.length).toBeGreaterThan(200);
    const has = (from: string, to: string, dynamic: boolean) =>
      edges.some((e) => e.from === from && e.to === to && e.dynamic === dynamic);
    expect(has('src/cli/cli.ts', 'src/cli/parallel/export.ts', true)).toBe(true); // import()
    expect(has('src/segment/segmenter.ts', 'src/parse/formats/index.ts', false)).toBe(true);
    expect(has('src/parse/index.ts', 'src/parse/sysctl.ts', false)).toBe(true); // export * from
    const cross = edges.filter((e) => stageOf(e.from) !== stageOf(e.to));
    console.log(`boundaries: ${files.length} files, ${edges.length} relative import edges, ${cross.length} across stages`);
  });

  it('every file belongs to a ranked stage (a new folder or top-level file needs a rank here)', () => {
    expect(files.map(stageOf).filter((s) => !(s in STAGE_RANK))).toEqual([]);
  });

  it('imports point from later stages to earlier ones only (allowlisted exceptions aside)', () => {
    const found = orderViolations(edges);
    expect(found.filter((v) => !(v in ORDER_EXCEPTIONS))).toEqual([]);
    // Stale exceptions: the fix landed, remove the entry.
    expect(Object.keys(ORDER_EXCEPTIONS).filter((k) => !found.includes(k))).toEqual([]);
  });

  it('no import circles between files (allowlisted exceptions aside)', () => {
    const found = cycles(edges);
    expect(found.filter((c) => !(c in CYCLE_EXCEPTIONS))).toEqual([]);
    expect(Object.keys(CYCLE_EXCEPTIONS).filter((k) => !found.includes(k))).toEqual([]);
    // The check finds a circle where there is one.
    expect(cycles([
      { from: 'src/ingest/sources.ts', to: 'src/ingest/archive.ts', dynamic: false },
      { from: 'src/ingest/archive.ts', to: 'src/ingest/sources.ts', dynamic: false },
      { from: 'src/ingest/archive.ts', to: 'src/ingest/tree.ts', dynamic: false },
    ])).toEqual(['src/ingest/archive.ts <-> src/ingest/sources.ts']);
  });

  it('the byte-level path (src/fast/) is imported by src/pipeline.ts only', () => {
    const into = edges.filter((e) => stageOf(e.to) === 'fast' && stageOf(e.from) !== 'fast').map((e) => e.from);
    expect([...new Set(into)]).toEqual(['src/pipeline.ts']);
  });

  it('parse is the base layer: no import from another stage, no files, no process', () => {
    expect(edges.filter((e) => stageOf(e.from) === 'parse' && stageOf(e.to) !== 'parse')).toEqual([]);
    expect([...io.keys()].filter((f) => stageOf(f) === 'parse')).toEqual([]);
  });

  it('only ingest and cli touch files and the process (allowlisted exceptions aside)', () => {
    const found = ioViolations(io);
    expect(found.filter((v) => !(v in IO_EXCEPTIONS))).toEqual([]);
    expect(Object.keys(IO_EXCEPTIONS).filter((k) => !found.includes(k))).toEqual([]);
  });

  it('the checks catch what they are for (synthetic sources)', () => {
    const s = scanSource([
      "import { a } from '../report/rows.js';",
      "import type { B } from '../analyze.js';",
      "export { c } from './c.js';",
      "export * from \"./d.js\";",
      "const m = await import('../cli/cli.js');",
      "import { readFileSync } from 'node:fs';",
      "// import { x } from '../cli/io.js'; process.exit(1)",
      "const s = 'sos_commands/process/lsof';",
      "const env = process.env.HOME;",
    ].join('\n'));
    expect(s.specifiers).toEqual([
      { spec: '../report/rows.js', dynamic: false },
      { spec: '../analyze.js', dynamic: false },
      { spec: './c.js', dynamic: false },
      { spec: './d.js', dynamic: false },
      { spec: '../cli/cli.js', dynamic: true },
      { spec: 'node:fs', dynamic: false },
    ]);
    expect(s.usesProcessGlobal).toBe(true);
    expect(scanSource("const s = 'a process'; // process.env").usesProcessGlobal).toBe(false);
    expect(orderViolations([
      { from: 'src/parse/ss.ts', to: 'src/segment/segmenter.ts', dynamic: false },
      { from: 'src/fast/scanner.ts', to: 'src/parse/listing.ts', dynamic: false },
      { from: 'src/version.ts', to: 'src/parse/ss.ts', dynamic: false },
      { from: 'src/normalize/record.ts', to: 'src/normalize/merge.ts', dynamic: false },
    ])).toEqual(['src/parse/ss.ts -> src/segment/segmenter.ts', 'src/version.ts -> src/parse/ss.ts']);
    expect(ioViolations(new Map([
      ['src/series/series.ts', new Set(['files'])],
      ['src/ingest/tree.ts', new Set(['files'])],
      ['src/ingest/decompress.ts', new Set(['process'])],
      ['src/report/rows.ts', new Set(['process'])],
      ['src/cli/io.ts', new Set(['files', 'process'])],
    ]))).toEqual(['src/series/series.ts uses files', 'src/report/rows.ts uses process']);
  });
});
