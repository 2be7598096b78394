import { createHash } from 'node:crypto';
import type { AnalysisReport } from './model.js';
import { fleet } from './findings.js';
import { mdText, oneLine } from './safe-text.js';

/**
 * `analyze --output-dir DIR`: one report per host and an index that links to them (issue
 * 14.9). A host's report is the run's report cut to that host: its findings, limits and rules
 * not evaluated, with the inputs of the whole run (so inputs that failed are named in each).
 */
export function hostReport(r: AnalysisReport, series: string): AnalysisReport {
  return {
    ...r,
    hosts: r.hosts.filter((h) => h.series === series),
    findings: r.findings.filter((f) => f.series === series),
    limits: r.limits.filter((l) => l.series === series),
    not_evaluated: r.not_evaluated.filter((n) => n.series === series),
  };
}

/**
 * A file name for a host's report that is safe whatever the host name holds (`../`, `/`,
 * controls, a leading dot or dash, names that differ only in such characters): its rank
 * (worst first), the name's letters, digits, `.`, `_` and `-` (others become `_`, at most 60),
 * and 8 hex digits of the name's SHA-256, so two names never share a file.
 */
export function hostFileName(rank: number, count: number, series: string, ext: string): string {
  const slug =
    series
      .normalize('NFKD')
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._-]+|[._-]+$/g, '')
      .slice(0, 60)
      .replace(/[._-]+$/, '') || 'host';
  const hash = createHash('sha256').update(series).digest('hex').slice(0, 8);
  return `${String(rank).padStart(Math.max(3, String(count).length), '0')}-${slug}-${hash}.${ext}`;
}

export type IndexFormat = 'markdown' | 'html' | 'json' | 'text';

export interface IndexEntry {
  series: string;
  file: string;
}

function top(f: AnalysisReport['findings'][number] | undefined): string {
  if (!f) return '-';
  const since = f.escalated && f.escalated.severity === f.severity && f.escalated.time ? ` (critical since ${f.escalated.time})` : '';
  return `${f.severity} ${f.rule} from ${f.first_seen ?? 'time unknown'}${since}`;
}

const html = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The index: hosts worst first, each linking to its report, with its counts and top finding. */
export function renderIndex(r: AnalysisReport, files: ReadonlyMap<string, string>, format: IndexFormat): string {
  const hosts = fleet(r);
  const i = r.inputs;
  const totals = `${hosts.length} host(s), ${r.findings.length} finding(s); ${i.files} file(s), ${i.snapshots} snapshot(s), ${i.skipped.length} skipped`;
  const failed = i.failed.map((p) => `${p.source}: ${p.reason}`);
  if (format === 'json') {
    return `${JSON.stringify(
      {
        tool: r.tool,
        inputs: { files: i.files, snapshots: i.snapshots, skipped: i.skipped.length, failed: i.failed },
        hosts: hosts.map((h) => {
          const f = h.findings[0];
          return {
            series: h.series,
            host: r.hosts.find((x) => x.series === h.series)?.host ?? null,
            file: files.get(h.series)!,
            snapshots: h.snapshots,
            critical: h.counts.critical,
            warning: h.counts.warning,
            info: h.counts.info,
            top_finding: f ? { rule: f.rule, severity: f.severity, first_seen: f.first_seen, message: f.message } : null,
          };
        }),
      },
      null,
      2,
    )}\n`;
  }
  if (format === 'markdown') {
    const out = ['## sockscope findings: one report per host', ''];
    for (const p of failed) out.push(`**Input not read:** ${mdText(p)}`, '');
    out.push(`${totals}.`, '', '| host | snapshots | critical | warning | info | top finding |', '|---|---:|---:|---:|---:|---|');
    for (const h of hosts) {
      // The file name is made of safe characters (hostFileName): a link target that cannot break out.
      out.push(`| [${mdText(h.series)}](${files.get(h.series)!}) | ${h.snapshots} | ${h.counts.critical} | ${h.counts.warning} | ${h.counts.info} | ${mdText(top(h.findings[0]))} |`);
    }
    out.push('', `<sub>sockscope ${r.tool.version}</sub>`);
    return `${out.join('\n')}\n`;
  }
  if (format === 'html') {
    const rows = hosts.map(
      (h) =>
        `<tr><td><a href="${html(files.get(h.series)!)}">${html(oneLine(h.series))}</a></td><td class="n">${h.snapshots}</td><td class="n">${h.counts.critical}</td><td class="n">${h.counts.warning}</td><td class="n">${h.counts.info}</td><td>${html(oneLine(top(h.findings[0])))}</td></tr>`,
    );
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>sockscope: ${hosts.length} host(s)</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}td.n{text-align:right}.failed{color:#b00}</style>
</head><body>
<h1>sockscope findings: one report per host</h1>
${failed.map((p) => `<p class="failed">Input not read: ${html(oneLine(p))}</p>`).join('\n')}
<p>${html(totals)}.</p>
<table><thead><tr><th>host</th><th>snapshots</th><th>critical</th><th>warning</th><th>info</th><th>top finding</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
<p><small>sockscope ${html(r.tool.version)}</small></p>
</body></html>
`;
  }
  const w = Math.max(4, ...hosts.map((h) => files.get(h.series)!.length));
  const out = [...failed.map((p) => `input not read: ${oneLine(p)}`), `${'file'.padEnd(w)}  crit  warn  info  host: top finding`];
  for (const h of hosts) {
    out.push(`${files.get(h.series)!.padEnd(w)}  ${String(h.counts.critical).padStart(4)}  ${String(h.counts.warning).padStart(4)}  ${String(h.counts.info).padStart(4)}  ${oneLine(h.series)}: ${oneLine(top(h.findings[0]))}`);
  }
  out.push('', totals);
  return `${out.join('\n')}\n`;
}
