import { describe, it, expect } from 'vitest';
import {
  evaluate, ExprError, format, identName, parseExpr, references, truth,
  type EvalEnv, type Expr, type Value,
} from '../src/rules/expr.js';

/** A fake environment: identifiers from a Map (missing = absent); `slope(field)` looks up a per-field slope. */
function env(vars: Record<string, Value> = {}, slopes: Record<string, number> = {}): EvalEnv & { seen: string[]; calls: string[] } {
  const v = new Map(Object.entries(vars));
  const s = new Map(Object.entries(slopes));
  const seen: string[] = [];
  const calls: string[] = [];
  return {
    seen,
    calls,
    ident(name) {
      seen.push(name);
      return v.get(name);
    },
    call(name, args, evalArg) {
      calls.push(name);
      if (name === 'slope' || name === 'r2' || name === 'count') {
        const f = identName(args[0]!);
        return f === undefined ? undefined : s.get(`${name}:${f}`) ?? s.get(f);
      }
      if (name === 'delta') return evalArg(args[1]!) === '30m' ? s.get(`delta:${identName(args[0]!)}`) : undefined;
      if (name === 'abs') {
        const x = evalArg(args[0]!);
        return typeof x === 'number' ? Math.abs(x) : undefined;
      }
      throw new Error(`unknown function ${name}`);
    },
  };
}

const ev = (text: string, vars: Record<string, Value> = {}, slopes: Record<string, number> = {}): Value =>
  evaluate(parseExpr(text), env(vars, slopes));

/** The error thrown for `text`, parse or evaluation. */
function errorOf(fn: () => unknown): ExprError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ExprError);
    return e as ExprError;
  }
  throw new Error('expected an ExprError');
}

/** Drop offsets so ASTs from differently spaced text can be compared. */
function shape(e: Expr): unknown {
  return JSON.parse(JSON.stringify(e, (k, v: unknown) => (k === 'start' || k === 'end' || k === 'opStart' ? undefined : v)));
}

const RULES = [
  'tcp_unhashed >= params.min_unhashed',
  'known(limits.tcp_max_tw_buckets) ? tcp_tw >= 0.5 * limits.tcp_max_tw_buckets : tcp_tw >= params.min_tw',
  'slope(tcp_unhashed) > 0 and r2(tcp_unhashed) >= 0.8 and count(tcp_unhashed) >= 5 and delta(tcp_unhashed, "30m") >= params.min_delta',
  'tcp_alloc - sockets_used > params.tolerance || !(x == 1)',
];

describe('literals and precedence', () => {
  it('parses numbers, strings and booleans', () => {
    expect(ev('12')).toBe(12);
    expect(ev('0.5')).toBe(0.5);
    expect(ev('1e3')).toBe(1000);
    expect(ev('2.5E-1')).toBe(0.25);
    expect(ev('-3')).toBe(-3);
    expect(ev('"30m"')).toBe('30m');
    expect(ev("'it\\'s'")).toBe("it's");
    expect(ev('true')).toBe(true);
    expect(ev('false')).toBe(false);
  });

  it('applies arithmetic precedence and associativity', () => {
    expect(ev('1 + 2 * 3')).toBe(7);
    expect(ev('(1 + 2) * 3')).toBe(9);
    expect(ev('10 - 4 - 3')).toBe(3);
    expect(ev('24 / 4 / 2')).toBe(3);
    expect(ev('7 % 4 * 2')).toBe(6);
    expect(ev('-2 * -3')).toBe(6);
    expect(ev('- -4')).toBe(4);
    expect(ev('2 - -1')).toBe(3);
  });

  it('binds not looser than comparisons and tighter than and/or', () => {
    expect(ev('not 1 > 2')).toBe(true);
    expect(ev('!(1 > 2)')).toBe(true);
    expect(ev('not true and false')).toBe(false);
    expect(ev('not false or true')).toBe(true);
    expect(ev('true or true and false')).toBe(true);
    expect(ev('(true or true) and false')).toBe(false);
    expect(ev('1 + 1 == 2 && 3 > 2 || false')).toBe(true);
  });

  it('makes the ternary lowest and right-associative', () => {
    expect(ev('true ? 1 : false ? 2 : 3')).toBe(1);
    expect(ev('false ? 1 : false ? 2 : 3')).toBe(3);
    expect(ev('false ? 1 : true ? 2 : 3')).toBe(2);
    expect(ev('1 > 2 or 2 > 1 ? 10 + 1 : 20')).toBe(11);
    expect(ev('true ? false ? 1 : 2 : 3')).toBe(2);
    expect(format(parseExpr('a ? b : c ? d : e'))).toBe('a ? b : c ? d : e');
    expect(format(parseExpr('(a ? b : c) ? d : e'))).toBe('(a ? b : c) ? d : e');
  });

  it('compares strings and booleans of the same type', () => {
    expect(ev('"a" < "b"')).toBe(true);
    expect(ev('"30m" == "30m"')).toBe(true);
    expect(ev('true != false')).toBe(true);
  });
});

