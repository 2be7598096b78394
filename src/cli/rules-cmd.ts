import { loadRules } from '../analyze.js';
import { readRuleFiles } from '../ingest/rule-files.js';
import { format } from '../rules/expr.js';
import { compileRule } from '../rules/load.js';
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
      w(`${i.file}:${i.line}: ${i.message}\n`);
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
