import type { Problem } from '../parse/problem.js';
import type { TextFile } from '../ingest/rule-files.js';
import { compileRule, type CompiledRule } from './load.js';

export interface RuleSetOptions {
  /** `--param id.name=value`, as { id: { name: value } }. */
  params?: Record<string, Record<string, number>>;
  /** `--disable ID`. */
  disable?: string[];
}

export interface RuleSet {
  rules: CompiledRule[];
  /** Things a user should know (a custom rule replacing a built-in). */
  notices: string[];
  /** Errors that stop a run: broken rule files, unknown ids or params on the command line. */
  errors: string[];
  issues: Problem[];
}

/**
 * Built-in rules, then each `--rules DIR` in order: a rule with an id already
 * loaded replaces it (with a notice). Then `--disable` and `--param` apply.
 */
export function buildRuleSet(builtin: TextFile[], custom: TextFile[][], opts: RuleSetOptions = {}): RuleSet {
  const byId = new Map<string, CompiledRule>();
  const notices: string[] = [];
  const errors: string[] = [];
  const issues: Problem[] = [];
  const add = (f: TextFile, isCustom: boolean) => {
    const r = compileRule(f.text, f.file, opts.params ?? {});
    issues.push(...r.issues);
    if (!r.rule) {
      errors.push(...r.issues.map((i) => `${i.source}: ${i.reason}`));
      return;
    }
    const old = byId.get(r.rule.id);
    if (old) {
      if (isCustom) notices.push(`rule ${r.rule.id} from ${f.file} replaces the one from ${old.file}`);
      else errors.push(`${f.file}: duplicate rule id ${r.rule.id} (also in ${old.file})`);
    }
    byId.set(r.rule.id, r.rule);
  };
  for (const f of builtin) add(f, false);
  for (const dir of custom) for (const f of dir) add(f, true);
  for (const id of opts.disable ?? []) {
    if (!byId.delete(id)) errors.push(`--disable ${id}: no such rule`);
  }
  for (const [id, ps] of Object.entries(opts.params ?? {})) {
    const r = byId.get(id);
    if (!r) {
      if (!(opts.disable ?? []).includes(id)) errors.push(`--param ${id}.*: no such rule`);
      continue;
    }
    for (const name of Object.keys(ps)) {
      if (!Object.hasOwn(r.params, name)) errors.push(`--param ${id}.${name}: rule ${id} has no param ${name} (it has: ${Object.keys(r.params).join(', ') || 'none'})`);
    }
  }
  const rules = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { rules, notices, errors, issues };
}