describe('absent values', () => {
  it('propagates absent through arithmetic and comparisons', () => {
    expect(ev('x + 1')).toBeUndefined();
    expect(ev('2 * x - 1')).toBeUndefined();
    expect(ev('-x')).toBeUndefined();
    expect(ev('x > 1')).toBeUndefined();
    expect(ev('x == x')).toBeUndefined();
    expect(ev('x > 1', { x: 0 })).toBe(false);
  });

  it('uses Kleene logic for and/or/not', () => {
    const cases: [string, Value][] = [
      ['x > 1 and false', false], ['false and x > 1', false], ['x > 1 and true', undefined], ['true and x > 1', undefined],
      ['x > 1 or true', true], ['true or x > 1', true], ['x > 1 or false', undefined], ['false or x > 1', undefined],
      ['not x > 1', undefined], ['x > 1 and y > 1', undefined], ['x > 1 or y > 1', undefined],
    ];
    for (const [text, want] of cases) expect(ev(text), text).toBe(want);
  });

  it('does not evaluate the right side once the left side decides', () => {
    const e = env();
    expect(evaluate(parseExpr('false and y > 1'), e)).toBe(false);
    expect(evaluate(parseExpr('true or y > 1'), e)).toBe(true);
    expect(e.seen).toEqual([]);
  });

  it('gives absent for a ternary with an absent condition', () => {
    expect(ev('x > 1 ? 1 : 2')).toBeUndefined();
    expect(ev('x > 1 ? 1 : 2', { x: 5 })).toBe(1);
  });

  it('turns division by zero and non-finite results into absent', () => {
    expect(ev('1 / 0')).toBeUndefined();
    expect(ev('0 / 0')).toBeUndefined();
    expect(ev('5 % 0')).toBeUndefined();
    expect(ev('1e308 * 10')).toBeUndefined();
    expect(ev('x / y', { x: 1, y: 0 })).toBeUndefined();
    expect(ev('x + 1', { x: Number.NaN })).toBeUndefined();
    expect(ev('6 / 4')).toBe(1.5);
  });

  it('has built-in known() and coalesce()', () => {
    expect(ev('known(x)')).toBe(false);
    expect(ev('known(x)', { x: 0 })).toBe(true);
    expect(ev('known(x / 0)', { x: 1 })).toBe(false);
    expect(ev('coalesce(x, y, 7)', { y: 3 })).toBe(3);
    expect(ev('coalesce(x, y)')).toBeUndefined();
    expect(ev('coalesce(x, 0) + 1')).toBe(1);
    const e = env();
    evaluate(parseExpr('known(a) or coalesce(b, 1) > 0'), e);
    expect(e.calls).toEqual([]);
  });

  it('reports truth: true, false, or undefined when it could not be evaluated', () => {
    expect(truth(parseExpr('x > 1'), env({ x: 2 }))).toBe(true);
    expect(truth(parseExpr('x > 1'), env({ x: 0 }))).toBe(false);
    expect(truth(parseExpr('x > 1'), env())).toBeUndefined();
    expect(errorOf(() => truth(parseExpr('x + 1'), env({ x: 1 }))).offset).toBe(0);
  });
});

