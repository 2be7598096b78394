import type { Expr } from './expr.js';
import { DERIVED } from './names.js';

/**
 * Rule expressions turned into closures over a series, for snapshot rules that run
 * once per snapshot (hundreds of thousands of times on a long capture). They give
 * exactly what `evaluate` gives, with the same short-circuits, so the same
 * identifiers are read and recorded as missing; an expression whose types are not
 * plain numbers and booleans (text values, mixed types) is not compiled (undefined)
 * and the engine evaluates it as before.
 *
 * Numbers: NaN stands for absent. Truth values: 0 false, 1 true, 2 absent.
 */
export type NumFn = (i: number) => number;
export type BoolFn = (i: number) => 0 | 1 | 2;

/** What compiled code reads: columns, constants (params, limits) and derived values. */
export interface CompileEnv {
  /** A param or limit (value undefined: absent); undefined: no constant of that name; null: one that is not a number. */
  constant(name: string): { value: number | undefined } | null | undefined;
  /** A numeric column (field or derived), NaN where absent; undefined for a text value. */
  column(name: string): Float64Array | undefined;
  /** Records an identifier read as absent (for the "not evaluated" list). */
  missing(name: string): void;
  /** A function of the engine's own per snapshot (counter_delta, log_count, ...), compiled; undefined: not one it compiles. */
  call?(name: string, args: readonly Expr[]): NumFn | undefined;
}

const TEXT_DERIVED = new Set(['mismatch_fields', 'unhashed_owners', 'close_wait_owners', 'timewait_peers', 'orphan_peers', 'full_listeners', 'udp_drop_sockets', 'syn_recv_listeners', 'run_start', 'run_end']);
const fin = (x: number): number => (Number.isFinite(x) ? x : NaN);

/** `test ? a : b`: absent when the test is. */
function choose<T extends number>(t: BoolFn | undefined, a: ((i: number) => T) | undefined, b: ((i: number) => T) | undefined, absent: T): ((i: number) => T) | undefined {
  if (!t || !a || !b) return undefined;
  return (i) => {
    const x = t(i);
    return x === 2 ? absent : x === 1 ? a(i) : b(i);
  };
}

export function compileNum(e: Expr, env: CompileEnv): NumFn | undefined {
  switch (e.kind) {
    case 'num': {
      const v = e.value; // (a literal is not cleaned by evaluate either)
      return () => v;
    }
    case 'ident': {
      const c = env.constant(e.name);
      if (c === null) return undefined;
      if (c) {
        const v = c.value === undefined ? NaN : fin(c.value);
        return () => v;
      }
      if (TEXT_DERIVED.has(e.name)) return undefined;
      const col = env.column(e.name);
      if (!col) return undefined;
      const name = e.name;
      return (i) => {
        const v = col[i]!;
        if (v !== v) env.missing(name);
        return v;
      };
    }
    case 'unary': {
      if (e.op !== '-') return undefined;
      const a = compileNum(e.arg, env);
      return a && ((i) => -a(i));
    }
    case 'cond':
      return choose(compileBool(e.test, env), compileNum(e.then, env), compileNum(e.else, env), NaN);
    case 'binary': {
      const op = e.op;
      if (op !== '+' && op !== '-' && op !== '*' && op !== '/' && op !== '%') return undefined;
      const a = compileNum(e.left, env);
      const b = compileNum(e.right, env);
      if (!a || !b) return undefined;
      switch (op) {
        case '+': return (i) => fin(a(i) + b(i));
        case '-': return (i) => fin(a(i) - b(i));
        case '*': return (i) => fin(a(i) * b(i));
        case '/': return (i) => {
          const x = a(i);
          const y = b(i);
          return y === 0 || x !== x ? NaN : fin(x / y);
        };
        case '%': return (i) => {
          const x = a(i);
          const y = b(i);
          return y === 0 || x !== x ? NaN : fin(x % y);
        };
      }
      return undefined;
    }
    case 'call': {
      const own = env.call?.(e.name, e.args);
      if (own) return own;
      const args = e.args.map((x) => compileNum(x, env));
      if (args.some((x) => !x)) return undefined;
      const f = args as NumFn[];
      switch (e.name) {
        case 'coalesce':
          return (i) => {
            for (const g of f) {
              const v = g(i);
              if (v === v) return v;
            }
            return NaN;
          };
        case 'abs':
          return f.length === 1 ? (i) => Math.abs(f[0]!(i)) : undefined;
        case 'pages_mib':
          return f.length === 1 ? (i) => fin((f[0]!(i) * 4096) / 1048576) : undefined;
        case 'bytes_mib':
          return f.length === 1 ? (i) => fin(f[0]!(i) / 1048576) : undefined;
        default:
          return undefined; // round, pct, least, greatest, prev, ...: evaluated as before
      }
    }
  }
  return undefined;
}

export function compileBool(e: Expr, env: CompileEnv): BoolFn | undefined {
  switch (e.kind) {
    case 'bool': {
      const v = e.value ? 1 : 0;
      return () => v;
    }
    case 'unary': {
      if (e.op !== 'not') return undefined;
      const a = compileBool(e.arg, env);
      return a && ((i) => {
        const x = a(i);
        return x === 2 ? 2 : x === 1 ? 0 : 1;
      });
    }
    case 'cond':
      return choose(compileBool(e.test, env), compileBool(e.then, env), compileBool(e.else, env), 2);
    case 'call': {
      if (e.name !== 'known' || e.args.length !== 1) return undefined;
      const a = compileNum(e.args[0]!, env);
      return a && ((i) => {
        const v = a(i);
        return v === v ? 1 : 0;
      });
    }
    case 'binary': {
      const op = e.op;
      if (op === 'and' || op === 'or') {
        const a = compileBool(e.left, env);
        const b = compileBool(e.right, env);
        if (!a || !b) return undefined;
        const decisive = op === 'or' ? 1 : 0;
        const other = decisive === 1 ? 0 : 1;
        // Kleene, short-circuiting as evaluate does.
        return (i) => {
          const x = a(i);
          if (x === decisive) return decisive;
          const y = b(i);
          if (y === decisive) return decisive;
          return x === 2 || y === 2 ? 2 : other;
        };
      }
      const a = compileNum(e.left, env);
      const b = compileNum(e.right, env);
      if (!a || !b) return undefined;
      const cmp = (f: (x: number, y: number) => boolean): BoolFn => (i) => {
        const x = a(i);
        const y = b(i);
        return x !== x || y !== y ? 2 : f(x, y) ? 1 : 0;
      };
      switch (op) {
        case '<': return cmp((x, y) => x < y);
        case '<=': return cmp((x, y) => x <= y);
        case '>': return cmp((x, y) => x > y);
        case '>=': return cmp((x, y) => x >= y);
        case '==': return cmp((x, y) => x === y);
        case '!=': return cmp((x, y) => x !== y);
      }
      return undefined;
    }
  }
  return undefined;
}

/** Derived values the engine gives as numbers (the rest are text). */
export const NUMERIC_DERIVED = new Set(Object.keys(DERIVED).filter((n) => !TEXT_DERIVED.has(n)));
