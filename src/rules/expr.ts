/**
 * The safe expression language of rule files (`when:`, `levels`, `peak`, message holes): a
 * hand-written tokenizer, a precedence-climbing parser and a tree-walking evaluator. User text
 * never reaches eval/Function/vm, and no object is indexed by a user string: identifiers go to
 * `EvalEnv.ident` as plain names. `undefined` is ABSENT: arithmetic and comparisons with an
 * absent operand are absent, and/or/not follow Kleene logic.
 */

export type Value = number | boolean | string | undefined;

export class ExprError extends Error {
  offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'ExprError';
    this.offset = offset;
  }
}

export type BinaryOp = 'or' | 'and' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%';

interface Span { start: number; end: number } // 0-based offsets into the expression text, end exclusive

export type Expr =
  | (Span & { kind: 'num'; value: number })
  | (Span & { kind: 'str'; value: string })
  | (Span & { kind: 'bool'; value: boolean })
  | (Span & { kind: 'ident'; name: string; path: string[] })
  | (Span & { kind: 'unary'; op: '-' | 'not'; arg: Expr })
  | (Span & { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; opStart: number })
  | (Span & { kind: 'cond'; test: Expr; then: Expr; else: Expr; opStart: number })
  | (Span & { kind: 'call'; name: string; args: Expr[] });

// Precedence, lowest to highest. Binary operators are left-associative, comparisons non-associative.
const P_COND = 1, P_NOT = 4, P_CMP = 5, P_NEG = 8, P_ATOM = 9;
const MAX_DEPTH = 200; // keeps hostile input from overflowing the JS stack
const BINARY = new Map<string, number>([
  ['or', 2], ['and', 3],
  ['==', P_CMP], ['!=', P_CMP], ['<', P_CMP], ['<=', P_CMP], ['>', P_CMP], ['>=', P_CMP],
  ['+', 6], ['-', 6], ['*', 7], ['/', 7], ['%', 7],
]);
const WORD_OPS = new Map([['and', 'and'], ['or', 'or'], ['not', 'not']]);
const SYMBOL_OPS = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '!', '+', '-', '*', '/', '%', '(', ')', ',', '?', ':'];
const SYMBOL_ALIAS = new Map([['&&', 'and'], ['||', 'or'], ['!', 'not']]);
/** An ExprError whose message also names the offset (`unexpected ")" at 14`). */
const fail = (message: string, offset: number, hint = ''): ExprError => new ExprError(`${message} at ${offset}${hint}`, offset);
const ESCAPES = new Map([['\\', '\\'], ['"', '"'], ["'", "'"], ['n', '\n'], ['t', '\t']]);

type Token = Span & (
  | { t: 'num'; v: number }
  | { t: 'str'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'ident'; v: string; path: string[] }
  | { t: 'op'; v: string; raw: string }
  | { t: 'eof' }
);

const NUMBER = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const isIdStart = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z_]$/.test(c);
const isIdChar = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z0-9_]$/.test(c);

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const start = i;
    if (/\s/.test(c)) {
      i++;
    } else if (c >= '0' && c <= '9') {
      NUMBER.lastIndex = i;
      i += NUMBER.exec(text)![0].length;
      if (isIdChar(text[i]) || text[i] === '.') throw fail('invalid number', start);
      out.push({ t: 'num', v: Number(text.slice(start, i)), start, end: i });
    } else if (c === '"' || c === "'") {
      let v = '';
      i++;
      while (text[i] !== c) {
        if (i >= text.length) throw fail('unterminated string', start);
        if (text[i] === '\\') {
          const e = ESCAPES.get(text[i + 1] ?? '');
          if (e === undefined) throw fail('invalid escape in string', i);
          v += e;
          i += 2;
        } else {
          v += text[i++];
        }
      }
      i++;
      out.push({ t: 'str', v, start, end: i });
    } else if (isIdStart(c)) {
      const path: string[] = [];
      for (;;) {
        const s = i;
        while (isIdChar(text[i])) i++;
        path.push(text.slice(s, i));
        if (text[i] !== '.') break;
        if (!isIdStart(text[i + 1])) throw fail('expected a name after "."', i + 1);
        i++;
      }
      const word = path.join('.');
      const op = WORD_OPS.get(word);
      if (op !== undefined) out.push({ t: 'op', v: op, raw: word, start, end: i });
      else if (word === 'true' || word === 'false') out.push({ t: 'bool', v: word === 'true', start, end: i });
      else out.push({ t: 'ident', v: word, path, start, end: i });
    } else {
      const sym = SYMBOL_OPS.find((s) => text.startsWith(s, i));
      if (sym === undefined) {
        const hint = c === '=' ? ' (use "==")' : c === '&' ? ' (use "and")' : c === '|' ? ' (use "or")' : '';
        throw fail(`unexpected "${c}"`, i, hint);
      }
      i += sym.length;
      out.push({ t: 'op', v: SYMBOL_ALIAS.get(sym) ?? sym, raw: sym, start, end: i });
    }
  }
  out.push({ t: 'eof', start: text.length, end: text.length });
  return out;
}