describe('identifiers and calls', () => {
  it('reads dotted identifiers as one name', () => {
    const e = parseExpr('params.min_tw');
    expect(e).toMatchObject({ kind: 'ident', name: 'params.min_tw', path: ['params', 'min_tw'], start: 0, end: 13 });
    expect(ev('tcp_tw >= params.min_tw', { tcp_tw: 10, 'params.min_tw': 5 })).toBe(true);
    expect(identName(e)).toBe('params.min_tw');
    expect(identName(parseExpr('1'))).toBeUndefined();
  });

  it('passes raw argument ASTs to env.call so series functions get field names', () => {
    const slopes = { tcp_unhashed: 2, 'r2:tcp_unhashed': 0.9, 'count:tcp_unhashed': 6, 'delta:tcp_unhashed': 40 };
    const vars = { 'params.min_delta': 30 };
    expect(ev('slope(tcp_unhashed)', {}, slopes)).toBe(2);
    expect(ev(RULES[2]!, vars, slopes)).toBe(true);
    expect(ev(RULES[2]!, vars, { ...slopes, 'delta:tcp_unhashed': 10 })).toBe(false);
    expect(ev('slope(tcp_other) > 0', {}, slopes)).toBeUndefined();
    expect(ev('abs(x - 5)', { x: 2 })).toBe(3);
    let got: { name: string; args: Expr[]; node: Expr } | undefined;
    const spy: EvalEnv = { ident: () => undefined, call: (name, args, _ev, node) => ((got = { name, args, node }), 1) };
    evaluate(parseExpr('delta(tcp_tw, "30m")'), spy);
    expect(got?.name).toBe('delta');
    expect(got?.args.map((a) => a.kind)).toEqual(['ident', 'str']);
    expect(got?.node).toMatchObject({ kind: 'call', start: 0, end: 20 });
  });

  it('evaluates the example rules', () => {
    const limits = { 'limits.tcp_max_tw_buckets': 1000, 'params.min_tw': 100 };
    expect(ev(RULES[1]!, { ...limits, tcp_tw: 600 })).toBe(true);
    expect(ev(RULES[1]!, { ...limits, tcp_tw: 400 })).toBe(false);
    expect(ev(RULES[1]!, { 'params.min_tw': 100, tcp_tw: 400 })).toBe(true);
    expect(ev(RULES[1]!, { 'params.min_tw': 100 })).toBeUndefined();
    expect(ev(RULES[3]!, { tcp_alloc: 10, sockets_used: 8, 'params.tolerance': 5, x: 2 })).toBe(true);
    expect(ev(RULES[3]!, { tcp_alloc: 10, sockets_used: 8, 'params.tolerance': 5, x: 1 })).toBe(false);
  });

  it('hands prototype-ish names to env.ident as plain names', () => {
    const e = env({ constructor: 1 });
    expect(evaluate(parseExpr('constructor + 1'), e)).toBe(2);
    expect(evaluate(parseExpr('known(__proto__) or known(toString) or known(x.__proto__.polluted)'), e)).toBe(false);
    expect(e.seen).toEqual(['constructor', '__proto__', 'toString', 'x.__proto__.polluted']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(ev('hasOwnProperty')).toBeUndefined();
  });

  it('lists references with offsets', () => {
    expect(references(parseExpr(RULES[1]!))).toEqual({
      idents: [
        { name: 'limits.tcp_max_tw_buckets', start: 6 },
        { name: 'tcp_tw', start: 35 },
        { name: 'limits.tcp_max_tw_buckets', start: 51 },
        { name: 'tcp_tw', start: 79 },
        { name: 'params.min_tw', start: 89 },
      ],
      calls: [{ name: 'known', start: 0, args: 1 }],
    });
    expect(references(parseExpr('delta(x, "30m") + f()')).calls).toEqual([
      { name: 'delta', start: 0, args: 2 },
      { name: 'f', start: 18, args: 0 },
    ]);
  });
});

describe('errors', () => {
  const cases: [string, number, string][] = [
    ['(1 + 2))', 7, 'unexpected ")" at 7'],
    ['tcp_tw >= ', 10, 'unexpected end of expression at 10'],
    ['"30m', 0, 'unterminated string at 0'],
    ['x + "30m', 4, 'unterminated string at 4'],
    ['(a + b', 6, 'expected ")" at 6'],
    ['f(a, b c)', 7, 'expected ")" at 7'],
    ['a = 1', 2, 'unexpected "=" at 2 (use "==")'],
    ['a < b < c', 6, 'unexpected "<" at 6 (comparisons cannot be chained)'],
    ['a == b != c', 7, 'comparisons cannot be chained'],
    ['params.', 7, 'expected a name after "." at 7'],
    ['1.', 0, 'invalid number at 0'],
    ['1e', 0, 'invalid number at 0'],
    ['12abc', 0, 'invalid number at 0'],
    ['a == not b', 5, 'unexpected "not" at 5'],
    ['x # 1', 2, 'unexpected "#" at 2'],
    ['', 0, 'unexpected end of expression at 0'],
    ['known(a, b)', 0, 'known() takes exactly 1 argument'],
    ['coalesce()', 0, 'coalesce() needs at least 1 argument'],
    ['a ? b', 5, 'expected ":" at 5'],
    ['params.x(1)', 8, 'unexpected "(" at 8'],
  ];
  for (const [text, offset, message] of cases) {
    it(`rejects ${JSON.stringify(text)} at ${offset}`, () => {
      const err = errorOf(() => parseExpr(text));
      expect(err.offset).toBe(offset);
      expect(err.message).toContain(message);
    });
  }

  it('rejects absurd nesting instead of overflowing the stack', () => {
    const err = errorOf(() => parseExpr('('.repeat(500) + '1' + ')'.repeat(500)));
    expect([err.offset, err.message]).toEqual([200, 'expression nested too deeply at 200']);
    expect(ev('-'.repeat(100) + '1')).toBe(1);
  });

  it('accepts a parenthesised comparison as a comparison operand', () => {
    expect(ev('(1 < 2) == true')).toBe(true);
  });

  it('throws type errors at the operator offset', () => {
    const typeCases: [string, number][] = [
      ['"a" + 1', 4], ['true * 2', 5], ['1 < "2"', 2], ['true < false', 5], ['x and 1', 2], ['-"a"', 0],
      ['not 3', 0], ['1 ? 2 : 3', 2], ['"a" + x', 4], ['1 == true', 2],
    ];
    for (const [text, offset] of typeCases) expect(errorOf(() => ev(text, { x: true })).offset, text).toBe(offset);
    expect(errorOf(() => ev('"a" + 1')).message).toBe('cannot apply "+" to string and number at 4');
  });
});

describe('format', () => {
  it('round-trips the example rules', () => {
    for (const text of RULES) {
      const e = parseExpr(text);
      const out = format(e);
      expect(shape(parseExpr(out)), out).toEqual(shape(e));
      expect(format(parseExpr(out))).toBe(out);
    }
    expect(RULES.slice(0, 3).map((r) => format(parseExpr(r)))).toEqual(RULES.slice(0, 3));
    expect(format(parseExpr(RULES[3]!))).toBe('tcp_alloc - sockets_used > params.tolerance or not x == 1');
  });

  it('prints canonical text with minimal parentheses', () => {
    const cases: [string, string][] = [
      ['(1+2)*3', '(1 + 2) * 3'],
      ['1-(2-3)', '1 - (2 - 3)'],
      ['(1-2)-3', '1 - 2 - 3'],
      ['-(a+b)', '-(a + b)'],
      ['!a && (b || c)', 'not a and (b or c)'],
      ['(not a) == b', '(not a) == b'],
      ["f('x\"y', 1e3)", 'f("x\\"y", 1000)'],
      ['(a < b) == c', '(a < b) == c'],
    ];
    for (const [text, want] of cases) {
      expect(format(parseExpr(text))).toBe(want);
      expect(shape(parseExpr(want))).toEqual(shape(parseExpr(text)));
    }
  });
});
