import type { AnalysisReport } from '../analyze.js';
import type { Evidence, Finding } from '../rules/engine.js';
import type { Severity } from '../rules/schema.js';
import { lines, mdCode, mdFence, mdText, oneLine } from './safe-text.js';

// Every text that comes from the inputs or the rule files goes through oneLine (text) or
// mdText/mdCode (markdown): a name is shown, never obeyed (safe-text.ts).
const cell = (v: number | string | null | undefined): string => (v === null || v === undefined ? '—' : oneLine(String(v)));
const span = (f: Finding): string =>
  f.first_seen === null ? 'time unknown' : oneLine(f.first_seen === f.last_seen ? f.first_seen : `${f.first_seen} → ${f.last_seen}`);

/**
 * `critical since T` when the finding reached its severity after it began (first_seen is
 * where the rule's condition first held, e.g. the warning level), else undefined.
 */
export function escalatedSince(f: Finding): string | undefined {
  const e = f.escalated;
  if (!e || e.severity !== f.severity) return undefined; // lowered since (yield_to): the note says why
  return `${e.severity} since ${e.time ?? `time unknown (${e.source})`}`;
}
/** The span with `, critical since T` when the finding escalated. */
const spanSince = (f: Finding): string => {
  const e = escalatedSince(f);
  return e ? `${span(f)}, ${oneLine(e)}` : span(f);
};

function evidenceColumns(ev: Evidence[]): string[] {
  const cols: string[] = [];
  for (const e of ev) for (const k of Object.keys(e.values)) if (!cols.includes(k)) cols.push(k);
  return cols;
}

function counts(r: AnalysisReport): Record<Severity, number> {
  const c: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const f of r.findings) c[f.severity]++;
  return c;
}

/** Hosts worst first (critical, then warning, then info findings), with their findings. */
export function fleet(r: AnalysisReport): { series: string; snapshots: number; first: string | null; last: string | null; counts: Record<Severity, number>; findings: Finding[]; sparklines: AnalysisReport['hosts'][number]['sparklines'] }[] {
  const rows = r.hosts.map((h) => {
    const findings = r.findings.filter((f) => f.series === h.series);
    const counts: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
    for (const f of findings) counts[f.severity]++;
    return { series: h.series, snapshots: h.snapshots, first: h.first, last: h.last, counts, findings, sparklines: h.sparklines };
  });
  return rows.sort(
    (a, b) =>
      b.counts.critical - a.counts.critical || b.counts.warning - a.counts.warning || b.counts.info - a.counts.info || (a.series < b.series ? -1 : a.series > b.series ? 1 : 0),
  );
}

/** `tcp_unhashed  ▁▁▂▃▅▇████  0 → 1500 (min 0, max 1500)` for each key series. */
function sparkRows(sp: AnalysisReport['hosts'][number]['sparklines']): string[] {
  const w = Math.max(0, ...Object.keys(sp).map((k) => k.length));
  return Object.entries(sp).map(([k, s]) => `${k.padEnd(w)}  ${s.line}  ${s.first} → ${s.last} (min ${s.min}, max ${s.max})`);
}

function inputsLine(r: AnalysisReport): string {
  const i = r.inputs;
  return `${i.files} file(s), ${i.blocks} block(s) → ${i.snapshots} snapshot(s), ${i.skipped.length} skipped, ${r.hosts.length} host(s)`;
}

// ---------------------------------------------------------------- text

const COLORS: Record<Severity | 'dim' | 'bold', string> = {
  critical: '\u001b[1;31m',
  warning: '\u001b[33m',
  info: '\u001b[36m',
  dim: '\u001b[2m',
  bold: '\u001b[1m',
};

