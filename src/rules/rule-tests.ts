import type { Problem } from '../parse/problem.js';
/**
 * Rule tests as data: `<rules dir>/tests/<rule id>.yaml` (format in docs/rules.md, "Rule
 * tests"). This module is pure: it reads the text of a test file into cases and judges the
 * report a case's inputs gave. Reading the files, the inputs and running the analysis are the
 * caller's (the CLI's `rules test`, and the vitest suite through the same function).
 */
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import type { Finding, NotEvaluated } from './engine.js';
import { issue } from './load.js';
import { SEVERITIES } from './schema.js';

/** A string compared exactly, or by a part it contains, or by a regular expression. */
const Text = z.union([z.string(), z.object({ contains: z.string() }).strict(), z.object({ matches: z.string() }).strict()]);

/** Any value: compared as `match` says (objects partly, arrays element by element). */
const Any: z.ZodType<unknown> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(Any), z.record(z.string(), Any)]));

/** What a test may say about one finding; the names are those of a finding in the JSON report. */
const FindingMatcher = z
  .object({
    severity: z.enum(SEVERITIES).optional(),
    host: z.union([Text, z.null()]).optional(),
    series: Text.optional(),
    first_seen: z.union([z.string(), z.null()]).optional(),
    last_seen: z.union([z.string(), z.null()]).optional(),
    count: z.number().optional(),
    title: Text.optional(),
    message: Text.optional(),
    evidence: z.array(Any).optional(),
    escalated: Any.optional(),
    peak_value: z.union([z.number(), z.null()]).optional(),
    limits: z.array(Any).optional(),
    notes: z.array(Text).optional(),
  })
  .strict();

const Input = z.union([
  z.string().min(1),
  z.object({ text: z.string().min(1) }).strict(),
  z.object({ paste: z.array(z.string().min(1)).min(1) }).strict(),
]);

const Expect = z
  .object({
    severity: z.enum(SEVERITIES).optional(),
    silent: z.literal(true).optional(),
    not_evaluated: z.array(z.string()).min(1).optional(),
    findings: z.array(FindingMatcher).min(1).optional(),
  })
  .strict()
  .refine((e) => [e.severity !== undefined || e.findings !== undefined, e.silent, e.not_evaluated].filter(Boolean).length === 1, {
    message: 'say exactly one of: severity and/or findings (the rule fires), silent: true, not_evaluated: [fields]',
  });

const Case = z
  .object({
    name: z.string().min(1),
    inputs: z.array(Input).min(1),
    limits: z.record(z.string(), z.number()).optional(),
    params: z.record(z.string(), z.number()).optional(),
    expect: Expect,
  })
  .strict();

const TestFile = z.object({ rule: z.string().regex(/^[a-z0-9][a-z0-9-]*$/).optional(), cases: z.array(Case).min(1) }).strict();

export type FindingExpectation = z.infer<typeof FindingMatcher>;
export type CaseExpectation = z.infer<typeof Expect>;

/** One case of a test file, ready for the caller to run. */
export interface RuleTestCase {
  /** The test file and the line the case starts on. */
  file: string;
  line: number;
  rule: string;
  name: string;
  /** Files, directories and archives, as written (relative to the test file's folder). */
  paths: string[];
  /**
   * Text read as one paste on stdin (`-`), in order: inline `text`, and the files a `paste`
   * names (relative to the test file's folder), joined as `cat` joins them. Empty: no stdin.
   */
  stdin: ({ text: string } | { file: string })[];
  limits: Record<string, number>;
  /** Params of the rule under test (`--param RULE.NAME=VALUE`). */
  params: Record<string, number>;
  expect: CaseExpectation;
}

/** The parts of an analysis report a rule test judges. */
export interface RuleTestReport {
  inputs: { failed: { source: string; reason: string }[] };
  rules: string[];
  findings: Finding[];
  not_evaluated: NotEvaluated[];
}

type Path = (string | number)[];

function lineOf(doc: Document, lc: LineCounter, path: Path): number {
  for (let n = path.length; n >= 0; n--) {
    let node: unknown = doc.getIn(path.slice(0, n), true);
    if (!node && n > 0) {
      const parent = doc.getIn(path.slice(0, n - 1), true);
      if (isMap(parent)) node = parent.items.find((p) => isScalar(p.key) && p.key.value === path[n - 1])?.key;
    }
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return lc.linePos(range[0]).line;
  }
  return 1;
}

/**
 * Parse one test file. The rule under test is `rule:`, else the file name without `.yaml`.
 * Every problem is a Problem with its line; cases are returned only when there is none.
 */
export function parseRuleTests(text: string, file: string): { cases: RuleTestCase[]; issues: Problem[] } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const issues: Problem[] = doc.errors.map((e) => issue(file, e.linePos?.[0].line ?? 1, `YAML: ${e.message.split('\n')[0]}`));
  if (issues.length) return { cases: [], issues };
  const parsed = TestFile.safeParse(doc.toJS());
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      if (i.code === 'unrecognized_keys') {
        for (const k of i.keys) issues.push(issue(file, lineOf(doc, lc, [...(i.path as Path), k]), `unknown field "${[...i.path, k].join('.')}"`));
      } else {
        issues.push(issue(file, lineOf(doc, lc, i.path as Path), `${i.path.join('.') || '(test file)'}: ${i.message}`));
      }
    }
    return { cases: [], issues };
  }
  const rule = parsed.data.rule ?? (file.split(/[\\/]/).pop() ?? file).replace(/\.ya?ml$/, '');
  const cases = parsed.data.cases.map((c, i): RuleTestCase => {
    const paths: string[] = [];
    const stdin: RuleTestCase['stdin'] = [];
    for (const x of c.inputs) {
      if (typeof x === 'string') paths.push(x);
      else if ('text' in x) stdin.push({ text: x.text });
      else for (const f of x.paste) stdin.push({ file: f });
    }
    return {
      file, line: lineOf(doc, lc, ['cases', i]), rule, name: c.name, paths, stdin,
      limits: c.limits ?? {}, params: c.params ?? {}, expect: c.expect,
    };
  });
  return { cases, issues };
}