function describe(tok: Token): string {
  if (tok.t === 'eof') return 'end of expression';
  if (tok.t === 'op') return `"${tok.raw}"`;
  if (tok.t === 'str') return 'string';
  return `"${String(tok.v)}"`;
}

/** Parse an expression; throws ExprError with the 0-based offset of the problem. */
export function parseExpr(text: string): Expr {
  const toks = tokenize(text);
  let pos = 0;
  const peek = (): Token => toks[pos]!;
  const next = (): Token => toks[pos++]!;
  const isOp = (tok: Token, v: string): boolean => tok.t === 'op' && tok.v === v;
  const unexpected = (tok: Token): ExprError => fail(`unexpected ${describe(tok)}`, tok.start);
  const expect = (v: string): Token => {
    const tok = peek();
    if (!isOp(tok, v)) throw fail(`expected "${v}"`, tok.start, `, found ${describe(tok)}`);
    return next();
  };

  let depth = 0;
  // Tree height, so that long chains (a + a + ... + a) cannot overflow the evaluator's stack either.
  const heights = new WeakMap<Expr, number>();
  const h = (e: Expr): number => heights.get(e) ?? 1;
  const tall = <T extends Expr>(node: T, at: number, ...kids: Expr[]): T => {
    const height = 1 + Math.max(...kids.map(h));
    if (height > MAX_DEPTH) throw fail('expression nested too deeply', at);
    heights.set(node, height);
    return node;
  };
  function parse(minPrec: number): Expr {
    if (++depth > MAX_DEPTH) throw fail('expression nested too deeply', peek().start);
    let left = prefix(minPrec);
    let compared = false;
    for (;;) {
      const tok = peek();
      if (tok.t !== 'op') break;
      if (tok.v === '?') {
        if (minPrec > P_COND) break;
        next();
        const then = parse(P_COND);
        expect(':');
        const els = parse(P_COND);
        left = tall({ kind: 'cond', test: left, then, else: els, opStart: tok.start, start: left.start, end: els.end }, tok.start, left, then, els);
        continue;
      }
      const prec = BINARY.get(tok.v);
      if (prec === undefined || prec < minPrec) break;
      if (prec === P_CMP && compared) {
        throw fail(`unexpected ${describe(tok)}`, tok.start, ' (comparisons cannot be chained)');
      }
      compared = prec === P_CMP;
      next();
      const right = parse(prec + 1);
      left = tall({ kind: 'binary', op: tok.v as BinaryOp, left, right, opStart: tok.start, start: left.start, end: right.end }, tok.start, left, right);
    }
    depth--;
    return left;
  }

  function prefix(minPrec: number): Expr {
    const tok = next();
    const { start, end } = tok;
    switch (tok.t) {
      case 'num': return { kind: 'num', value: tok.v, start, end };
      case 'str': return { kind: 'str', value: tok.v, start, end };
      case 'bool': return { kind: 'bool', value: tok.v, start, end };
      case 'ident':
        if (isOp(peek(), '(') && tok.path.length === 1) return call(tok.v, start);
        return { kind: 'ident', name: tok.v, path: tok.path, start, end };
      case 'op':
        if (tok.v === '(') {
          const e = parse(P_COND);
          expect(')');
          return e;
        }
        if (tok.v === '-' || (tok.v === 'not' && minPrec <= P_NOT)) {
          const arg = parse(tok.v === '-' ? P_NEG : P_NOT);
          return tall({ kind: 'unary', op: tok.v, arg, start, end: arg.end }, start, arg);
        }
    }
    throw unexpected(tok);
  }

  function call(name: string, start: number): Expr {
    next(); // "("
    const args: Expr[] = [];
    if (!isOp(peek(), ')')) do args.push(parse(P_COND)); while (isOp(peek(), ',') && next());
    const close = expect(')');
    if (name === 'known' && args.length !== 1) throw fail('known() takes exactly 1 argument', start);
    if (name === 'coalesce' && args.length === 0) throw fail('coalesce() needs at least 1 argument', start);
    return { kind: 'call', name, args, start, end: close.end };
  }

  const e = parse(P_COND);
  if (peek().t !== 'eof') throw unexpected(peek());
  return e;
}

