import type { AnalysisReport } from './model.js';
import type { Finding } from '../rules/engine.js';
import type { HostSeries } from '../series/series.js';
import { esc } from './escape.js';
import { escalatedSince, fleet } from './findings.js';
import { StaticElement, staticDocument } from './static-dom.js';

/**
 * `analyze --format html`: one self-contained HTML file (inline CSS, JS and SVG) that loads
 * nothing when opened (a Content-Security-Policy forbids every fetch) and prints well.
 *
 * Everything is rendered here as escaped HTML and SVG, so findings, evidence, inputs and
 * charts read (and print) the same with or without the script: each chart is drawn here by
 * the page's own chart code (CHART_JS) into a minimal DOM (static-dom.ts) and written as
 * static SVG. When scripts run, the inline script (CLIENT_JS below) draws it again, live,
 * from JSON embedded in a
 * `<script type="application/json">` with `<` escaped; it builds SVG and HTML nodes with
 * createElementNS/createElement and puts text in with textContent only, never innerHTML.
 *
 * Why hand-written SVG and not a charting library: the chart is one kind of plot (a few
 * lines on a shared time axis with shaded windows), a library would be inlined into every
 * report (tens to hundreds of KiB), and hover, log scale, gaps for absent values and the
 * finding windows need full control anyway. The output is deterministic: the same inputs
 * give the same bytes.
 */

export interface HtmlOptions {
  /** The input files as read (name, bytes), for the inputs section; the CLI collects them. */
  files?: readonly { name: string; bytes: number }[];
}

/** Key series of the chart, in legend order; `dash` draws alloc dashed (it often overlaps unhashed). */
const SERIES: { key: string; label: string; color: string; dash?: boolean; get: (s: HostSeries, i: number) => number | undefined }[] = [
  { key: 'tcp_alloc', label: 'TCP alloc (host-wide)', color: '#1f77b4', dash: true, get: (s, i) => s.value(i, 'tcp_alloc') },
  {
    key: 'tcp_hashed', label: 'hashed TCP (inuse4 + inuse6)', color: '#2ca02c',
    get: (s, i) => {
      const a = s.value(i, 'tcp4_inuse');
      const b = s.value(i, 'tcp6_inuse');
      return a === undefined || b === undefined ? undefined : a + b;
    },
  },
  { key: 'tcp_tw', label: 'TIME-WAIT', color: '#9467bd', get: (s, i) => s.value(i, 'tcp_tw') },
  { key: 'tcp_unhashed', label: 'unhashed (closed - timewait)', color: '#d62728', get: (s, i) => s.value(i, 'tcp_unhashed') },
  { key: 'tcp_orphan', label: 'orphaned (host-wide)', color: '#ff7f0e', get: (s, i) => s.value(i, 'tcp_orphan') },
  { key: 'tcp_estab', label: 'estab', color: '#8c564b', get: (s, i) => s.value(i, 'tcp_estab') },
];

/**
 * Series drawn when a finding of the host is about them (its first evidence value), or, for
 * sockets used, when the host has no TCP alloc at all (sar gives totsck, not alloc).
 */
const EXTRA_SERIES: typeof SERIES = [
  { key: 'sockets_used', label: 'sockets used (this namespace, every family)', color: '#17becf', get: (s, i) => s.value(i, 'sockets_used') },
  {
    key: 'udp_inuse', label: 'UDP inuse (4 + 6)', color: '#bcbd22',
    get: (s, i) => {
      const a = s.value(i, 'udp4_inuse');
      const b = s.value(i, 'udp6_inuse');
      return a === undefined || b === undefined ? undefined : a + b;
    },
  },
];

/** Up to this many snapshots on the chart, it is drawn small (not a full-size plot of a dot or two). */
const SMALL_CHART = 3;

const SEVERITY_ORDER = { critical: 0, warning: 1, info: 2 } as const;

export { esc };

