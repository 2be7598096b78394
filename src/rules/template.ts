import { ExprError, parseExpr, type Expr } from './expr.js';

/** A message template: literal text and `{expression}` holes (`{{` and `}}` are literal braces). */
export type TemplatePart = { text: string } | { expr: Expr; src: string; offset: number };

export function parseTemplate(t: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let lit = '';
  let i = 0;
  while (i < t.length) {
    const c = t[i]!;
    if (c === '{' && t[i + 1] === '{') {
      lit += '{';
      i += 2;
    } else if (c === '}' && t[i + 1] === '}') {
      lit += '}';
      i += 2;
    } else if (c === '{') {
      const end = t.indexOf('}', i + 1);
      if (end < 0) throw new ExprError('unclosed "{" in message', i);
      if (lit) parts.push({ text: lit });
      lit = '';
      const src = t.slice(i + 1, end);
      try {
        parts.push({ expr: parseExpr(src), src, offset: i + 1 });
      } catch (e) {
        if (e instanceof ExprError) throw new ExprError(e.message, i + 1 + e.offset);
        throw e;
      }
      i = end + 1;
    } else {
      lit += c;
      i++;
    }
  }
  if (lit) parts.push({ text: lit });
  return parts;
}

/** Numbers as people read them: integers as is, others with at most 2 decimals. */
export function formatValue(v: number | boolean | string | undefined): string {
  if (v === undefined) return 'absent';
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return String(v);
    return String(Number(v.toFixed(Math.abs(v) < 1 ? 3 : 2)));
  }
  return String(v);
}

export function renderTemplate(parts: readonly TemplatePart[], evalExpr: (e: Expr) => number | boolean | string | undefined): string {
  return parts.map((p) => ('text' in p ? p.text : formatValue(evalExpr(p.expr)))).join('');
}