/** The sub-expressions of a node. */
export function children(e: Expr): Expr[] {
  switch (e.kind) {
    case 'call': return e.args;
    case 'unary': return [e.arg];
    case 'binary': return [e.left, e.right];
    case 'cond': return [e.test, e.then, e.else];
    default: return [];
  }
}

/** Every identifier path and function call used (built-ins included), in source order. */
export function references(e: Expr): { idents: { name: string; start: number }[]; calls: { name: string; start: number; args: number }[] } {
  const idents: { name: string; start: number }[] = [];
  const calls: { name: string; start: number; args: number }[] = [];
  const walk = (n: Expr): void => {
    if (n.kind === 'ident') idents.push({ name: n.name, start: n.start });
    if (n.kind === 'call') calls.push({ name: n.name, start: n.start, args: n.args.length });
    children(n).forEach(walk);
  };
  walk(e);
  return { idents, calls };
}

/** The dotted name when the node is an identifier (for series functions taking a field name). */
export function identName(e: Expr): string | undefined {
  return e.kind === 'ident' ? e.name : undefined;
}

export interface EvalEnv {
  /** Value of an identifier path (`tcp_tw`, `params.min_tw`, `limits.tcp_mem_max`); undefined = absent. Throwing is allowed for unknown names. */
  ident(name: string): Value;
  /** A function call; receives the raw argument ASTs so series functions can take a field NAME. Return undefined for absent. */
  call(name: string, args: Expr[], evalArg: (e: Expr) => Value, node: Expr): Value;
}

const typeOf = (v: Value): string => (v === undefined ? 'absent' : typeof v);
/** NaN and ±Infinity are not values: they become absent. */
const clean = (v: Value): Value => (typeof v === 'number' && !Number.isFinite(v) ? undefined : v);

function typeError(op: string, vals: Value[], offset: number): ExprError {
  return fail(`cannot apply "${op}" to ${vals.map(typeOf).join(' and ')}`, offset);
}

/** A Kleene operand: true, false or absent; anything else is a type error. */
function logical(v: Value, op: string, offset: number): boolean | undefined {
  if (v === undefined || typeof v === 'boolean') return v;
  throw fail(`"${op}" needs true/false, got ${typeOf(v)}`, offset);
}

function arith(op: BinaryOp, a: number, b: number): Value {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return b === 0 ? undefined : a / b;
    case '%': return b === 0 ? undefined : a % b;
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
  }
  return undefined;
}

