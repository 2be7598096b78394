import { problem, type Problem } from '../parse/problem.js';
import { isMap, isScalar, LineCounter, parseDocument, Scalar, visit, type Document } from 'yaml';
import { children, ExprError, parseExpr, references, type Expr } from './expr.js';
import { LOG_FUNCTIONS } from './functions.js';
import { FIELD_ARG_FUNCTIONS, functionsFor, isValueName, LIMIT_IDENTS } from './names.js';
import { RuleSchema, type RuleFile, type Severity } from './schema.js';
import { parseTemplate, type TemplatePart } from './template.js';

/** A problem in a rule file (or a rule test file), at `file:line`. */
export const issue = (file: string, line: number, reason: string): Problem => problem(`${file}:${line}`, reason);

export interface ParamInfo {
  default: number;
  value: number;
  description?: string;
  unit?: string;
}

/** A rule ready to run: its file, params with overrides applied, expressions parsed. */
export interface CompiledRule {
  id: string;
  file: string;
  def: RuleFile;
  params: Record<string, ParamInfo>;
  when: Expr;
  levels: { severity: Severity; when: Expr }[];
  peak: Expr;
  /** Names shown in evidence rows. */
  values: string[];
  /** `limits.*` names the rule reads (shown with their source in findings). */
  limits: string[];
  /** Fields, derived values and counters the rule reads anywhere (the series store keeps those counters). */
  reads: string[];
  /** Kernel log patterns (`log:`). */
  log: { name: string; contains: string[]; match?: RegExp }[];
  messages: { when?: Expr; parts: TemplatePart[] }[];
  attribution?: TemplatePart[];
}

type Path = (string | number)[];

/** A token as the expression language sees one: a name (dots included) or any other single character. */
const TOKEN = /[A-Za-z_][\w.]*|\S/;

/**
 * Where each token of a text starts, by token, made in one pass: finding the n-th
 * occurrence of a token is then a lookup, not a scan of the text (a rule with 20,000
 * unknown names is linted in linear time, not quadratic).
 */
class TokenIndex {
  private readonly starts = new Map<string, number[]>();
  constructor(text: string, from = 0) {
    const re = new RegExp(TOKEN.source, 'g');
    re.lastIndex = from;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const l = this.starts.get(m[0]);
      if (l) l.push(m.index);
      else this.starts.set(m[0], [m.index]);
    }
  }
  /** How many occurrences of `token` start at or before `offset` (at least 1). */
  rank(token: string, offset: number): number {
    const l = this.starts.get(token) ?? [];
    let lo = 0;
    let hi = l.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (l[mid]! <= offset) lo = mid + 1;
      else hi = mid;
    }
    return Math.max(lo, 1);
  }
  /** Start of the n-th occurrence (1-based), or -1. */
  nth(token: string, n: number): number {
    return this.starts.get(token)?.[n - 1] ?? -1;
  }
}

/** Token indexes of one rule file, each made once: expression sources by text, YAML nodes by offset. */
interface LineCache {
  src: Map<string, TokenIndex>;
  raw: Map<number, TokenIndex>;
}

function lineOf(doc: Document, lc: LineCounter, path: Path, offset = 0, src = '', text = '', cache?: LineCache): number {
  let node: unknown = doc.getIn(path, true);
  if (!node && path.length) {
    // Point at the key when the value is missing.
    const parent = doc.getIn(path.slice(0, -1), true);
    if (isMap(parent)) node = parent.items.find((p) => isScalar(p.key) && p.key.value === path[path.length - 1])?.key;
  }
  const range = (node as { range?: [number, number, number] } | undefined)?.range;
  if (!range) return 1;
  const start = lc.linePos(range[0]).line;
  const block = isScalar(node) && (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED);
  if (!src || offset <= 0) return start + (block ? 1 : 0);
  // Find the same token in the raw YAML (folding and quoting change offsets, not tokens):
  // the n-th occurrence in the value is the n-th in the source text of the node.
  const sticky = new RegExp(TOKEN.source, 'y');
  sticky.lastIndex = offset;
  const token = sticky.exec(src)?.[0] ?? '';
  const c: LineCache = cache ?? { src: new Map(), raw: new Map() };
  let inSrc = c.src.get(src);
  if (!inSrc) c.src.set(src, (inSrc = new TokenIndex(src)));
  let inRaw = c.raw.get(range[0]);
  if (!inRaw) {
    // A block scalar's header (`|`, `>-`) is not part of the value.
    const from = block ? text.indexOf('\n', range[0]) + 1 || range[0] : range[0];
    c.raw.set(range[0], (inRaw = new TokenIndex(text.slice(0, range[2]), from)));
  }
  const pos = inRaw.nth(token, inSrc.rank(token, offset));
  return pos >= 0 ? lc.linePos(pos).line : start;
}

