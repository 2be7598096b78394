import { lineProblem, type Problem } from './problem.js';
import { type Line, parseIntToken } from './types.js';

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 13;

/**
 * `/proc/net/sockstat` or `/proc/net/sockstat6` parsed by key name:
 * `groups.TCP.inuse`, `groups.sockets.used`, `groups.FRAG6.memory`, ...
 * Every `GROUP: key value key value` pair is kept, known or not, so a kernel
 * that adds ` pressure N` or drops `UDPLITE:` parses without special cases.
 */
export interface SockstatParse {
  groups: Record<string, Record<string, number>>;
  /** Line number of each group's line, for diagnostics (`file:line`). */
  lineOf: Record<string, number>;
  issues: Problem[];
}

const GROUP_RE = /^[A-Za-z][A-Za-z0-9_]*$/;
const KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Where the groups of a sockstat flattened onto one line start, as web pages and
 * tickets show it (`sockets: used 137 TCP: inuse 49 ... mem 46UDP: inuse 1 ...`):
 * a `NAME:` token after the start, after a space, or glued to a value's digits.
 */
const GROUP_AT = /(?<=[\s\d])[A-Z][A-Za-z0-9_]*:(?=\s)/g;

/** A line's groups, one text each: the line itself unless it was flattened. */
function groupTexts(t: string): string[] {
  GROUP_AT.lastIndex = 0;
  if (!GROUP_AT.test(t)) return [t];
  const out: string[] = [];
  let from = 0;
  GROUP_AT.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = GROUP_AT.exec(t)) !== null) {
    out.push(t.slice(from, m.index).trim());
    from = m.index;
  }
  out.push(t.slice(from).trim());
  return out;
}

export function parseSockstat(lines: readonly Line[]): SockstatParse {
  const groups: Record<string, Record<string, number>> = {};
  const lineOf: Record<string, number> = {};
  const issues: Problem[] = [];
  for (const { no, text } of lines) {
    const whole = text.trim();
    if (whole === '') continue;
    for (const t of groupTexts(whole)) parseGroup(t, no, groups, lineOf, issues);
  }
  if (Object.keys(groups).length === 0 && issues.length === 0) {
    issues.push(lineProblem(lines[0]?.no ?? 0, 'empty sockstat section', 'error'));
  }
  return { groups, lineOf, issues };
}

function parseGroup(t: string, no: number, groups: Record<string, Record<string, number>>, lineOf: Record<string, number>, issues: Problem[]): void {
  {
    const colon = t.indexOf(':');
    const group = colon > 0 ? t.slice(0, colon) : '';
    if (!GROUP_RE.test(group)) {
      issues.push(lineProblem(no, `not a sockstat line: ${JSON.stringify(t.slice(0, 80))}`, 'error'));
      return;
    }
    // key value key value ..., scanned in place (this runs for every sockstat line).
    const kv: Record<string, number> = {};
    let bad = false;
    let pairs = 0;
    let i = colon + 1;
    const n = t.length;
    for (;;) {
      while (i < n && isSpace(t.charCodeAt(i))) i++;
      if (i >= n) break;
      const ks = i;
      while (i < n && !isSpace(t.charCodeAt(i))) i++;
      const key = t.slice(ks, i);
      while (i < n && isSpace(t.charCodeAt(i))) i++;
      if (i >= n) {
        issues.push(lineProblem(no, `${group}: line is truncated (key without value): ${JSON.stringify(t.slice(0, 80))}`, 'error'));
        bad = true;
        break;
      }
      const vs = i;
      while (i < n && !isSpace(t.charCodeAt(i))) i++;
      const raw = t.slice(vs, i);
      const val = parseIntToken(raw);
      if (val === undefined || !KEY_RE.test(key)) {
        issues.push(lineProblem(no, `${group}: bad pair ${JSON.stringify(key + ' ' + raw)}`, 'error'));
        bad = true;
        break;
      }
      kv[key] = val;
      pairs++;
    }
    if (!bad && pairs === 0) {
      issues.push(lineProblem(no, `${group}: line is truncated (key without value): ${JSON.stringify(t.slice(0, 80))}`, 'error'));
      bad = true;
    }
    if (bad) return;
    if (groups[group]) {
      issues.push(lineProblem(no, `${group}: line repeated within one section`, 'error'));
      return;
    }
    groups[group] = kv;
    lineOf[group] = no;
  }
}
