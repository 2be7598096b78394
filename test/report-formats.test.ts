import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnalysisReport } from '../src/analyze.js';
import { ROOT } from './helpers.js';

// What each report format says, checked on the real samples.
const BIN = join(ROOT, 'dist/cli/main.js');
const LEAK = 'samples/kernel-6.18/unconnected-leak/timeline-date.log';
const tmp = mkdtempSync(join(tmpdir(), 'sockscope-formats-'));

function run(args: string[]): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT, maxBuffer: 1 << 28 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}
const analyze = (...args: string[]) => run(['analyze', '-q', ...args]).stdout;

describe('a critical finding says when the critical level was first crossed', () => {
  // unconnected-leak: unhashed passes 100 (warning) at 00:55:50 and 1000 (critical) at 00:56:09 (line 485).
  it('json: escalated, and an evidence row at the crossing', () => {
    const r = JSON.parse(analyze('--format', 'json', LEAK)) as AnalysisReport;
    const f = r.findings.find((x) => x.rule === 'tcp-unhashed-sockets')!;
    expect(f.severity).toBe('critical');
    expect(f.first_seen).toBe('2026-11-25T00:55:50Z');
    expect(f.escalated).toEqual({ severity: 'critical', time: '2026-11-25T00:56:09Z', source: `${LEAK}:485` });
    expect(f.evidence.map((e) => [e.label, e.time, e.values.tcp_unhashed])).toEqual([
      ['first', '2026-11-25T00:55:50Z', 100],
      ['critical since', '2026-11-25T00:56:09Z', 1000],
      ['peak', '2026-11-25T00:56:18Z', 1500],
      ['last', '2026-11-25T00:56:22Z', 1500],
    ]);
    // A warning that never escalated has none.
    expect(r.findings.find((x) => x.rule === 'tcp-unhashed-growth')!.escalated).toBeUndefined();
  });

  it('text, markdown and html show "critical since" next to the start', () => {
    expect(analyze(LEAK)).toContain('2026-11-25T00:55:50Z → 2026-11-25T00:56:22Z, critical since 2026-11-25T00:56:09Z, 32 snapshot(s)');
    const md = analyze('--format', 'markdown', LEAK);
    expect(md).toContain('| critical | `tcp-unhashed-sockets` | (unnamed host: samples/kernel-6.18/unconnected-leak) | 2026-11-25T00:55:50Z → 2026-11-25T00:56:22Z, critical since 2026-11-25T00:56:09Z | 32 |');
    expect(md).toContain(`| critical since | 2026-11-25T00:56:09Z | \`${LEAK}:485\` | 1001 |`);
    const html = join(tmp, 'since.html');
    run(['analyze', '-q', '--format', 'html', '-o', html, LEAK]);
    expect(readFileSync(html, 'utf8')).toContain(
      '<p class="when">2026-11-25T00:55:50Z → 2026-11-25T00:56:22Z, <span class="since sev-critical">critical since 2026-11-25T00:56:09Z</span>, 32 snapshot(s)</p>',
    );
 }, 120_000);
});

describe('a markdown report fits a ticket comment', () => {
  const sections = (md: string) => [...md.matchAll(/^#{3,4} (CRITICAL|WARNING|INFO): /gm)].length;
  const tableRows = (md: string) => md.split('\n').filter((l) => /^\| (critical|warning|info) \| `/.test(l)).length;

  it('samples/: at most 65,536 characters, every finding in the table, a cut line that says what was cut and how to get it', () => {
    const findings = (JSON.parse(analyze('--format', 'json', 'samples/')) as AnalysisReport).findings.length;
    const full = analyze('--format', 'markdown', '--max-chars', '0', 'samples/');
    expect(full.length).toBeGreaterThan(65_536);
    expect(full).not.toContain('Cut to fit');
    expect(sections(full)).toBe(findings);
    const md = analyze('--format', 'markdown', 'samples/');
    expect(md.length).toBeLessThanOrEqual(65_536);
    expect(tableRows(md)).toBe(findings);
    const cutSections = findings - sections(md);
    expect(cutSections).toBeGreaterThan(0);
    expect(md).toMatch(new RegExp(`^\\*\\*Cut to fit 65,536 characters \\(a GitHub comment\\): .*${cutSections} of ${findings} finding sections.* left out\\.\\*\\* The whole report: \`sockscope analyze --format markdown samples/ --max-chars 0\`, or --summary for one line per finding, or --format html for a file to attach\\.$`, 'm'));
    expect(md.trimEnd().endsWith('<sub>sockscope 0.1.0</sub>')).toBe(true);
    // A smaller limit is honoured too.
    expect(analyze('--format', 'markdown', '--max-chars', '20000', 'samples/').length).toBeLessThanOrEqual(20_000);
  }, 180_000);

  it('--summary: the tables only; --max-findings N: N sections, the table lists all', () => {
    const findings = (JSON.parse(analyze('--format', 'json', 'samples/')) as AnalysisReport).findings.length;
    const sum = analyze('--format', 'markdown', '--summary', 'samples/');
    expect(sections(sum)).toBe(0);
    expect(tableRows(sum)).toBe(findings);
    expect(sum).toContain(`Summary only: the ${findings} finding(s) above have their evidence, explanation and remediation in the full report`);
    const two = analyze('--format', 'markdown', '--max-findings', '2', 'samples/');
    expect(sections(two)).toBe(2);
    expect(tableRows(two)).toBe(findings);
    expect(two).toContain(`${findings - 2} more finding(s) in the table above without their section here (--max-findings 2)`);
    expect(run(['analyze', '-q', '--format', 'markdown', '--max-findings', '-1', LEAK]).status).toBe(2);
  }, 180_000);

  it('--format jira: wiki markup, no <details>, within a Jira comment (32,767), names escaped', () => {
    const jira = analyze('--format', 'jira', 'samples/');
    expect(jira.length).toBeLessThanOrEqual(32_767);
    expect(jira).not.toMatch(/<details>|<summary>|<sub>|^\|---/m);
    expect(jira.startsWith('h2. sockscope findings\n')).toBe(true);
    expect(jira).toContain('||severity||rule||host||seen||snapshots||');
    expect(jira).toContain('Cut to fit 32,767 characters (a Jira comment)');
    const one = run(['analyze', '-q', '--format', 'jira', '--host', 'web|x [evil|http://e.example] {code}', LEAK]).stdout;
    expect(one).toContain('|critical|{{tcp-unhashed-sockets}}|web\\|x \\[evil\\|http://e.example\\] \\{code\\}|');
    expect(one).toContain('h3. CRITICAL: TCP sockets allocated but never connected (unhashed, TCP_CLOSE) ({{tcp-unhashed-sockets}})');
    expect(one).toContain('{code:bash}\nfor p in /proc/[0-9]*;');
    expect(one).toContain('[ss(8)|https://man7.org/linux/man-pages/man8/ss.8.html]');
  }, 120_000);
});

