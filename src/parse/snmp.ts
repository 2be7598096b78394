import { lineProblem, type Problem } from './problem.js';
import { type Line, parseIntToken } from './types.js';

/**
 * `/proc/net/snmp`: pairs of `Group: Name Name ...` / `Group: 1 2 ...` lines.
 * Columns are located by name in the header line (`Tcp: ... CurrEstab ...`),
 * never by position.
 */
export interface SnmpParse {
  groups: Record<string, Record<string, number>>;
  lineOf: Record<string, number>;
  issues: Problem[];
}

export function parseSnmp(lines: readonly Line[]): SnmpParse {
  const groups: Record<string, Record<string, number>> = {};
  const lineOf: Record<string, number> = {};
  const issues: Problem[] = [];
  let header: { group: string; names: string[]; no: number } | undefined;
  for (const { no, text } of lines) {
    const t = text.trim();
    if (t === '') continue;
    const colon = t.indexOf(':');
    if (colon <= 0) {
      issues.push(lineProblem(no, `not an snmp line: ${JSON.stringify(t.slice(0, 80))}`, 'error'));
      continue;
    }
    const group = t.slice(0, colon);
    const toks = t.slice(colon + 1).trim().split(/\s+/).filter((x) => x !== '');
    const isValues = toks.length > 0 && toks.every((x) => parseIntToken(x) !== undefined);
    if (!isValues) {
      if (header) issues.push(lineProblem(header.no, `${header.group}: header without a value line`, 'error'));
      header = { group, names: toks, no };
      continue;
    }
    if (!header || header.group !== group) {
      issues.push(lineProblem(no, `${group}: value line without its header line`, 'error'));
      header = undefined;
      continue;
    }
    if (toks.length !== header.names.length) {
      issues.push(lineProblem(no, `${group}: ${header.names.length} names but ${toks.length} values (truncated?)`));
      header = undefined;
      continue;
    }
    const kv: Record<string, number> = {};
    header.names.forEach((name, i) => {
      kv[name] = Number(toks[i]);
    });
    groups[group] = kv;
    lineOf[group] = no;
    header = undefined;
  }
  if (header) issues.push(lineProblem(header.no, `${header.group}: header without a value line (truncated)`, 'error'));
  return { groups, lineOf, issues };
}
