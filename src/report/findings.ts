import type { AnalysisReport } from '../analyze.js';
import type { Evidence, Finding } from '../rules/engine.js';
import type { Severity } from '../rules/schema.js';

const cell = (v: number | string | null | undefined): string => (v === null || v === undefined ? '—' : String(v));
const span = (f: Finding): string =>
  f.first_seen === null ? 'time unknown' : f.first_seen === f.last_seen ? f.first_seen : `${f.first_seen} → ${f.last_seen}`;

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
    out.push(`  host ${h.series}: ${h.snapshots} snapshot(s)${h.first ? `, ${h.first} → ${h.last}` : ''}; ${c.critical} critical, ${c.warning} warning, ${c.info} info`);
    if (h.snapshots > 1) for (const l of sparkRows(h.sparklines)) out.push(`    ${l}`);
  }
  out.push('');
  for (const f of hosts.flatMap((h) => h.findings)) {
    out.push(`${c(f.severity, f.severity.toUpperCase())} ${c('bold', f.rule)}: ${f.title}`);
    out.push(`  host ${f.series}, ${span(f)}, ${f.count} snapshot(s)`);
    out.push(`  ${f.message}`);
    for (const note of f.notes) out.push(`  note: ${note}`);
    const cols = evidenceColumns(f.evidence);
    const rows = [['', 'time', 'source', ...cols], ...f.evidence.map((e) => [e.label, cell(e.time), e.source, ...cols.map((k) => cell(e.values[k]))])];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
    for (const row of rows) out.push(c('dim', '  | ') + row.map((x, i) => x.padEnd(widths[i]!)).join('  ').trimEnd());
    for (const l of f.limits) out.push(`  limit ${l.name} = ${l.value} (${l.source})`);
    out.push(`  remediation: ${f.remediation.replace(/\n/g, '\n    ')}`);
    out.push('');
  }
  if (r.not_evaluated.length) {
    out.push('not evaluated (the inputs lack what the rule reads):');
    for (const x of r.not_evaluated) out.push(`  ${x.rule} on ${x.series}: ${x.missing.join(', ') || 'no usable snapshot'}`);
    out.push('');
  }
  appendInputs(out, r);
  return out.join('\n') + '\n';
}

function appendInputs(out: string[], r: AnalysisReport): void {
  if (r.limits.length) {
    out.push('limits:');
    for (const l of r.limits) out.push(`  ${l.series}: ${l.name} = ${l.value} (${l.source})`);
  }
  for (const p of r.inputs.problems) out.push(`input ${p.source}: ${p.reason}`);
  for (const s of r.inputs.skipped) out.push(`skipped ${s.source}: ${s.reason}`);
  for (const n of r.notices) out.push(`notice: ${n}`);
}

// ---------------------------------------------------------------- markdown

const mdEscape = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Pasteable into a GitHub or Jira (markdown) ticket: summary table, then one section per finding. */
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
    for (const h of hosts) out.push(`| ${mdEscape(h.series)} | ${h.snapshots} | ${h.first ?? '—'} | ${h.last ?? '—'} | ${h.counts.critical} | ${h.counts.warning} | ${h.counts.info} |`);
    out.push('');
  }
  const trends = hosts.filter((h) => h.snapshots > 1);
  if (trends.length) {
    out.push('```');
    for (const h of trends) {
      if (trends.length > 1 || hosts.length > 1) out.push(h.series);
      out.push(...sparkRows(h.sparklines));
    }
    out.push('```');
    out.push('');
  }
  const ordered = hosts.flatMap((h) => h.findings);
  if (ordered.length) {
    out.push('| severity | rule | host | seen | snapshots |');
    out.push('|---|---|---|---|---|');
    for (const f of ordered) out.push(`| ${f.severity} | \`${f.rule}\` | ${mdEscape(f.series)} | ${span(f)} | ${f.count} |`);
    out.push('');
  } else {
    out.push('No findings.');
    out.push('');
  }
  let lastHost: string | undefined;
  for (const f of ordered) {
    if (hosts.length > 1 && f.series !== lastHost) {
      out.push(`### Host ${mdEscape(f.series)}`);
      out.push('');
      lastHost = f.series;
    }
    out.push(`${hosts.length > 1 ? '####' : '###'} ${f.severity.toUpperCase()}: ${f.title} (\`${f.rule}\`)`);
    out.push('');
    out.push(`Host **${mdEscape(f.series)}**, ${span(f)}, ${f.count} snapshot(s).`);
    out.push('');
    out.push(f.message);
    out.push('');
    for (const note of f.notes) {
      out.push(`> **Note:** ${note}`);
      out.push('');
    }
    const cols = evidenceColumns(f.evidence);
    out.push(`| | time | source | ${cols.join(' | ')} |`);
    out.push(`|---|---|---|${cols.map(() => '---:').join('|')}|`);
    for (const e of f.evidence) out.push(`| ${e.label} | ${cell(e.time)} | \`${mdEscape(e.source)}\` | ${cols.map((k) => mdEscape(cell(e.values[k]))).join(' | ')} |`);
    out.push('');
    if (f.limits.length) {
      out.push(`Limits: ${f.limits.map((l) => `\`${l.name}\` = ${l.value} (from \`${l.source}\`)`).join(', ')}.`);
      out.push('');
    }
    out.push(`**Why:** ${f.explain.replace(/\n/g, ' ')}`);
    out.push('');
    out.push('**What to do:**');
    out.push('');
    out.push(...indentCode(f.remediation));
    out.push('');
    if (f.references.length) {
      out.push(`References: ${f.references.map((x) => `[${x.title}](${x.url})`).join(', ')}`);
      out.push('');
    }
  }
  if (r.not_evaluated.length) {
    out.push('<details><summary>Rules not evaluated (inputs lack their fields)</summary>');
    out.push('');
    for (const x of r.not_evaluated) out.push(`- \`${x.rule}\` on ${mdEscape(x.series)}: ${x.missing.join(', ') || 'no usable snapshot'}`);
    out.push('');
    out.push('</details>');
    out.push('');
  }
  const tail: string[] = [];
  appendInputs(tail, r);
  if (tail.length) {
    out.push('<details><summary>Inputs, limits and skipped blocks</summary>');
    out.push('');
    for (const t of tail) out.push(`- ${mdEscape(t)}`);
    out.push('');
    out.push('</details>');
    out.push('');
  }
  out.push(`<sub>sockscope ${r.tool.version}</sub>`);
  return out.join('\n') + '\n';
}

/** Remediation text: lines indented by two or more spaces are commands, shown as a code block. */
function indentCode(text: string): string[] {
  const out: string[] = [];
  let code: string[] = [];
  let prose: string[] = [];
  const flushProse = () => {
    if (prose.length) out.push(prose.join(' '));
    prose = [];
  };
  const flushCode = () => {
    if (code.length) out.push('```sh', ...code, '```');
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
