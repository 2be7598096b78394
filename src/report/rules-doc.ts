/**
 * The rule reference of docs/rules.md, generated from the rule files: everything after the
 * marker line is this function's output (`npm run docs:rules` writes it, a test checks it).
 */
import { format, references } from '../rules/expr.js';
import type { CompiledRule } from '../rules/load.js';
import { DERIVED } from '../rules/names.js';

/** The line that ends the hand-written part of docs/rules.md. */
export const RULES_DOC_MARKER = '<!-- Generated from rules/*.yaml by `npm run docs:rules`: edit the rule files, not the text below. -->';

/** Inline code that may itself hold backticks. */
function code(s: string): string {
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = longest ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

/** A YAML block of prose as markdown paragraphs (its line breaks are only wrapping). */
function paragraphs(text: string): string {
  return text.trim().split(/\n\s*\n/).map((p) => p.split('\n').map((l) => l.trim()).join(' ')).join('\n\n');
}

/** The reference section of one rule. */
export function ruleSection(r: CompiledRule): string {
  const d = r.def;
  const out: string[] = [`### ${r.id}`, ''];
  const levels = r.levels.map((l) => `; ${l.severity} when ${code(format(l.when))}`).join('');
  out.push(`${d.title} — ${d.severity}, ${d.scope}. ${code(`when: ${format(r.when)}`)}${levels}`, '');
  const params = Object.entries(r.params);
  if (params.length) {
    out.push('| param | default | meaning |', '|---|---:|---|');
    for (const [name, p] of params) out.push(`| \`${name}\` | ${p.default} | ${(p.description ?? '').replace(/\|/g, '\\|')} |`);
    out.push('');
  }
  out.push(paragraphs(d.explain), '');
  if (d.attribution !== undefined) {
    const names = [...new Set((r.attribution ?? []).flatMap((p) => ('expr' in p ? references(p.expr).idents.map((i) => i.name) : [])))];
    const what = names.map((n) =>
      Object.hasOwn(DERIVED, n) ? `\`${n}\`: ${DERIVED[n as keyof typeof DERIVED]}`
        : n.startsWith('limits.') ? `\`${n}\`: a kernel limit from the inputs (\`sysctl -a\`, \`proc/sys\`) or \`--limit\`` : `\`${n}\``);
    out.push(`When every value it names is known, the message adds: ${code(d.attribution.trim())}${what.length ? ` (${what.join('; ')})` : ''}.`, '');
  }
  if (d.yield_to?.length) {
    out.push(`Drops to ${d.yield_to.map((y) => `${y.severity} when \`${y.rule}\` fires`).join(', ')} for the same host and time.`, '');
  }
  return out.join('\n');
}

/**
 * docs/rules.md with its generated part made again from `rules` (sorted by id): the text up to
 * and including the marker line is kept as it is.
 */
export function rulesDoc(current: string, rules: readonly CompiledRule[]): string {
  const at = current.indexOf(RULES_DOC_MARKER);
  if (at < 0) throw new Error(`docs/rules.md has no marker line ${RULES_DOC_MARKER}`);
  const head = current.slice(0, at + RULES_DOC_MARKER.length);
  const sorted = [...rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return `${head}\n\n## Built-in rules\n\n${sorted.map(ruleSection).join('\n')}`;
}
