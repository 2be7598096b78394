import type { Problem } from '../parse/problem.js';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { analyze, loadRules } from '../analyze.js';
import { BUILTIN_RULES_DIR, readRuleFiles, readRuleTestFiles } from '../ingest/rule-files.js';
import { format } from '../rules/expr.js';
import { compileRule } from '../rules/load.js';
import { judgeRuleTest, parseRuleTests, type RuleTestCase } from '../rules/rule-tests.js';
import { UsageError } from './common.js';
import type { CliIo } from './io.js';

export async function rulesList(dirs: string[] | undefined, io: CliIo): Promise<number> {
  const w = (s: string) => io.stdout.write(s);
  const set = await loadRules(dirs?.length ? { rulesDirs: dirs } : {});
  if (set.errors.length) throw new UsageError(set.errors.join('\n'));
  const rows = set.rules.map((r) => [r.id, r.def.severity, r.def.scope, r.def.title]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((x) => x[i]!.length), ['id', 'severity', 'scope'][i]!.length));
  const line = (x: string[]) => x.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c)).join('  ') + '\n';
  w(line(['id', 'severity', 'scope', 'title']));
  for (const r of rows) w(line(r));
  for (const n of set.notices) io.stderr.write(`sockscope: ${n}\n`);
  return 0;
}

export async function rulesShow(id: string, dirs: string[] | undefined, io: CliIo): Promise<number> {
  const w = (s: string) => io.stdout.write(s);
  const set = await loadRules(dirs?.length ? { rulesDirs: dirs } : {});
  const r = set.rules.find((x) => x.id === id);
  if (!r) throw new UsageError(`no rule ${id} (try: sockscope rules list)`);
  const d = r.def;
  w(`${d.id}: ${d.title}\n`);
  w(`severity ${d.severity}, scope ${d.scope}, file ${r.file}\n\n`);
  w(`when: ${format(r.when)}\n`);
  for (const l of r.levels) w(`  ${l.severity} when: ${format(l.when)}\n`);
  w('\nparams:\n');
  for (const [name, p] of Object.entries(r.params)) w(`  ${name} = ${p.value}${p.value !== p.default ? ` (default ${p.default})` : ''}${p.description ? `  ${p.description}` : ''}\n`);
  w(`\nexplain:\n${indent(d.explain)}\nremediation:\n${indent(d.remediation)}\n`);
  if (d.references.length) {
    w('references:\n');
    for (const ref of d.references) w(`  ${typeof ref === 'string' ? ref : `${ref.title}: ${ref.url}`}\n`);
  }
  return 0;
}

function indent(t: string): string {
  return t.trimEnd().split('\n').map((l) => `  ${l}`).join('\n') + '\n';
}

/** Check every rule file of DIR; each problem as file:line: message; exit 2 on any. */
export async function rulesLint(dir: string, io: CliIo): Promise<number> {
  const w = (s: string) => io.stdout.write(s);
  let files;
  try {
    files = await readRuleFiles(dir);
  } catch (e) {
    throw new UsageError(`rules lint ${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let bad = 0;
  const ids = new Map<string, string>();
  for (const f of files) {
    const r = compileRule(f.text, f.file);
    for (const i of r.issues) {
      w(`${i.source}: ${i.reason}\n`);
      bad++;
    }
    if (r.rule) {
      const prev = ids.get(r.rule.id);
      if (prev) {
        w(`${f.file}:1: duplicate rule id ${r.rule.id} (also in ${prev})\n`);
        bad++;
      }
      ids.set(r.rule.id, f.file);
    }
  }
  if (files.length === 0) {
    w(`${dir}: no .yaml rule files\n`);
    return 2;
  }
  w(bad ? `${bad} problem(s) in ${files.length} file(s)\n` : `${files.length} rule file(s) OK\n`);
  return bad ? 2 : 0;
}

export interface RuleTests {
  /** Test files read from DIR/tests/. */
  files: number;
  cases: RuleTestCase[];
  /** Broken test files (YAML, unknown fields, ...), with file:line. */
  issues: Problem[];
  /** Rules defined in DIR that no test names. */
  untested: string[];
}

/** The tests beside a rules folder (`DIR/tests/*.yaml`), and the rules of DIR that have none. */
export async function loadRuleTests(dir: string): Promise<RuleTests> {
  const testFiles = await readRuleTestFiles(dir);
  const cases: RuleTestCase[] = [];
  const issues: Problem[] = [];
  for (const f of testFiles) {
    const r = parseRuleTests(f.text, f.file);
    cases.push(...r.cases);
    issues.push(...r.issues);
  }
  const ids = (await readRuleFiles(dir)).map((f) => compileRule(f.text, f.file).rule?.id).filter((id): id is string => id !== undefined);
  return { files: testFiles.length, cases, issues, untested: ids.filter((id) => !cases.some((c) => c.rule === id)) };
}

/**
 * Run one case as `sockscope analyze` would with `--rules DIR` (no `--rules` for the built-in
 * folder), the case's `--limit`s and `--param`s: why it failed, one line per reason (none: passed).
 */
export async function runRuleTest(c: RuleTestCase, rulesDir: string): Promise<string[]> {
  const base = dirname(c.file);
  const at = (p: string) => (isAbsolute(p) ? p : join(base, p));
  let stdin: Readable | undefined;
  try {
    if (c.stdin.length) {
      const parts = await Promise.all(c.stdin.map((p) => ('text' in p ? p.text : readFile(at(p.file), 'utf8'))));
      stdin = Readable.from([parts.join('')]);
    }
  } catch (e) {
    return [`paste: ${(e as Error).message}`];
  }
  const inputs = [...c.paths.map(at), ...(stdin ? ['-'] : [])];
  try {
    const report = await analyze(inputs, {
      ...(resolve(rulesDir) === resolve(BUILTIN_RULES_DIR) ? {} : { rulesDirs: [rulesDir] }),
      limits: c.limits,
      ...(Object.keys(c.params).length ? { params: { [c.rule]: c.params } } : {}),
      ...(stdin ? { stdin } : {}),
    });
    return judgeRuleTest(c, report);
  } catch (e) {
    return [`analysis failed: ${(e as Error).message}`];
  }
}

/** `rules test DIR`: every case of DIR/tests/, one line each; exit 1 when a case fails, 2 when a test file is broken or missing. */
export async function rulesTest(dir: string, io: CliIo): Promise<number> {
  const w = (s: string) => io.stdout.write(s);
  let t: RuleTests;
  try {
    t = await loadRuleTests(dir);
  } catch (e) {
    throw new UsageError(`rules test ${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  for (const i of t.issues) w(`${i.source}: ${i.reason}\n`);
  if (t.files === 0) {
    w(`${dir}: no rule tests (one file per rule: ${join(dir, 'tests', '<rule id>.yaml')})\n`);
    return 2;
  }
  let failed = 0;
  for (const c of t.cases) {
    const why = await runRuleTest(c, dir);
    w(`${why.length ? 'FAIL' : 'ok  '} ${c.file}:${c.line} ${c.rule}: ${c.name}\n`);
    for (const l of why) w(`       ${l}\n`);
    if (why.length) failed++;
  }
  for (const id of t.untested) w(`note: rule ${id} has no test in ${join(dir, 'tests')}\n`);
  w(`${t.cases.length} case(s) in ${t.files} file(s): ${t.cases.length - failed} passed, ${failed} failed${t.issues.length ? `, ${t.issues.length} problem(s) in test files` : ''}\n`);
  return t.issues.length ? 2 : failed ? 1 : 0;
}