describe('fleet views', () => {
  it('analyze --format csv: one row per finding with host, rule, severity, first and last seen, peak value and evidence source', async () => {
    const { default: Papa } = await import('papaparse');
    const json = JSON.parse(analyze('--format', 'json', LEAK)) as AnalysisReport;
    const csv = analyze('--format', 'csv', LEAK);
    const rows = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true }).data;
    expect(Object.keys(rows[0]!)).toEqual(['host', 'series', 'rule', 'severity', 'first_seen', 'last_seen', 'critical_since', 'snapshots', 'peak_value', 'peak_time', 'peak_source', 'evidence_source', 'title', 'message']);
    expect(rows.length).toBe(json.findings.length);
    expect(rows[0]).toMatchObject({
      host: '', // absent stays empty
      series: '(unnamed host: samples/kernel-6.18/unconnected-leak)',
      rule: 'tcp-unhashed-sockets',
      severity: 'critical',
      first_seen: '2026-11-25T00:55:50Z',
      last_seen: '2026-11-25T00:56:22Z',
      critical_since: '2026-11-25T00:56:09Z',
      snapshots: '32',
      peak_value: '1500',
      peak_time: '2026-11-25T00:56:18Z',
      peak_source: `${LEAK}:683`,
      evidence_source: `${LEAK}:89`,
    });
    expect(rows[1]).toMatchObject({ rule: 'tcp-unhashed-growth', severity: 'warning', critical_since: '' });
    // -o findings.csv picks the format; a --host that starts a formula is guarded.
    const evil = run(['analyze', '-q', '--format', 'csv', '--host==cmd|x\n', LEAK]).stdout;
    expect(Papa.parse<Record<string, string>>(evil, { header: true }).data[0]!.host).toBe("'=cmd|x\n");
  });

  it('analyze --format summary: one line per host, worst first, with its top finding', () => {
    const json = JSON.parse(analyze('--format', 'json', 'samples/fleet')) as AnalysisReport;
    const lines = analyze('--format', 'summary', 'samples/fleet').trimEnd().split('\n');
    expect(lines[0]).toMatch(/^host\s+snapshots  crit  warn  info  top finding$/);
    const hostLines = lines.slice(1, 1 + json.hosts.length);
    expect(hostLines[0]).toMatch(/^vm\s+26     1     0     1  critical tcp-unhashed-sockets from 2026-11-25T\S+Z( \(critical since \S+\))?: \d+ TCP sockets are allocated but not hashed/);
    // Worst first: critical, warning, info counts never rise down the list.
    const counts = hostLines.map((l) => l.match(/  +\d+  +(\d+)  +(\d+)  +(\d+)  /)!.slice(1).map(Number));
    for (let k = 1; k < counts.length; k++) expect(counts[k - 1]!.join(',') >= counts[k]!.join(',') || counts[k - 1]![0]! > counts[k]![0]!).toBe(true);
    // Each host's line names its worst finding (the report's first for that host).
    for (const l of hostLines) {
      const host = l.split(/\s{2,}/)[0]!;
      const top = json.findings.find((f) => f.series === host);
      expect([host, l.includes(top ? `${top.severity} ${top.rule} from ${top.first_seen}` : '  -')]).toEqual([host, true]);
    }
    expect(lines[lines.length - 1]).toBe(`${json.hosts.length} host(s), ${json.findings.length} finding(s); ${json.inputs.files} file(s), ${json.inputs.snapshots} snapshot(s), 0 skipped`);
  }, 60_000);
});