export function evaluate(e: Expr, env: EvalEnv): Value {
  const ev = (n: Expr): Value => evaluate(n, env);
  switch (e.kind) {
    case 'num': case 'str': case 'bool': return e.value;
    case 'ident':
      return clean(env.ident(e.name));
    case 'unary': {
      const v = ev(e.arg);
      if (e.op === 'not') {
        const b = logical(v, 'not', e.start);
        return b === undefined ? undefined : !b;
      }
      if (v !== undefined && typeof v !== 'number') throw typeError('-', [v], e.start);
      return v === undefined ? undefined : clean(-v);
    }
    case 'cond': {
      const t = logical(ev(e.test), '?', e.opStart);
      return t === undefined ? undefined : t ? ev(e.then) : ev(e.else);
    }
    case 'call': {
      if (e.name === 'known') return ev(e.args[0]!) !== undefined;
      if (e.name === 'coalesce') {
        for (const a of e.args) {
          const v = ev(a);
          if (v !== undefined) return v;
        }
        return undefined;
      }
      return clean(env.call(e.name, e.args, ev, e));
    }
    case 'binary': {
      if (e.op === 'and' || e.op === 'or') {
        // Short-circuit only when the left side decides the result on its own.
        const decisive = e.op === 'or';
        const a = logical(ev(e.left), e.op, e.opStart);
        if (a === decisive) return decisive;
        const b = logical(ev(e.right), e.op, e.opStart);
        if (b === decisive) return decisive;
        return a === undefined || b === undefined ? undefined : !decisive;
      }
      const a = ev(e.left);
      const b = ev(e.right);
      const isEq = e.op === '==' || e.op === '!=';
      const isCmp = BINARY.get(e.op) === P_CMP;
      const ok = (v: Value): boolean =>
        v === undefined || typeof v === 'number' || (isCmp && typeof v === 'string') || (isEq && typeof v === 'boolean');
      if (!ok(a) || !ok(b) || (a !== undefined && b !== undefined && typeof a !== typeof b)) {
        throw typeError(e.op, [a, b], e.opStart);
      }
      if (a === undefined || b === undefined) return undefined;
      if (typeof a !== 'number' || typeof b !== 'number') {
        // Same-typed strings (any comparison) or booleans (== / != only): compare their order.
        return arith(e.op, a < b ? -1 : a > b ? 1 : 0, 0);
      }
      return clean(arith(e.op, a, b));
    }
  }
}

/** Truth for a rule: true, false, or undefined = could not be evaluated (absent inputs). */
export function truth(e: Expr, env: EvalEnv): boolean | undefined {
  const v = evaluate(e, env);
  if (v === undefined || typeof v === 'boolean') return v;
  throw fail(`expression must be true or false, got ${typeOf(v)}`, e.start);
}

function precOf(e: Expr): number {
  if (e.kind === 'cond') return P_COND;
  if (e.kind === 'binary') return BINARY.get(e.op)!;
  if (e.kind === 'unary') return e.op === 'not' ? P_NOT : P_NEG;
  return P_ATOM;
}

function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, '\\$&').replace(/\n/g, '\\n').replace(/\t/g, '\\t')}"`;
}

/** Pretty-print an AST back to canonical text (`and`/`or`/`not`, double quotes, minimal parentheses). */
export function format(e: Expr): string {
  const at = (n: Expr, min: number): string => (precOf(n) < min ? `(${format(n)})` : format(n));
  switch (e.kind) {
    case 'num': case 'bool': return String(e.value);
    case 'str': return quote(e.value);
    case 'ident': return e.name;
    case 'call':
      return `${e.name}(${e.args.map((a) => at(a, P_COND)).join(', ')})`;
    case 'unary':
      return e.op === 'not' ? `not ${at(e.arg, P_NOT)}` : `-${at(e.arg, P_NEG)}`;
    case 'cond':
      return `${at(e.test, P_COND + 1)} ? ${at(e.then, P_COND)} : ${at(e.else, P_COND)}`;
    case 'binary': {
      const p = precOf(e);
      return `${at(e.left, p === P_CMP ? p + 1 : p)} ${e.op} ${at(e.right, p + 1)}`;
    }
  }
}
