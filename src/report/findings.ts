import type { AnalysisReport } from './model.js';
import type { Evidence, Finding } from '../rules/engine.js';
import type { Severity } from '../rules/schema.js';
import { jiraText, lines, mdCode, mdFence, mdText, oneLine } from './safe-text.js';

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
  // Inputs that gave nothing come first: the findings below are of the rest only.
  for (const p of r.inputs.failed) out.push(c('critical', `NOT READ: ${oneLine(p.source)}: ${oneLine(p.reason)}`));
  out.push(`findings${r.inputs.failed.length ? ' in what could be read' : ''}: ${n.critical} critical, ${n.warning} warning, ${n.info} info`);
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

// ---------------------------------------------------------------- markdown and Jira

/** Where a ticket report goes; the limits are the sites' own (characters of one comment). */
export const TICKET_LIMITS = { markdown: 65_536, jira: 32_767 } as const;

export interface TicketOptions {
  /** Only the summary: counts, hosts and the findings table, no section per finding. */
  summary?: boolean;
  /** Sections for the first N findings (worst first); the table still lists every finding. */
  maxFindings?: number;
  /**
   * Cut the report to this many characters, with a line saying what was cut and how to get
   * it; 0: no limit. Default: a GitHub comment (65,536) for markdown, a Jira comment (32,767).
   */
  maxChars?: number;
  /** The command line that made the report, for the cut line's "how to get the rest". */
  command?: string;
}

/** How one ticket dialect writes the few things a report needs. */
interface Dialect {
  name: 'markdown' | 'jira';
  text(s: string): string;
  code(s: string, inTable?: boolean): string;
  h(level: number, text: string): string;
  bold(text: string): string;
  tableHead(cols: string[], numeric?: boolean[]): string[];
  row(cells: string[]): string;
  block(lines: string[], lang?: string): string[];
  quote(text: string): string;
  link(url: string, title: string): string;
  /** A folded section (markdown's <details>; Jira has none, so a heading). */
  details(title: string, body: string[]): string[];
  small(text: string): string;
}

const safeUrl = (url: string): boolean => /^(https?:\/\/|mailto:)[^\s()<>[\]|{}]*$/i.test(url);

const MD: Dialect = {
  name: 'markdown',
  text: mdText,
  code: mdCode,
  h: (level, t) => `${'#'.repeat(level)} ${t}`,
  bold: (t) => `**${t}**`,
  tableHead: (cols, numeric = []) => [`| ${cols.join(' | ')} |`, `|${cols.map((_, i) => (numeric[i] ? '---:' : '---')).join('|')}|`],
  row: (cells) => `| ${cells.join(' | ')} |`,
  block: (body, lang = '') => mdFence(body, lang),
  quote: (t) => `> ${t}`,
  // Only web and mail links become links (as in the HTML report): a `javascript:` URL stays text.
  link: (url, title) => (safeUrl(url) ? `[${mdText(title)}](${url})` : `${mdText(title)} (${mdCode(url)})`),
  details: (title, body) => [`<details><summary>${mdText(title)}</summary>`, '', ...body, '', '</details>'],
  small: (t) => `<sub>${t}</sub>`,
};