/** For the terminal; `color` only when stdout is a TTY and NO_COLOR is unset (the CLI decides). */
export function renderText(r: AnalysisReport, color: boolean): string {
  const c = (k: keyof typeof COLORS, t: string) => (color ? `${COLORS[k]}${t}\u001b[0m` : t);
  const out: string[] = [];
  const n = counts(r);
  out.push(c('bold', `sockscope ${r.tool.version}: ${inputsLine(r)}`));
  out.push(`findings: ${n.critical} critical, ${n.warning} warning, ${n.info} info`);
  const hosts = fleet(r);
  for (const h of hosts) {
    const c = h.counts;
    out.push(`  host ${oneLine(h.series)}: ${h.snapshots} snapshot(s)${h.first ? `, ${oneLine(h.first)} → ${oneLine(h.last ?? '')}` : ''}; ${c.critical} critical, ${c.warning} warning, ${c.info} info`);
    if (h.snapshots > 1) for (const l of sparkRows(h.sparklines)) out.push(`    ${l}`);
  }
  out.push('');
  for (const f of hosts.flatMap((h) => h.findings)) {
    out.push(`${c(f.severity, f.severity.toUpperCase())} ${c('bold', oneLine(f.rule))}: ${oneLine(f.title)}`);
    out.push(`  host ${oneLine(f.series)}, ${spanSince(f)}, ${f.count} snapshot(s)`);
    out.push(`  ${oneLine(f.message)}`);
    for (const note of f.notes) out.push(`  note: ${oneLine(note)}`);
    const cols = evidenceColumns(f.evidence);
    const rows = [['', 'time', 'source', ...cols.map(oneLine)], ...f.evidence.map((e) => [oneLine(e.label), cell(e.time), oneLine(e.source), ...cols.map((k) => cell(e.values[k]))])];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
    for (const row of rows) out.push(c('dim', '  | ') + row.map((x, i) => x.padEnd(widths[i]!)).join('  ').trimEnd());
    for (const l of f.limits) out.push(`  limit ${oneLine(l.name)} = ${l.value} (${oneLine(l.source)})`);
    out.push(`  remediation: ${lines(f.remediation).replace(/\n/g, '\n    ')}`);
    out.push('');
  }
  if (r.not_evaluated.length) {
    out.push('not evaluated (the inputs lack what the rule reads):');
    for (const x of r.not_evaluated) out.push(`  ${oneLine(x.rule)} on ${oneLine(x.series)}: ${oneLine(x.missing.join(', ')) || 'no usable snapshot'}`);
    out.push('');
  }
  appendInputs(out, r);
  return out.join('\n') + '\n';
}

function appendInputs(out: string[], r: AnalysisReport): void {
  if (r.limits.length) {
    out.push('limits:');
    for (const l of r.limits) out.push(`  ${oneLine(l.series)}: ${oneLine(l.name)} = ${l.value} (${oneLine(l.source)})`);
  }
  for (const p of r.inputs.problems) out.push(`input ${oneLine(p.source)}: ${oneLine(p.reason)}`);
  for (const s of r.inputs.skipped) out.push(`skipped ${oneLine(s.source)}: ${oneLine(s.reason)}`);
  for (const n of r.notices) out.push(`notice: ${oneLine(n)}`);
}

// ---------------------------------------------------------------- markdown