/** JSON that is safe inside a <script> element: no `<` (so no `</script>` or `<!--`), no U+2028/2029. */
export function scriptJson(x: unknown): string {
  return JSON.stringify(x).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Only web and mail links become links: a rule file's `javascript:` URL stays text. */
function link(url: string, title: string): string {
  return /^(https?:\/\/|mailto:)/i.test(url) ? `<a href="${esc(url)}" rel="noreferrer noopener">${esc(title)}</a>` : `${esc(title)} (${esc(url)})`;
}

const num = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

// ---------------------------------------------------------------- chart data

/** What the script needs to draw one host: values per snapshot (null = absent), sources, windows. */
interface ChartHost {
  host: string;
  n: number;
  /** Epoch ms per snapshot, null when the snapshot has no time. */
  t: (number | null)[];
  /** Sources as a file table and, per snapshot, the file's index and the line. */
  files: string[];
  fi: number[];
  ln: number[];
  series: { key: string; label: string; color: string; dash: boolean; v: (number | null)[] }[];
  /** Finding windows as snapshot index ranges [from, to], worst last (drawn on top). */
  windows: { rule: string; severity: string; title: string; from: number; to: number; first: string | null; last: string | null }[];
  /** Snapshots of the host left off the chart: they have no time, and the others have one. */
  untimed: number;
  /** A small chart for a few snapshots. */
  small: boolean;
}

function chartHost(s: HostSeries, findings: Finding[]): ChartHost {
  // Snapshots without a time stay off a time axis: when some have one, only those are drawn
  // (the chart says how many are left off); when none has, they go in input order.
  let at = Array.from({ length: s.length }, (_, i) => i);
  const timed = at.filter((i) => s.timeMs(i) !== undefined);
  const untimed = timed.length && timed.length < at.length ? at.length - timed.length : 0;
  if (untimed) at = timed;
  const n = at.length;
  const files: string[] = [];
  const fileIdx = new Map<string, number>();
  const fi: number[] = [];
  const ln: number[] = [];
  const t: (number | null)[] = [];
  const bySource = new Map<string, number>();
  for (let j = 0; j < n; j++) {
    const i = at[j]!;
    const src = s.source(i);
    if (findings.length && !bySource.has(src)) bySource.set(src, j);
    const colon = src.lastIndexOf(':');
    const file = src.slice(0, colon);
    let k = fileIdx.get(file);
    if (k === undefined) fileIdx.set(file, (k = files.push(file) - 1));
    fi.push(k);
    ln.push(Number(src.slice(colon + 1)));
    t.push(s.timeMs(i) ?? null);
  }
  const about = new Set(findings.map((f) => Object.keys(f.evidence[0]?.values ?? {})[0]));
  const noAlloc = !at.some((i) => s.value(i, 'tcp_alloc') !== undefined);
  const defs = [...SERIES, ...EXTRA_SERIES.filter((d) => about.has(d.key) || (d.key === 'sockets_used' && noAlloc))];
  // A series with no value at all on this host is left out (sar gives no alloc, many inputs no estab).
  const series = defs
    .map((d) => {
      const v: (number | null)[] = [];
      for (const i of at) v.push(d.get(s, i) ?? null);
      return { key: d.key, label: d.label, color: d.color, dash: d.dash === true, v };
    })
    .filter((l) => l.v.some((x) => x !== null));
  const windows = findings.flatMap((f) => {
    const w = findingWindow(f, s, bySource, at);
    return w ? [{ rule: f.rule, severity: f.severity, title: f.title, from: w[0], to: w[1], first: f.first_seen, last: f.last_seen }] : [];
  });
  windows.sort((a, b) => SEVERITY_ORDER[b.severity as keyof typeof SEVERITY_ORDER] - SEVERITY_ORDER[a.severity as keyof typeof SEVERITY_ORDER]);
  return { host: s.label, n, t, files, fi, ln, series, windows, untimed, small: n <= SMALL_CHART };
}

/** The snapshots a finding covers: its first and last evidence rows, else its first/last times. */
function findingWindow(f: Finding, s: HostSeries, bySource: Map<string, number>, at: number[]): [number, number] | undefined {
  const row = (label: string) => f.evidence.find((e) => e.label.split(', ').includes(label));
  const a = bySource.get((row('first') ?? f.evidence[0])?.source ?? '');
  const b = bySource.get((row('last') ?? f.evidence[f.evidence.length - 1])?.source ?? '');
  if (a !== undefined && b !== undefined && a <= b) return [a, b];
  if (f.first_seen === null) return undefined;
  const t0 = Date.parse(f.first_seen);
  const t1 = Date.parse(f.last_seen ?? f.first_seen);
  let from = -1;
  let to = -1;
  for (let k = 0; k < at.length; k++) {
    const t = s.timeMs(at[k]!);
    if (t === undefined || t < t0 || t > t1) continue;
    if (from < 0) from = k;
    to = k;
  }
  return from < 0 ? undefined : [from, to];
}

type ChartCtor = new (box: StaticElement, d: ChartHost) => unknown;
let chartCtor: ChartCtor | undefined;

/**
 * A chart drawn here by the page's own chart code (CHART_JS) into a minimal DOM
 * (static-dom.ts), serialised: the page shows it without JavaScript, and the script, when it
 * runs, draws the same chart again with interaction.
 */
function staticChart(d: ChartHost): string {
  chartCtor ??= new Function('document', `'use strict';\n${CHART_JS}\nreturn Chart;`)(staticDocument) as ChartCtor;
  const box = new StaticElement('div');
  new chartCtor(box, d);
  return box.inner();
}

// ---------------------------------------------------------------- HTML sections

function evidenceTable(f: Finding): string {
  const cols = [...new Set(f.evidence.flatMap((e) => Object.keys(e.values)))];
  const head = `<tr><th></th><th>time</th><th>source</th>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  const rows = f.evidence.map(
    (e) =>
      `<tr><th>${esc(e.label)}</th><td class="time">${esc(e.time ?? 'time unknown')}</td><td class="src">${esc(e.source)}</td>` +
      cols.map((c) => (e.values[c] === null || e.values[c] === undefined ? '<td class="n absent">absent</td>' : `<td class="n">${esc(String(e.values[c]))}</td>`)).join('') +
      '</tr>',
  );
  return `<div class="table-wrap"><table class="evidence"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function findingHtml(f: Finding, id: string): string {
  const seen = f.first_seen === null ? 'time unknown' : f.last_seen && f.last_seen !== f.first_seen ? `${esc(f.first_seen)} → ${esc(f.last_seen)}` : esc(f.first_seen);
  return `<article class="finding sev-${esc(f.severity)}" id="${id}" data-rule="${esc(f.rule)}" data-severity="${esc(f.severity)}">
<h4><span class="badge">${esc(f.severity)}</span> ${esc(f.title)} <code>${esc(f.rule)}</code></h4>
<p class="when">${seen}${escalatedSince(f) ? `, <span class="since sev-${esc(f.severity)}">${esc(escalatedSince(f)!)}</span>` : ''}, ${f.count} snapshot(s)</p>
<p class="msg">${esc(f.message)}</p>
${f.notes.map((n) => `<p class="note">Note: ${esc(n)}</p>`).join('\n')}
${evidenceTable(f)}
${f.limits.length ? `<p class="limits">Limits: ${f.limits.map((l) => `<code>${esc(l.name)}</code> = ${esc(String(l.value))} (from <code>${esc(l.source)}</code>)`).join(', ')}</p>` : ''}
<details><summary>Why, and what to do</summary>
<p>${esc(f.explain)}</p>
<pre>${esc(f.remediation)}</pre>
${f.references.length ? `<p class="refs">References: ${f.references.map((r) => link(r.url, r.title)).join(' · ')}</p>` : ''}
</details>
</article>`;
}

function keySeriesTable(sp: AnalysisReport['hosts'][number]['sparklines']): string {
  const rows = Object.entries(sp).map(
    ([k, s]) => `<tr><th><code>${esc(k)}</code></th><td class="n">${s.first ?? '—'}</td><td class="n">${s.last ?? '—'}</td><td class="n">${s.min ?? '—'}</td><td class="n">${s.max ?? '—'}</td></tr>`,
  );
  return rows.length ? `<table class="keys"><thead><tr><th>series</th><th>first</th><th>last</th><th>min</th><th>max</th></tr></thead><tbody>${rows.join('')}</tbody></table>` : '';
}

function inputsSection(r: AnalysisReport, series: HostSeries[], opts: HtmlOptions): string {
  const i = r.inputs;
  const out: string[] = ['<section class="inputs" id="inputs"><h2>Inputs</h2>'];
  out.push(
    `<p>${num(i.files)} file(s), ${num(i.bytes)} bytes, ${num(i.blocks)} block(s): ${num(i.blocks_in_snapshots)} merged into ${num(i.snapshots)} snapshot(s), ${num(i.skipped.length)} skipped; ${num(i.outside_lines)} line(s) outside any capture.</p>`,
  );
  if (opts.files?.length) {
    const perFile = new Map<string, number>();
    for (const s of series) {
      for (let k = 0; k < s.length; k++) {
        const src = s.source(k);
        const f = src.slice(0, src.lastIndexOf(':'));
        perFile.set(f, (perFile.get(f) ?? 0) + 1);
      }
    }
    const MAX = 500;
    const rows = opts.files
      .slice(0, MAX)
      .map((f) => `<tr><td class="src">${esc(f.name)}</td><td class="n">${num(f.bytes)}</td><td class="n">${num(perFile.get(f.name) ?? 0)}</td></tr>`);
    const more = opts.files.length > MAX ? `<p>… and ${num(opts.files.length - MAX)} more file(s).</p>` : '';
    out.push(
      `<details class="files"${opts.files.length <= 50 ? ' open' : ''}><summary>Files read (${num(opts.files.length)})</summary>` +
        `<div class="table-wrap"><table class="files"><thead><tr><th>file</th><th>bytes</th><th>snapshots starting there</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>${more}</details>`,
    );
  }
  out.push(`<h3>Skipped blocks</h3>`);
  out.push(
    i.skipped.length
      ? `<ul class="skipped">${i.skipped.map((s) => `<li><code>${esc(s.source)}</code>: ${esc(s.reason)}</li>`).join('')}</ul>`
      : '<p class="skipped none">None: every block that looked like a capture became part of a snapshot.</p>',
  );
  if (i.problems.length) out.push(`<h3>Input problems</h3><ul class="problems">${i.problems.map((s) => `<li><code>${esc(s.source)}</code>: ${esc(s.reason)}</li>`).join('')}</ul>`);
  if (r.limits.length) {
    out.push(`<h3>Limits</h3><ul class="limits">${r.limits.map((l) => `<li>${esc(l.series)}: <code>${esc(l.name)}</code> = ${esc(String(l.value))} (from <code>${esc(l.source)}</code>)</li>`).join('')}</ul>`);
  }
  if (r.not_evaluated.length) {
    out.push(
      `<h3>Rules not evaluated</h3><p>The inputs lack what these rules read; they did not pass, they were not checked.</p><ul class="not-evaluated">${r.not_evaluated
        .map((x) => `<li><code>${esc(x.rule)}</code> on ${esc(x.series)}: ${esc(x.missing.join(', ') || 'no usable snapshot')}</li>`)
        .join('')}</ul>`,
    );
  }
  if (r.notices.length) out.push(`<h3>Notices</h3><ul>${r.notices.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  out.push(`<p class="rules">Rules run: ${r.rules.map((x) => `<code>${esc(x)}</code>`).join(', ')}.</p>`);
  out.push('</section>');
  return out.join('\n');
}

export function renderHtml(report: AnalysisReport, series: HostSeries[], opts: HtmlOptions = {}): string {
  const hosts = fleet(report);
  const i = report.inputs;
  const n = { critical: 0, warning: 0, info: 0 };
  for (const f of report.findings) n[f.severity]++;
  const charts: ChartHost[] = [];
  const sections = hosts.map((h, k) => {
    const s = series.find((x) => x.label === h.series);
    let chart = '';
    if (s && s.length) {
      const d = chartHost(s, h.findings);
      if (!d.series.length) chart = '<p class="chart-note">No chart: the inputs of this host give none of the charted counters (see the tables).</p>';
      else chart =
        `<div class="chart static${d.small ? ' small' : ''}" data-chart="${charts.length}" data-snapshots="${s.length}">${staticChart(d)}` +
        // Inside the box: the script, when it runs, replaces the box's content and so this line.
        '<p class="chart-note static-note">A static chart: hovering a snapshot, the legend toggles and the log scale need JavaScript.</p></div>';
      if (d.series.length) charts.push(d);
    }
    const when = h.first ? `, ${esc(h.first)}${h.last && h.last !== h.first ? ` → ${esc(h.last)}` : ''}` : ', time unknown';
    return `<section class="host" id="host-${k}" data-host="${esc(h.series)}">
<h2>Host ${esc(h.series)}</h2>
<p class="meta">${num(h.snapshots)} snapshot(s)${when}; ${h.counts.critical} critical, ${h.counts.warning} warning, ${h.counts.info} info</p>
${chart}
${keySeriesTable(h.sparklines)}
${h.findings.length ? `<h3>Findings</h3>\n${h.findings.map((f, j) => findingHtml(f, `host-${k}-f${j}`)).join('\n')}` : '<p class="none">No findings for this host.</p>'}
</section>`;
  });
  const title = hosts.length === 1 ? `sockscope report: ${hosts[0]!.series}` : `sockscope report: ${hosts.length} hosts`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="sockscope ${esc(report.tool.version)}">
<title>${esc(title)}</title>
<style>${CSS}</style></head>
<body>
<header>
<h1>sockscope report</h1>
<p class="meta">${num(i.files)} file(s), ${num(i.blocks)} block(s) → ${num(i.snapshots)} snapshot(s), ${num(i.skipped.length)} skipped, ${report.hosts.length} host(s); findings: ${n.critical} critical, ${n.warning} warning, ${n.info} info · sockscope ${esc(report.tool.version)}</p>
${i.failed.length ? `<div class="problems failed"><p><strong>Not read</strong> (the findings below are of the other inputs only):</p><ul>${i.failed.map((p) => `<li><code>${esc(p.source)}</code>: ${esc(p.reason)}</li>`).join('')}</ul></div>` : ''}
<table class="fleet"><thead><tr><th>host</th><th>snapshots</th><th>from</th><th>to</th><th>critical</th><th>warning</th><th>info</th></tr></thead><tbody>
${hosts.map((h, k) => `<tr><td><a href="#host-${k}">${esc(h.series)}</a></td><td class="n">${num(h.snapshots)}</td><td class="time">${esc(h.first ?? '—')}</td><td class="time">${esc(h.last ?? '—')}</td><td class="n${h.counts.critical ? ' sev-critical' : ''}">${h.counts.critical}</td><td class="n${h.counts.warning ? ' sev-warning' : ''}">${h.counts.warning}</td><td class="n">${h.counts.info}</td></tr>`).join('\n')}
</tbody></table>
</header>
<main>
${sections.join('\n')}
${inputsSection(report, series, opts)}
</main>
<footer><p class="meta">Made by sockscope ${esc(report.tool.version)}. This file loads nothing from the network.</p></footer>
<script type="application/json" id="sockscope-data">${scriptJson(charts)}</script>
<script>${CLIENT_JS}</script>
</body></html>
`;
}

// ---------------------------------------------------------------- style

const CSS = `
:root{color-scheme:light;--fg:#1d1f23;--muted:#5b6270;--line:#e2e5ea;--crit:#b00020;--warn:#b86e00;--info:#3a6ea5}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;padding:0 24px;color:var(--fg);max-width:1200px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:18px;border-bottom:2px solid var(--line);padding-bottom:4px;margin:36px 0 6px}
h3{font-size:15px;margin:18px 0 6px}
h4{margin:6px 0 4px;font-size:15px}
code,.src,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
pre{background:#f6f7f9;padding:8px 10px;white-space:pre-wrap;border-radius:4px}
table{border-collapse:collapse;margin:6px 0}
td,th{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
thead th{background:#f6f7f9}
td.n{text-align:right;font-variant-numeric:tabular-nums}
td.absent{color:var(--muted);font-style:italic}
td.src{word-break:break-all;min-width:16em}
td.time{white-space:nowrap}
.table-wrap{overflow-x:auto;max-width:100%}
.fleet td.sev-critical{color:var(--crit);font-weight:600}.fleet td.sev-warning{color:var(--warn);font-weight:600}
.meta,.when{color:var(--muted);margin:2px 0}
.badge{display:inline-block;border-radius:3px;padding:0 6px;color:#fff;font-size:11px;font-weight:600;text-transform:uppercase;letter-spacing:.03em;vertical-align:1px}
.sev-critical .badge{background:var(--crit)}.sev-warning .badge{background:var(--warn)}.sev-info .badge{background:var(--info)}
.finding{border-left:4px solid var(--line);padding:2px 14px;margin:14px 0}
.finding.sev-critical{border-color:var(--crit)}.finding.sev-warning{border-color:var(--warn)}.finding.sev-info{border-color:var(--info)}
.note{background:#fff8e1;padding:4px 8px}
table.keys{font-size:12px}table.keys td,table.keys th{padding:1px 8px}
.chart{position:relative;margin:10px 0 6px}
.plot svg{display:block;box-sizing:border-box;width:100%;height:auto;background:#fff;border:1px solid var(--line);border-radius:4px}
.plot svg:focus{outline:2px solid #4a90e2;outline-offset:1px}
.plot svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;fill:#4b5261;font-size:11px}
.plot svg text.lane-label{fill:#222;font-size:10px;paint-order:stroke;stroke:#fff;stroke-width:3px;pointer-events:none}
.plot svg text.lane-label.inside{fill:#fff;stroke:none;font-weight:600}
.chart-head{display:flex;flex-wrap:wrap;align-items:center;gap:4px 10px;margin:0 0 6px;font-size:12px}
.legend{display:flex;flex-wrap:wrap;gap:4px 6px;flex:1}
.legend button{font:inherit;display:inline-flex;align-items:center;gap:6px;background:#fff;border:1px solid var(--line);border-radius:12px;padding:1px 10px 1px 8px;cursor:pointer;color:var(--fg)}
.legend button[aria-pressed=false]{opacity:.45;text-decoration:line-through}
.legend svg{width:22px;height:8px}
.log-toggle{white-space:nowrap;color:var(--muted)}
.chart-note{font-size:12px;color:var(--muted);margin:4px 0 0}
.chart.static .log-toggle{display:none}.chart.small .plot svg{max-width:480px}.chart.static .legend button{cursor:default}
.tip{position:absolute;pointer-events:none;background:#fff;border:1px solid #aab;border-radius:4px;padding:6px 8px;font-size:12px;box-shadow:0 2px 8px rgba(0,0,0,.18);display:none;z-index:2;max-width:460px}
.tip .tip-time{font-weight:600}
.tip .tip-source{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:11px;color:var(--muted);word-break:break-all;margin-bottom:4px}
.tip table{margin:0}.tip td,.tip th{border:0;padding:0 4px 0 0;font-weight:normal}
.tip td.v{text-align:right;font-variant-numeric:tabular-nums;padding-left:12px}
.tip td.v.absent{color:var(--muted);font-style:italic}
.tip i{display:inline-block;width:10px;height:3px;vertical-align:middle;margin-right:4px}
.tip .tip-findings{margin-top:4px;border-top:1px solid var(--line);padding-top:3px}
.tip .sev-critical{color:var(--crit)}.tip .sev-warning{color:var(--warn)}.tip .sev-info{color:var(--info)}
footer{margin-top:40px}
@media print{
  @page{margin:12mm}
  body{margin:0;padding:0;max-width:none;font-size:11px}
  h2{break-after:avoid}
  .host+.host{break-before:page}
  .chart,.finding,table,.keys{break-inside:avoid}
  .tip,.log-toggle,.cursor,.focus{display:none!important}
  .legend button{border:0;padding:0 6px 0 0}
  .legend button[aria-pressed=false]{display:none}
  .table-wrap{overflow:visible}
  table.evidence,table.files{font-size:9.5px;width:100%}
  table.evidence th,table.evidence td{padding:2px 4px}
  table.evidence thead th,td.src{overflow-wrap:anywhere}
  table.evidence tbody th{white-space:nowrap}
  td.src{min-width:0}
  td.time{white-space:normal}
  a{color:inherit;text-decoration:none}
  pre{background:none;border:1px solid var(--line)}
}
`;

// ---------------------------------------------------------------- the chart script

/**
 * Runs in the page: one chart per `.chart[data-chart]`. Plain ES5, no library, text only
 * through textContent. Above MAX_POINTS snapshots a line is drawn per pixel column (first,
 * min, max and last value of the column, so peaks stay) and no circle per snapshot; hover
 * still reads every snapshot.
 */
const CHART_JS = String.raw`
  var SVG = 'http://www.w3.org/2000/svg';
  var W = 960, L = 64, R = 16, PLOT_H = 250, LANE_H = 15, AXIS_H = 38, TOP = 8;
  var MAX_POINTS = 2000, GAP_FACTOR = 3;
  var SEV_FILL = { critical: 'rgba(176,0,32,0.12)', warning: 'rgba(199,119,0,0.13)', info: 'rgba(58,110,165,0.12)' };
  var SEV_BAR = { critical: '#b00020', warning: '#c77700', info: '#3a6ea5' };
  var STEPS = [1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 108e5, 216e5, 432e5, 864e5, 1728e5, 6048e5, 2592e6];

  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function h(name, cls, text, parent) {
    var e = document.createElement(name);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function fmt(v) { return String(v).replace(/\B(?=(\d{3})+(?!\d))/g, ','); }
  function iso(ms) { return new Date(ms).toISOString().replace('.000Z', 'Z'); }
  function source(d, i) { return d.files[d.fi[i]] + ':' + d.ln[i]; }

  // Y: linear with round steps, or log10 (0 and 1 stay where they are, so absent != 0 still holds).
  function symlog(v) { var a = Math.abs(v); return (v < 0 ? -1 : 1) * (a < 1 ? a : 1 + Math.log(a) / Math.LN10); }
  function yScale(lo, hi, log, top, height) {
    var ticks = [], f, p;
    if (log) {
      // Powers of ten (and their negatives: races can make closed - timewait negative).
      for (p = 1; -p > lo; p *= 10) {}
      if (lo < 0) { lo = -p; for (; p >= 1; p /= 10) ticks.push(-p); }
      ticks.push(0);
      for (p = 1; p <= hi; p *= 10) ticks.push(p);
      f = symlog;
    } else {
      // The round step (1, 2, 2.5 or 5 times a power of ten, whole numbers) that gives 4 to 7
      // ticks and the least empty room above the data.
      var mag = Math.pow(10, Math.floor(Math.log(Math.max(hi - lo, 1)) / Math.LN10)), step = 0, best = Infinity;
      [mag / 10, mag, mag * 10].forEach(function (m) {
        [1, 2, 2.5, 5].forEach(function (k) {
          var s = k * m, top = Math.ceil(hi / s) * s, count = top / s - Math.floor(lo / s);
          if (s < 1 || s !== Math.round(s) || count < 3 || count > 7) return;
          if (top < best || (top === best && s > step)) { best = top; step = s; }
        });
      });
      if (!step) step = Math.max(1, Math.ceil((hi - lo) / 4));
      lo = Math.floor(lo / step) * step; hi = Math.ceil(hi / step) * step;
      for (p = lo; p <= hi + step / 2; p += step) ticks.push(p);
      f = function (x) { return x; };
    }
    var a = f(lo), b = f(hi);
    if (log) b += (b - a) * 0.04;
    return { y: function (v) { return top + height * (1 - (f(v) - a) / (b - a)); }, ticks: ticks };
  }

  function timeTicks(t0, t1) {
    var step = STEPS[STEPS.length - 1];
    for (var k = 0; k < STEPS.length; k++) if ((t1 - t0) / STEPS[k] <= 7) { step = STEPS[k]; break; }
    var out = [];
    for (var t = Math.ceil(t0 / step) * step; t <= t1; t += step) out.push(t);
    return { step: step, ticks: out };
  }

  function Chart(box, d) {
    this.box = box; this.d = d; this.log = false; this.hidden = {}; this.cur = -1;
    var W = this.W = d.small ? 480 : 960, PLOT_H = this.PH = d.small ? 120 : 250;
    var n = d.n, timed = n > 0, t0 = Infinity, t1 = -Infinity, i;
    for (i = 0; i < n; i++) { var t = d.t[i]; if (t == null) timed = false; else { if (t < t0) t0 = t; if (t > t1) t1 = t; } }
    if (timed && t1 === t0) { t0 -= 30e3; t1 += 30e3; }
    this.timed = timed; this.t0 = t0; this.t1 = t1;
    // Lanes: one row per rule with a window, worst rule first.
    var lanes = [], seen = {};
    for (i = d.windows.length - 1; i >= 0; i--) { var r = d.windows[i].rule; if (!(r in seen)) { seen[r] = lanes.length; lanes.push(r); } }
    this.lanes = lanes; this.laneOf = seen;
    this.plotTop = TOP + lanes.length * LANE_H + (lanes.length ? 4 : 0);
    this.H = this.plotTop + PLOT_H + AXIS_H;
    var pw = W - L - R, self = this;
    this.xs = new Float64Array(n);
    for (i = 0; i < n; i++) this.xs[i] = timed ? L + pw * (d.t[i] - t0) / (t1 - t0) : L + pw * (n === 1 ? 0.5 : i / (n - 1));
    // A time gap of more than GAP_FACTOR times the median interval breaks the lines.
    this.gapBefore = new Uint8Array(n);
    if (timed && n > 2) {
      var dts = [];
      for (i = 1; i < n; i++) dts.push(d.t[i] - d.t[i - 1]);
      dts.sort(function (a, b) { return a - b; });
      var med = dts[Math.floor(dts.length / 2)];
      if (med > 0) for (i = 1; i < n; i++) if (d.t[i] - d.t[i - 1] > GAP_FACTOR * med) this.gapBefore[i] = 1;
    }
    this.head = h('div', 'chart-head', null, box);
    this.legend = h('div', 'legend', null, this.head);
    d.series.forEach(function (s) {
      var b = h('button', null, null, self.legend);
      b.type = 'button'; b.setAttribute('aria-pressed', 'true'); b.setAttribute('data-series', s.key);
      b.title = 'show or hide this series';
      var sw = el('svg', { viewBox: '0 0 22 8', 'aria-hidden': 'true' }, b);
      el('line', { x1: 1, y1: 4, x2: 21, y2: 4, stroke: s.color, 'stroke-width': 3, 'stroke-dasharray': s.dash ? '5,2' : 'none' }, sw);
      h('span', null, s.label, b);
      b.addEventListener('click', function () {
        self.hidden[s.key] = !self.hidden[s.key];
        b.setAttribute('aria-pressed', self.hidden[s.key] ? 'false' : 'true');
        self.draw();
      });
    });
    var lab = h('label', 'log-toggle', null, this.head);
    this.logBox = h('input', 'log', null, lab);
    this.logBox.type = 'checkbox';
    lab.appendChild(document.createTextNode(' log scale'));
    this.logBox.addEventListener('change', function () { self.log = self.logBox.checked; self.draw(); });
    this.svgHolder = h('div', 'plot', null, box);
    var note = [];
    var untimed = d.t.filter(function (x) { return x == null; }).length;
    if (untimed) note.push((untimed === n ? 'The snapshots have no time' : fmt(untimed) + ' snapshot(s) have no time') + ': the chart places them in input order.');
    if (d.untimed) note.push(fmt(d.untimed) + ' snapshot(s) of this host have no time and are not on this time axis; the findings and tables include them.');
    if (n > MAX_POINTS) note.push(fmt(n) + ' snapshots: each line shows the first, lowest, highest and last value per pixel column; hover reads every snapshot.');
    if (note.join('')) h('p', 'chart-note', note.join(' '), box);
    this.tip = h('div', 'tip', null, box);
    this.tip.setAttribute('role', 'status');
    this.draw();
  }

  Chart.prototype.visible = function () {
    var self = this;
    return this.d.series.filter(function (s) { return !self.hidden[s.key]; });
  };

  Chart.prototype.draw = function () {
    var d = this.d, n = d.n, self = this, xs = this.xs, i;
    var W = this.W, PLOT_H = this.PH;
    var pt = this.plotTop, pw = W - L - R, H = this.H;
    this.svgHolder.textContent = '';
    var svg = el('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', tabindex: '0' }, this.svgHolder);
    svg.setAttribute('aria-label', 'TCP socket counters over time for ' + d.host + '; use the arrow keys to read snapshots');
    this.svg = svg;
    var lo = 0, hi = 1;
    this.visible().forEach(function (s) { for (var k = 0; k < n; k++) { var v = s.v[k]; if (v != null) { if (v > hi) hi = v; if (v < lo) lo = v; } } });
    var ys = yScale(lo, hi, this.log, pt, PLOT_H), Y = ys.y;
    this.Y = Y;
    // Finding windows: a lane bar and a shaded band over the plot, worst drawn last (on top).
    d.windows.forEach(function (w) {
      var xa = xs[w.from] - Math.min(3, w.from > 0 ? (xs[w.from] - xs[w.from - 1]) / 2 : 3);
      var xb = xs[w.to] + Math.min(3, w.to < n - 1 ? (xs[w.to + 1] - xs[w.to]) / 2 : 3);
      xa = Math.max(L, xa); xb = Math.min(W - R, Math.max(xb, xa + 2));
      var label = w.severity + ' ' + w.rule + ': ' + (w.first || 'time unknown') + (w.last && w.last !== w.first ? ' → ' + w.last : '');
      var shade = el('rect', { x: xa, y: pt, width: xb - xa, height: PLOT_H, fill: SEV_FILL[w.severity] || SEV_FILL.info,
        'class': 'shade sev-' + w.severity, 'data-rule': w.rule, 'data-severity': w.severity,
        'data-first': w.first || '', 'data-last': w.last || '', 'data-from': w.from, 'data-to': w.to }, svg);
      el('title', {}, shade).textContent = label;
      var bar = el('rect', { x: xa, y: TOP + self.laneOf[w.rule] * LANE_H + 2, width: xb - xa, height: LANE_H - 4, rx: 2,
        fill: SEV_BAR[w.severity] || SEV_BAR.info, 'class': 'lane-bar', 'data-rule': w.rule }, svg);
      el('title', {}, bar).textContent = label + ' (' + w.title + ')';
    });
    // Each lane is labelled in its widest bar, or just after it when the bar is too narrow.
    this.lanes.forEach(function (rule, k) {
      var widest = null;
      svg.querySelectorAll('rect.lane-bar').forEach(function (b) {
        if (b.getAttribute('data-rule') === rule && (!widest || +b.getAttribute('width') > +widest.getAttribute('width'))) widest = b;
      });
      var bx = +widest.getAttribute('x'), bw = +widest.getAttribute('width'), inside = bw > rule.length * 6 + 10;
      var right = !inside && bx + bw + rule.length * 6 + 8 > W - R;
      el('text', { x: inside ? bx + 5 : right ? bx - 4 : bx + bw + 4, y: TOP + k * LANE_H + LANE_H - 4, 'text-anchor': right ? 'end' : 'start',
        'class': inside ? 'lane-label inside' : 'lane-label' }, svg).textContent = rule;
    });
    // Axes and grid.
    ys.ticks.forEach(function (v) {
      var y = Y(v);
      el('line', { x1: L, y1: y, x2: W - R, y2: y, stroke: v === 0 ? '#c8ccd3' : '#eef0f3' }, svg);
      el('text', { x: L - 6, y: y + 4, 'text-anchor': 'end' }, svg).textContent = fmt(v);
    });
    el('line', { x1: L, y1: pt, x2: L, y2: pt + PLOT_H, stroke: '#c8ccd3' }, svg);
    var base = pt + PLOT_H;
    if (this.timed) {
      var tt = timeTicks(this.t0, this.t1), lastDay = '';
      tt.ticks.forEach(function (t) {
        var x = L + pw * (t - self.t0) / (self.t1 - self.t0), s = iso(t);
        el('line', { x1: x, y1: base, x2: x, y2: base + 4, stroke: '#9aa1ad' }, svg);
        var anchor = x < L + 30 ? 'start' : x > W - R - 30 ? 'end' : 'middle';
        el('text', { x: x, y: base + 16, 'text-anchor': anchor }, svg).textContent = tt.step >= 864e5 ? s.slice(5, 10) : tt.step < 6e4 ? s.slice(11, 19) : s.slice(11, 16);
        if (s.slice(0, 10) !== lastDay && tt.step < 864e5) el('text', { x: x, y: base + 30, 'text-anchor': anchor }, svg).textContent = s.slice(0, 10);
        lastDay = s.slice(0, 10);
      });
      el('text', { x: W - R, y: base + 30, 'text-anchor': 'end' }, svg).textContent = 'time (UTC)';
    } else if (n > 0) {
      [0, n - 1].forEach(function (k) {
        el('text', { x: xs[k], y: base + 16, 'text-anchor': k ? 'end' : 'start' }, svg).textContent = 'snapshot ' + (k + 1);
      });
    }
    // Lines: broken where a value is absent or the capture has a gap; a circle per snapshot.
    var dense = n <= MAX_POINTS, r = n > 400 ? 1.3 : n > 100 ? 2 : 2.6;
    this.visible().forEach(function (s) {
      var segs = [], seg = [];
      for (var k = 0; k < n; k++) {
        if (s.v[k] == null || self.gapBefore[k]) { if (seg.length) segs.push(seg); seg = []; }
        if (s.v[k] != null) seg.push(k);
      }
      if (seg.length) segs.push(seg);
      segs.forEach(function (g) {
        var idx = dense ? g : thin(g, xs, s.v);
        if (idx.length === 1 && !dense) el('circle', { cx: xs[idx[0]], cy: Y(s.v[idx[0]]), r: 1.5, fill: s.color }, svg);
        var pts = idx.map(function (k) { return xs[k].toFixed(1) + ',' + Y(s.v[k]).toFixed(1); }).join(' ');
        el('polyline', { points: pts, fill: 'none', stroke: s.color, 'stroke-width': s.dash ? 2.4 : 1.7, 'stroke-dasharray': s.dash ? '7,4' : 'none',
          'stroke-linejoin': 'round', 'class': 'line', 'data-series': s.key }, svg);
      });
      if (dense) {
        var gp = el('g', { 'class': 'points', 'data-series': s.key, fill: s.color }, svg);
        for (var k2 = 0; k2 < n; k2++) if (s.v[k2] != null) el('circle', { cx: xs[k2].toFixed(1), cy: Y(s.v[k2]).toFixed(1), r: r, 'class': 'pt', 'data-i': k2 }, gp);
      }
    });
    this.cursor = el('line', { x1: 0, y1: pt, x2: 0, y2: base, stroke: '#333', 'stroke-dasharray': '3,3', 'class': 'cursor', visibility: 'hidden' }, svg);
    this.focus = el('g', { 'class': 'focus' }, svg);
    var overlay = el('rect', { x: L, y: pt, width: pw, height: PLOT_H, fill: 'transparent', 'class': 'overlay' }, svg);
    overlay.addEventListener('mousemove', function (ev) {
      var box = svg.getBoundingClientRect();
      self.show(self.nearest((ev.clientX - box.left) * W / box.width), ev.clientX, ev.clientY);
    });
    overlay.addEventListener('mouseleave', function () { self.hide(); });
    svg.addEventListener('keydown', function (ev) {
      var k = ev.key, c = self.cur < 0 ? 0 : self.cur;
      if (k === 'ArrowRight') c = Math.min(n - 1, self.cur < 0 ? 0 : c + 1);
      else if (k === 'ArrowLeft') c = Math.max(0, c - 1);
      else if (k === 'Home') c = 0;
      else if (k === 'End') c = n - 1;
      else if (k === 'Escape') { self.hide(); return; }
      else return;
      ev.preventDefault();
      self.show(c);
    });
    svg.addEventListener('blur', function () { self.hide(); });
    if (this.cur >= 0) this.hide();
  };

  /** Keep the first, lowest, highest and last point of each pixel column (in order). */
  function thin(g, xs, v) {
    var out = [], col = null, pick = [];
    function flush() {
      pick.sort(function (a, b) { return a - b; });
      for (var j = 0; j < pick.length; j++) if (j === 0 || pick[j] !== pick[j - 1]) out.push(pick[j]);
    }
    var first, last, lo, hi;
    for (var j = 0; j < g.length; j++) {
      var k = g[j], c = Math.round(xs[k]);
      if (c !== col) {
        if (col !== null) { pick = [first, lo, hi, last]; flush(); }
        col = c; first = last = lo = hi = k;
      } else {
        last = k;
        if (v[k] < v[lo]) lo = k;
        if (v[k] > v[hi]) hi = k;
      }
    }
    if (col !== null) { pick = [first, lo, hi, last]; flush(); }
    return out;
  }

  Chart.prototype.nearest = function (px) {
    var xs = this.xs, a = 0, b = xs.length - 1;
    while (b - a > 1) { var m = (a + b) >> 1; if (xs[m] < px) a = m; else b = m; }
    return Math.abs(xs[a] - px) <= Math.abs(xs[b] - px) ? a : b;
  };

  Chart.prototype.show = function (i, clientX, clientY) {
    var d = this.d, self = this, x = this.xs[i], tip = this.tip, W = this.W;
    if (i < 0 || i >= d.n) return;
    this.cur = i;
    this.cursor.setAttribute('x1', x); this.cursor.setAttribute('x2', x); this.cursor.setAttribute('visibility', 'visible');
    this.focus.textContent = '';
    this.visible().forEach(function (s) {
      if (s.v[i] != null) el('circle', { cx: x, cy: self.Y(s.v[i]), r: 4, fill: '#fff', stroke: s.color, 'stroke-width': 2 }, self.focus);
    });
    tip.textContent = '';
    h('div', 'tip-time', d.t[i] == null ? 'time unknown' : iso(d.t[i]), tip);
    h('div', 'tip-source', source(d, i), tip);
    var tb = h('table', null, null, tip), body = h('tbody', null, null, tb);
    d.series.forEach(function (s) {
      var row = h('tr', null, null, body);
      row.setAttribute('data-series', s.key);
      var th = h('th', null, null, row), sw = h('i', null, null, th);
      sw.style.background = s.color;
      th.appendChild(document.createTextNode(s.label));
      h('td', s.v[i] == null ? 'v absent' : 'v', s.v[i] == null ? 'absent' : String(s.v[i]), row);
    });
    var active = d.windows.filter(function (w) { return w.from <= i && i <= w.to; }).reverse();
    if (active.length) {
      var fl = h('div', 'tip-findings', null, tip);
      active.forEach(function (w) { h('div', 'sev-' + w.severity, w.severity + ': ' + w.rule, fl); });
    }
    tip.style.display = 'block';
    var box = this.box.getBoundingClientRect(), svgBox = this.svg.getBoundingClientRect();
    var px = clientX != null ? clientX - box.left : (x * svgBox.width) / W + (svgBox.left - box.left);
    var py = clientY != null ? clientY - box.top : svgBox.top - box.top + (this.plotTop * svgBox.height) / this.H;
    var left = px + 14;
    if (left + tip.offsetWidth > box.width) left = Math.max(0, px - 14 - tip.offsetWidth);
    tip.style.left = left + 'px';
    tip.style.top = Math.max(0, py + 14) + 'px';
  };

  Chart.prototype.hide = function () {
    this.tip.style.display = 'none';
    this.cursor.setAttribute('visibility', 'hidden');
    this.focus.textContent = '';
  };

`;

/**
 * The page's script: each chart is drawn again, live, over its static copy (the same
 * drawing, so nothing moves), with hover, legend toggles and log scale.
 */
const CLIENT_JS = String.raw`
(function () {
  'use strict';
${CHART_JS}
  var DATA = JSON.parse(document.getElementById('sockscope-data').textContent);
  var boxes = document.querySelectorAll('.chart[data-chart]');
  for (var b = 0; b < boxes.length; b++) {
    var d = DATA[Number(boxes[b].getAttribute('data-chart'))];
    if (!d) continue;
    boxes[b].textContent = '';
    boxes[b].classList.remove('static');
    new Chart(boxes[b], d);
  }
  // Printing: the explanations are part of the report, open them for the paper copy.
  var opened = [];
  window.addEventListener('beforeprint', function () {
    var ds = document.querySelectorAll('details:not([open])');
    for (var k = 0; k < ds.length; k++) { ds[k].open = true; opened.push(ds[k]); }
  });
  window.addEventListener('afterprint', function () { opened.forEach(function (x) { x.open = false; }); opened = []; });
})();
`;
