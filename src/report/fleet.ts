import Papa from 'papaparse';
import type { AnalysisReport } from './model.js';
import type { Finding } from '../rules/engine.js';
import { fleet } from './findings.js';
import { FORMULA_START } from './rows.js';
import { oneLine } from './safe-text.js';

/** The columns of `analyze --format csv`: one row per finding, for spreadsheets and fleet tables. */
export const FINDING_COLUMNS = [
  'host', 'series', 'rule', 'severity', 'first_seen', 'last_seen', 'critical_since', 'snapshots',
  'peak_value', 'peak_time', 'peak_source', 'evidence_source', 'title', 'message',
] as const;

const evidenceRow = (f: Finding, label: string) => f.evidence.find((e) => e.label.split(', ').includes(label));

/** A finding as a CSV row (absent: empty cell, never 0). */
export function findingRow(f: Finding): (string | number | null)[] {
  const peak = evidenceRow(f, 'peak');
  const first = evidenceRow(f, 'first') ?? f.evidence[0];
  const since = f.escalated && f.escalated.severity === f.severity ? f.escalated.time : null;
  return [
    f.host, f.series, f.rule, f.severity, f.first_seen, f.last_seen, since, f.count,
    f.peak_value ?? null, peak?.time ?? null, peak?.source ?? null, first?.source ?? null, f.title, f.message,
  ];
}

/**
 * `analyze --format csv`: the findings, worst host first, as RFC 4180 CSV (papaparse); text
 * cells that a spreadsheet would read as a formula get a leading `'` (rows.ts FORMULA_START).
 */
export function renderFindingsCsv(r: AnalysisReport): string {
  const rows = fleet(r).flatMap((h) => h.findings.map(findingRow));
  return Papa.unparse({ fields: [...FINDING_COLUMNS], data: rows }, { newline: '\n', escapeFormulae: FORMULA_START }) + '\n';
}

/**
 * `analyze --format summary`: one screen for a fleet, one line per host, worst first, with
 * its worst finding (the first in the report's order).
 */
export function renderSummary(r: AnalysisReport): string {
  const hosts = fleet(r);
  const name = (s: string) => oneLine(s);
  const w = Math.min(40, Math.max(4, ...hosts.map((h) => name(h.series).length)));
  const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
  const out = [`${'host'.padEnd(w)}  snapshots  crit  warn  info  top finding`];
  for (const h of hosts) {
    const top = h.findings[0];
    const since = top?.escalated && top.escalated.severity === top.severity && top.escalated.time ? ` (critical since ${top.escalated.time})` : '';
    const what = top ? `${top.severity} ${top.rule} from ${top.first_seen ?? 'time unknown'}${since}: ${cut(oneLine(top.message), 100)}` : '-';
    out.push(
      `${cut(name(h.series), w).padEnd(w)}  ${String(h.snapshots).padStart(9)}  ${String(h.counts.critical).padStart(4)}  ${String(h.counts.warning).padStart(4)}  ${String(h.counts.info).padStart(4)}  ${what}`,
    );
  }
  const i = r.inputs;
  out.push('', `${hosts.length} host(s), ${r.findings.length} finding(s); ${i.files} file(s), ${i.snapshots} snapshot(s), ${i.skipped.length} skipped${i.problems.length ? `, ${i.problems.length} input problem(s)` : ''}`);
  return out.join('\n') + '\n';
}