/**
 * How `actual` differs from `expected`, as lines (none: it matches). Objects are compared on
 * the keys `expected` names, arrays element by element and by length, strings exactly or by
 * `{contains}` / `{matches}` (a regular expression), everything else with ===.
 */
export function mismatches(actual: unknown, expected: unknown, at = ''): string[] {
  const show = (v: unknown) => (typeof v === 'string' && v.length > 300 ? JSON.stringify(v.slice(0, 300)) + '…' : JSON.stringify(v));
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${at}: expected a list, got ${show(actual)}`];
    const out: string[] = [];
    if (actual.length !== expected.length) out.push(`${at}: expected ${expected.length} item(s), got ${actual.length}`);
    expected.forEach((e, i) => { if (i < actual.length) out.push(...mismatches(actual[i], e, `${at}[${i}]`)); });
    return out;
  }
  if (expected !== null && typeof expected === 'object') {
    const e = expected as Record<string, unknown>;
    const keys = Object.keys(e);
    if (keys.length === 1 && keys[0] === 'contains' && typeof e.contains === 'string') {
      return typeof actual === 'string' && actual.includes(e.contains) ? [] : [`${at}: expected text containing ${show(e.contains)}, got ${show(actual)}`];
    }
    if (keys.length === 1 && keys[0] === 'matches' && typeof e.matches === 'string') {
      return typeof actual === 'string' && new RegExp(e.matches).test(actual) ? [] : [`${at}: expected text matching /${e.matches}/, got ${show(actual)}`];
    }
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return [`${at}: expected an object, got ${show(actual)}`];
    const a = actual as Record<string, unknown>;
    return keys.flatMap((k) => (Object.hasOwn(a, k) ? mismatches(a[k], e[k], at ? `${at}.${k}` : k) : [`${at ? `${at}.` : ''}${k}: absent (expected ${show(e[k])})`]));
  }
  return actual === expected ? [] : [`${at}: expected ${show(expected)}, got ${show(actual)}`];
}

/** What every finding must be, whatever the case expects: a message with no hole left unfilled, evidence with file:line. */
function findingDefects(f: Finding): string[] {
  const out: string[] = [];
  const hole = /absent|undefined|NaN/.exec(f.message);
  if (hole) out.push(`finding on ${f.series}: the message says "${hole[0]}": ${f.message}`);
  if (f.evidence.length === 0) out.push(`finding on ${f.series}: no evidence rows`);
  else if (!/:\d+$/.test(f.evidence[0]!.source)) out.push(`finding on ${f.series}: evidence source without :line: ${f.evidence[0]!.source}`);
  return out;
}

const summary = (f: Finding) => `${f.severity} on ${f.series} (${f.first_seen ?? 'no time'}, ${f.count} snapshot(s)): ${f.message.length > 200 ? f.message.slice(0, 200) + '…' : f.message}`;

/** Why a case failed, one line per reason (none: it passed). */
export function judgeRuleTest(c: RuleTestCase, report: RuleTestReport): string[] {
  if (!report.rules.includes(c.rule)) return [`rule ${c.rule} is not loaded (no rule file with this id)`];
  // An input that gave nothing (a wrong path) would make any expectation of silence pass.
  const out = report.inputs.failed.map((p) => `input ${p.source} gave nothing: ${p.reason}`);
  const mine = report.findings.filter((f) => f.rule === c.rule);
  const ne = report.not_evaluated.filter((n) => n.rule === c.rule);
  out.push(...mine.flatMap(findingDefects));
  const e = c.expect;
  const neLines = ne.map((n) => `not evaluated on ${n.series}: missing ${n.missing.join(', ')}`);
  if (e.silent) {
    if (mine.length) out.push(`expected silence, got ${mine.length} finding(s):`, ...mine.map((f) => `  ${summary(f)}`));
    out.push(...neLines.map((l) => `expected silence (evaluated, no finding), ${l}`));
  } else if (e.not_evaluated) {
    if (mine.length) out.push(`expected not evaluated, got ${mine.length} finding(s):`, ...mine.map((f) => `  ${summary(f)}`));
    if (!ne.length) out.push(`expected not evaluated (missing ${e.not_evaluated.join(', ')}), but the rule was evaluated`);
    for (const n of ne) out.push(...mismatches(n.missing, e.not_evaluated, `not_evaluated on ${n.series}`));
  } else {
    if (!mine.length) out.push(`expected the rule to fire, it did not${ne.length ? ` (${neLines.join('; ')})` : ''}`);
    if (e.severity !== undefined && mine.length && !mine.some((f) => f.severity === e.severity)) {
      out.push(`expected a ${e.severity} finding, got ${[...new Set(mine.map((f) => f.severity))].join(', ')}`);
    }
    if (e.findings) {
      if (mine.length !== e.findings.length) out.push(`expected ${e.findings.length} finding(s), got ${mine.length}:`, ...mine.map((f) => `  ${summary(f)}`));
      e.findings.forEach((m, i) => { if (i < mine.length) out.push(...mismatches(mine[i], m, `findings[${i}]`)); });
    }
  }
  return out;
}