const JIRA: Dialect = {
  name: 'jira',
  text: jiraText,
  // {{...}} is still parsed for markup, so its content is escaped like text.
  code: (s) => `{{${jiraText(s)}}}`,
  h: (level, t) => `h${level}. ${t}`,
  bold: (t) => `*${t}*`,
  tableHead: (cols) => [`||${cols.map((c) => c || ' ').join('||')}||`],
  row: (cells) => `|${cells.map((c) => c || ' ').join('|')}|`,
  block: (body, lang) => [lang ? `{code:${lang === 'sh' ? 'bash' : lang}}` : '{noformat}', ...body.map((l) => lines(l).replace(/\{(noformat|code)/g, '\\{$1')), lang ? '{code}' : '{noformat}'],
  quote: (t) => `bq. ${t}`,
  link: (url, title) => (safeUrl(url) ? `[${jiraText(title)}|${url}]` : `${jiraText(title)} (${jiraText(url)})`),
  details: (title, body) => [`h4. ${jiraText(title)}`, '', ...body],
  small: (t) => `_${t}_`,
};

/** A piece of the report: kept whole or cut whole. */
interface Part {
  lines: string[];
  /** What the cut line counts it as; undefined: always kept. */
  kind?: Kind;
}

/** What is kept first when a report must be cut: the tables, then the sections, then the rest. */
const PRIORITY = { 'host table row': 0, 'findings table row': 1, 'finding section': 2, 'sparkline block': 3, appendix: 4 } as const;
type Kind = keyof typeof PRIORITY;
const CUT_LABEL: Record<Kind, string> = {
  'host table row': 'rows of the host table',
  'findings table row': 'rows of the findings table',
  'finding section': 'finding sections',
  'sparkline block': 'sparklines',
  appendix: 'appendices (rules not evaluated; inputs, limits and skipped blocks)',
};

function ticket(r: AnalysisReport, d: Dialect, o: TicketOptions): string {
  const parts: Part[] = [];
  const must = (...l: string[]) => parts.push({ lines: l });
  const n = counts(r);
  const t = d.text;
  must(d.h(2, 'sockscope findings'), '', `${t(inputsLine(r))}; ${n.critical} critical, ${n.warning} warning, ${n.info} info.`, '');
  if (r.inputs.failed.length) {
    // Inputs that gave nothing come first: the findings below are of the rest only.
    must(`${d.bold('Not read')} (the findings below are of the other inputs only):`, '', ...r.inputs.failed.map((p) => `- ${d.code(p.source)}: ${t(p.reason)}`), '');
  }
  const hosts = fleet(r);
  if (hosts.length > 1) {
    must(...d.tableHead(['host', 'snapshots', 'from', 'to', 'critical', 'warning', 'info'], [false, true, false, false, true, true, true]));
    for (const h of hosts) {
      parts.push({ kind: 'host table row', lines: [d.row([t(h.series), String(h.snapshots), t(h.first ?? '—'), t(h.last ?? '—'), String(h.counts.critical), String(h.counts.warning), String(h.counts.info)])] });
    }
    must('');
  }
  const trends = hosts.filter((h) => h.snapshots > 1);
  if (trends.length && !o.summary) {
    const body: string[] = [];
    for (const h of trends) {
      if (trends.length > 1 || hosts.length > 1) body.push(oneLine(h.series));
      body.push(...sparkRows(h.sparklines));
    }
    parts.push({ kind: 'sparkline block', lines: [...d.block(body), ''] });
  }
  const ordered = hosts.flatMap((h) => h.findings);
  if (ordered.length) {
    must(...d.tableHead(['severity', 'rule', 'host', 'seen', 'snapshots']));
    for (const f of ordered) parts.push({ kind: 'findings table row', lines: [d.row([f.severity, d.code(f.rule, true), t(f.series), t(spanSince(f)), String(f.count)])] });
    must('');
  } else {
    must(r.inputs.failed.length ? `No findings in what could be read (${r.inputs.failed.length} input(s) not read, above).` : 'No findings.', '');
  }
  const sections = o.summary ? [] : ordered.slice(0, o.maxFindings ?? ordered.length);
  const notShown = ordered.length - sections.length;
  let lastHost: string | undefined;
  for (const f of sections) {
    const out: string[] = [];
    if (hosts.length > 1 && f.series !== lastHost) {
      out.push(d.h(3, `Host ${t(f.series)}`), '');
      lastHost = f.series;
    }
    out.push(d.h(hosts.length > 1 ? 4 : 3, `${f.severity.toUpperCase()}: ${t(f.title)} (${d.code(f.rule)})`), '');
    out.push(`Host ${d.bold(t(f.series))}, ${t(spanSince(f))}, ${f.count} snapshot(s).`, '');
    out.push(t(f.message), '');
    for (const note of f.notes) out.push(d.quote(`${d.bold('Note:')} ${t(note)}`), '');
    const cols = evidenceColumns(f.evidence);
    out.push(...d.tableHead(['', 'time', 'source', ...cols.map(t)], [false, false, false, ...cols.map(() => true)]));
    for (const e of f.evidence) out.push(d.row([t(e.label), t(cell(e.time)), d.code(e.source, true), ...cols.map((k) => t(cell(e.values[k])))]));
    out.push('');
    if (f.limits.length) out.push(`Limits: ${f.limits.map((l) => `${d.code(l.name)} = ${l.value} (from ${d.code(l.source)})`).join(', ')}.`, '');
    // explain and remediation are the rule file's own prose: kept, controls made visible.
    const prose = d.name === 'jira' ? jiraText : lines;
    out.push(`${d.bold('Why:')} ${prose(f.explain.replace(/\n/g, ' '))}`, '');
    out.push(d.bold('What to do:'), '');
    out.push(...remediation(f.remediation, d), '');
    if (f.references.length) out.push(`References: ${f.references.map((x) => d.link(x.url, x.title)).join(', ')}`, '');
    parts.push({ kind: 'finding section', lines: out });
  }
  if (notShown > 0) {
    must(
      o.summary
        ? `Summary only: the ${ordered.length} finding(s) above have their evidence, explanation and remediation in the full report (without --summary, or --format html).`
        : `${notShown} more finding(s) in the table above without their section here (--max-findings ${o.maxFindings}); every section: without --max-findings, or --format html.`,
      '',
    );
  }
  if (r.not_evaluated.length) {
    const body = r.not_evaluated.map((x) => `- ${d.code(x.rule)} on ${t(x.series)}: ${t(x.missing.join(', ') || 'no usable snapshot')}`);
    parts.push({ kind: 'appendix', lines: [...d.details('Rules not evaluated (inputs lack their fields)', body), ''] });
  }
  const tail: string[] = [];
  appendInputs(tail, r);
  if (tail.length) parts.push({ kind: 'appendix', lines: [...d.details('Inputs, limits and skipped blocks', tail.map((x) => `- ${t(x)}`)), ''] });
  const footer = d.small(`sockscope ${t(r.tool.version)}`);
  return fit(parts, footer, d, o);
}

/**
 * The parts in order, within o.maxChars: what is always kept, then the others in document
 * order as long as they fit, and a line that says what was cut and how to get it.
 */
function fit(parts: Part[], footer: string, d: Dialect, o: TicketOptions): string {
  const max = o.maxChars ?? TICKET_LIMITS[d.name];
  const whole = [...parts.flatMap((p) => p.lines), footer].join('\n') + '\n';
  if (!max || whole.length <= max) return whole;
  // Room for the cut line (its counts are short) and the footer.
  let room = max - footer.length - 700 - (o.command?.length ?? 0);
  for (const p of parts) if (!p.kind) room -= p.lines.join('\n').length + 1;
  const keep = parts.map((p) => !p.kind);
  const order = parts.map((_, i) => i).filter((i) => parts[i]!.kind).sort((a, b) => PRIORITY[parts[a]!.kind!] - PRIORITY[parts[b]!.kind!] || a - b);
  for (const i of order) {
    const size = parts[i]!.lines.join('\n').length + 1;
    if (size <= room) {
      keep[i] = true;
      room -= size;
    }
  }
  const cut = new Map<Kind, number>();
  const total = new Map<Kind, number>();
  parts.forEach((p, i) => {
    if (p.kind) total.set(p.kind, (total.get(p.kind) ?? 0) + 1);
    if (!keep[i]) cut.set(p.kind!, (cut.get(p.kind!) ?? 0) + 1);
  });
  const what = [...cut]
    .sort((a, b) => PRIORITY[a[0]] - PRIORITY[b[0]])
    .map(([k, c]) => (k === 'sparkline block' ? 'the sparklines' : `${c} of ${total.get(k)} ${CUT_LABEL[k]}`))
    .join(', ');
  const how = o.command ? ` ${d.code(`${o.command} --max-chars 0`)}` : ' the same command with --max-chars 0';
  const line = d.bold(
    `Cut to fit ${max.toLocaleString('en-US')} characters (${d.name === 'jira' ? 'a Jira comment' : 'a GitHub comment'}): ${what} left out.`,
  ) + ` The whole report:${how}, or --summary for one line per finding, or --format html for a file to attach.`;
  const out = parts.filter((_, i) => keep[i]).flatMap((p) => p.lines);
  return [...out, line, '', footer].join('\n') + '\n';
}

/** Pasteable into a GitHub or GitLab (markdown) ticket: summary table, then one section per finding. */
export function renderMarkdown(r: AnalysisReport, o: TicketOptions = {}): string {
  return ticket(r, MD, o);
}

/** Jira wiki markup (Jira shows markdown's <details> as raw text): the same report. */
export function renderJira(r: AnalysisReport, o: TicketOptions = {}): string {
  return ticket(r, JIRA, o);
}

/** Remediation text: lines indented by two or more spaces are commands, shown as a code block. */
function remediation(text: string, d: Dialect): string[] {
  const out: string[] = [];
  let code: string[] = [];
  let prose: string[] = [];
  const flushProse = () => {
    if (prose.length) out.push(d.name === 'jira' ? jiraText(prose.join(' ')) : lines(prose.join(' ')));
    prose = [];
  };
  const flushCode = () => {
    if (code.length) out.push(...d.block(code, 'sh'));
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