/** Pasteable into a GitHub or GitLab (markdown) ticket: summary table, then one section per finding. */
export function renderMarkdown(r: AnalysisReport): string {
  const out: string[] = [];
  const n = counts(r);
  out.push('## sockscope findings');
  out.push('');
  out.push(`${inputsLine(r)}; ${n.critical} critical, ${n.warning} warning, ${n.info} info.`);
  out.push('');
  const hosts = fleet(r);
  if (hosts.length > 1) {
    out.push('| host | snapshots | from | to | critical | warning | info |');
    out.push('|---|---:|---|---|---:|---:|---:|');
    for (const h of hosts) out.push(`| ${mdText(h.series)} | ${h.snapshots} | ${mdText(h.first ?? '—')} | ${mdText(h.last ?? '—')} | ${h.counts.critical} | ${h.counts.warning} | ${h.counts.info} |`);
    out.push('');
  }
  const trends = hosts.filter((h) => h.snapshots > 1);
  if (trends.length) {
    const body: string[] = [];
    for (const h of trends) {
      if (trends.length > 1 || hosts.length > 1) body.push(oneLine(h.series));
      body.push(...sparkRows(h.sparklines));
    }
    out.push(...mdFence(body));
    out.push('');
  }
  const ordered = hosts.flatMap((h) => h.findings);
  if (ordered.length) {
    out.push('| severity | rule | host | seen | snapshots |');
    out.push('|---|---|---|---|---|');
    for (const f of ordered) out.push(`| ${f.severity} | ${mdCode(f.rule, true)} | ${mdText(f.series)} | ${mdText(spanSince(f))} | ${f.count} |`);
    out.push('');
  } else {
    out.push('No findings.');
    out.push('');
  }
  let lastHost: string | undefined;
  for (const f of ordered) {
    if (hosts.length > 1 && f.series !== lastHost) {
      out.push(`### Host ${mdText(f.series)}`);
      out.push('');
      lastHost = f.series;
    }
    out.push(`${hosts.length > 1 ? '####' : '###'} ${f.severity.toUpperCase()}: ${mdText(f.title)} (${mdCode(f.rule)})`);
    out.push('');
    out.push(`Host **${mdText(f.series)}**, ${mdText(spanSince(f))}, ${f.count} snapshot(s).`);
    out.push('');
    out.push(mdText(f.message));
    out.push('');
    for (const note of f.notes) {
      out.push(`> **Note:** ${mdText(note)}`);
      out.push('');
    }
    const cols = evidenceColumns(f.evidence);
    out.push(`| | time | source | ${cols.map(mdText).join(' | ')} |`);
    out.push(`|---|---|---|${cols.map(() => '---:').join('|')}|`);
    for (const e of f.evidence) out.push(`| ${mdText(e.label)} | ${mdText(cell(e.time))} | ${mdCode(e.source, true)} | ${cols.map((k) => mdText(cell(e.values[k]))).join(' | ')} |`);
    out.push('');
    if (f.limits.length) {
      out.push(`Limits: ${f.limits.map((l) => `${mdCode(l.name)} = ${l.value} (from ${mdCode(l.source)})`).join(', ')}.`);
      out.push('');
    }
    // explain and remediation are the rule file's own markdown: kept, controls made visible.
    out.push(`**Why:** ${lines(f.explain).replace(/\n/g, ' ')}`);
    out.push('');
    out.push('**What to do:**');
    out.push('');
    out.push(...indentCode(f.remediation));
    out.push('');
    if (f.references.length) {
      out.push(`References: ${f.references.map((x) => mdLink(x.url, x.title)).join(', ')}`);
      out.push('');
    }
  }
  if (r.not_evaluated.length) {
    out.push('<details><summary>Rules not evaluated (inputs lack their fields)</summary>');
    out.push('');
    for (const x of r.not_evaluated) out.push(`- ${mdCode(x.rule)} on ${mdText(x.series)}: ${mdText(x.missing.join(', ') || 'no usable snapshot')}`);
    out.push('');
    out.push('</details>');
    out.push('');
  }
  const tail: string[] = [];
  appendInputs(tail, r);
  if (tail.length) {
    out.push('<details><summary>Inputs, limits and skipped blocks</summary>');
    out.push('');
    for (const t of tail) out.push(`- ${mdText(t)}`);
    out.push('');
    out.push('</details>');
    out.push('');
  }
  out.push(`<sub>sockscope ${mdText(r.tool.version)}</sub>`);
  return out.join('\n') + '\n';
}

/** Only web and mail links become links (as in the HTML report): a `javascript:` URL stays text. */
function mdLink(url: string, title: string): string {
  return /^(https?:\/\/|mailto:)[^\s()<>]*$/i.test(url) ? `[${mdText(title)}](${url})` : `${mdText(title)} (${mdCode(url)})`;
}

/** Remediation text: lines indented by two or more spaces are commands, shown as a code block. */
function indentCode(text: string): string[] {
  const out: string[] = [];
  let code: string[] = [];
  let prose: string[] = [];
  const flushProse = () => {
    if (prose.length) out.push(lines(prose.join(' ')));
    prose = [];
  };
  const flushCode = () => {
    if (code.length) out.push(...mdFence(code, 'sh'));
    code = [];
  };
  for (const l of text.split('\n')) {
    if (/^\s{2,}\S/.test(l)) {
      flushProse();
      code.push(l.trim());
    } else {
      flushCode();
      if (l.trim()) prose.push(l.trim());
    }
  }
  flushProse();
  flushCode();
  return out;
}

// ---------------------------------------------------------------- json

export function renderJson(r: AnalysisReport): string {
  return JSON.stringify(r, null, 2) + '\n';
}