/**
 * Parse and check one rule file. Every problem (YAML, schema, unknown field,
 * function, param or limit, bad expression) is reported with its file:line;
 * the rule is returned only when there is none.
 */
export function compileRule(
  text: string,
  file: string,
  overrides: Record<string, Record<string, number>> = {},
): { rule?: CompiledRule; issues: Problem[] } {
  const issues: Problem[] = [];
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const cache: LineCache = { src: new Map(), raw: new Map() };
  for (const e of doc.errors) issues.push(issue(file, e.linePos?.[0].line ?? 1, `YAML: ${e.message.split('\n')[0]}`));
  if (issues.length) return { issues };
  let js: unknown;
  try {
    js = doc.toJS();
  } catch (err) {
    // Aliases that expand without bound (billion laughs): the yaml library stops them; the
    // file is one lint error at its first alias, and the other files are still read.
    let at: number | undefined;
    visit(doc, { Alias: (_k, n) => ((at = n.range?.[0]), visit.BREAK) });
    issues.push(issue(file, at !== undefined ? lc.linePos(at).line : 1, `YAML: ${(err as Error).message}`));
    return { issues };
  }
  const parsed = RuleSchema.safeParse(js);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      if (i.code === 'unrecognized_keys') {
        for (const k of i.keys) issues.push(issue(file, lineOf(doc, lc, [...(i.path as Path), k]), `unknown field "${[...i.path, k].join('.')}"`));
      } else {
        issues.push(issue(file, lineOf(doc, lc, i.path as Path), `${i.path.join('.') || '(rule)'}: ${i.message}`));
      }
    }
    return { issues };
  }
  const def = parsed.data;
  const params: Record<string, ParamInfo> = Object.create(null) as Record<string, ParamInfo>;
  for (const [name, p] of Object.entries(def.params)) {
    const info: ParamInfo = typeof p === 'number' ? { default: p, value: p } : { default: p.default, value: p.default };
    if (typeof p !== 'number') {
      if (p.description) info.description = p.description;
      if (p.unit) info.unit = p.unit;
    }
    params[name] = info;
  }
  for (const [name, v] of Object.entries((Object.hasOwn(overrides, def.id) ? overrides[def.id] : undefined) ?? {})) {
    if (Object.hasOwn(params, name)) params[name]!.value = v;
  }
  const fns = functionsFor(def.scope);
  const limits = new Set<string>();
  const reads = new Set<string>();

  const log: CompiledRule['log'] = [];
  (def.log ?? []).forEach((p, i) => {
    const entry: CompiledRule['log'][number] = { name: p.name, contains: typeof p.contains === 'string' ? [p.contains] : p.contains };
    if (p.match !== undefined) {
      try {
        entry.match = new RegExp(p.match);
      } catch (err) {
        issues.push(issue(file, lineOf(doc, lc, ['log', i, 'match']), `log.${i}.match: ${(err as Error).message}`));
      }
    }
    if (log.some((x) => x.name === p.name)) issues.push(issue(file, lineOf(doc, lc, ['log', i, 'name']), `log pattern "${p.name}" named twice`));
    log.push(entry);
  });
  const logFns = new Set<string>(LOG_FUNCTIONS);
  /** log_* calls name one of the rule's patterns, as a string. */
  const checkLog = (e: Expr, path: Path, src: string, base: number): void => {
    if (e.kind === 'call' && logFns.has(e.name)) {
      const a = e.args[0];
      if (!a || a.kind !== 'str' || !log.some((p) => p.name === a.value)) {
        issues.push(issue(
          file, lineOf(doc, lc, path, base + e.start, src, text, cache),
          `${e.name} in ${path.join('.')}: its first argument must name one of this rule's log patterns as a string (${log.map((p) => JSON.stringify(p.name)).join(', ') || 'the rule has none'})`,
        ));
      }
    }
    for (const c of children(e)) checkLog(c, path, src, base);
  };
  const check = (e: Expr, path: Path, src: string, base = 0): void => {
    checkLog(e, path, src, base);
    const refs = references(e);
    for (const id of refs.idents) {
      const n = id.name;
      const ok =
        n.startsWith('params.') ? params[n.slice(7)] !== undefined : n.startsWith('limits.') ? LIMIT_IDENTS.has(n) : isValueName(n);
      if (!ok) {
        const what = n.startsWith('params.') ? 'param' : n.startsWith('limits.') ? 'limit' : 'field';
        issues.push(issue(file, lineOf(doc, lc, path, base + id.start, src, text, cache), `unknown ${what} "${n}" in ${path.join('.')}`));
      }
      if (n.startsWith('limits.')) limits.add(n);
      else if (!n.startsWith('params.')) reads.add(n);
    }
    for (const c of refs.calls) {
      if (!fns.has(c.name)) {
        issues.push(issue(file, lineOf(doc, lc, path, base + c.start, src, text, cache), `unknown function "${c.name}" in ${path.join('.')} (${def.scope} rules have: ${[...fns].join(', ')})`));
      }
    }
  };
  const compile = (src: string, path: Path): Expr | undefined => {
    try {
      const e = parseExpr(src);
      check(e, path, src);
      return e;
    } catch (err) {
      if (!(err instanceof ExprError)) throw err;
      issues.push(issue(file, lineOf(doc, lc, path, err.offset, src, text, cache), `${path.join('.')}: ${err.message}`));
      return undefined;
    }
  };

  const when = compile(def.when, ['when']);
  const levels = (def.levels ?? []).map((l, i) => ({ severity: l.severity, when: compile(l.when, ['levels', i, 'when']) }));
  const peakSrc = def.peak;
  const peak = peakSrc !== undefined ? compile(peakSrc, ['peak']) : when ? firstField(when) : undefined;
  const messages = (typeof def.message === 'string' ? [{ text: def.message }] : def.message).map((m, i) => {
    const path: Path = typeof def.message === 'string' ? ['message'] : ['message', i, 'text'];
    let parts: TemplatePart[] = [];
    try {
      parts = parseTemplate(m.text);
      for (const p of parts) if ('expr' in p) check(p.expr, path, m.text, p.offset);
    } catch (err) {
      if (!(err instanceof ExprError)) throw err;
      issues.push(issue(file, lineOf(doc, lc, path, err.offset, m.text, text, cache), `${path.join('.')}: ${err.message}`));
    }
    const out: { when?: Expr; parts: TemplatePart[] } = { parts };
    if (m.when !== undefined) {
      const w = compile(m.when, ['message', i, 'when']);
      if (w) out.when = w;
    }
    return out;
  });
  let attribution: TemplatePart[] | undefined;
  if (def.attribution !== undefined) {
    try {
      attribution = parseTemplate(def.attribution);
      for (const p of attribution) if ('expr' in p) check(p.expr, ['attribution'], def.attribution, p.offset);
    } catch (err) {
      if (!(err instanceof ExprError)) throw err;
      issues.push(issue(file, lineOf(doc, lc, ['attribution'], err.offset, def.attribution, text, cache), `attribution: ${err.message}`));
    }
  }
  const values = def.values ?? [];
  values.forEach((v, i) => {
    const ok = isValueName(v) || LIMIT_IDENTS.has(v);
    if (!ok) issues.push(issue(file, lineOf(doc, lc, ['values', i]), `values: unknown name "${v}"`));
    if (v.startsWith('limits.')) limits.add(v);
    else reads.add(v);
  });
  if (issues.length || !when || !peak || levels.some((l) => !l.when)) return { issues };
  return {
    rule: {
      id: def.id, file, def, params, when, peak, values, messages,
      levels: levels as { severity: Severity; when: Expr }[],
      limits: [...limits],
      reads: [...reads],
      log,
      ...(attribution ? { attribution } : {}),
    },
    issues,
  };
}

/** The first field a condition reads: what the peak row is chosen by when `peak` is not given. */
function firstField(e: Expr): Expr | undefined {
  const id = references(e).idents.find((i) => isValueName(i.name));
  if (id) return parseExpr(id.name);
  const call = references(e).calls.find((c) => FIELD_ARG_FUNCTIONS.has(c.name));
  return call ? parseExpr('0') : undefined;
}
