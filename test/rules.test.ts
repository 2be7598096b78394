import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, type AnalysisReport } from '../src/analyze.js';
import { ROOT, SCENARIOS, samplePath, truth } from './helpers.js';
import { cli as runCli } from './cli-run.js';

const fired = (r: AnalysisReport, rule: string) => r.findings.filter((f) => f.rule === rule);

// Each built-in rule on its real positive and negative captures, and the figures of its findings:
// rules/tests/<id>.yaml, run by test/rule-tests.test.ts (and `sockscope rules test rules`).

describe('expected_findings of every shared sample', () => {
  const cases = SCENARIOS.flatMap((sc) => ['timeline-date.log', 'timeline-iso.log', 'timeline-epoch.log', 'combined.txt', ''].map((f) => [sc, f] as const));
  it.each(cases)('%s/%s', async (sc, file) => {
    const t = truth(sc).expected_findings;
    const r = await analyze([samplePath(`kernel-6.18/${sc}/${file}`)]);
    const ids = new Set(r.findings.map((f) => f.rule));
    const single = file === 'combined.txt';
    for (const id of t.must_raise) if (!(single && id.endsWith('-growth'))) expect([id, ids.has(id)]).toEqual([id, true]);
    for (const id of t.must_not_raise) expect([id, ids.has(id)]).toEqual([id, false]);
  });
});

describe('expected_findings of every capture made for the rules (samples/captures)', () => {
  const dirs = readdirSync(samplePath('captures'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  it.each(dirs)('captures/%s', async (name) => {
    const t = JSON.parse(readFileSync(samplePath(`captures/${name}/truth.json`), 'utf8')) as { expected_findings: { must_raise: string[]; must_not_raise: string[] } };
    const r = await analyze([samplePath(`captures/${name}`)]);
    const ids = new Set(r.findings.map((f) => f.rule));
    for (const id of t.expected_findings.must_raise) expect([id, ids.has(id)]).toEqual([id, true]);
    for (const id of t.expected_findings.must_not_raise) expect([id, ids.has(id)]).toEqual([id, false]);
  });

  it('limits from sysctl -a and proc/sys files attach to the capture beside them, with their source', async () => {
    const r = await analyze([samplePath('captures/mixed-sysctl')]);
    const bySource = r.limits.filter((l) => l.name === 'tcp_max_orphans').map((l) => [l.series, l.value, l.source.replace(/^.*mixed-sysctl\//, '')]);
    expect(bySource).toEqual([
      [expect.stringContaining('mixed-sysctl'), 131072, 'sysctl_-a:3'],
    ]);
    expect(r.limits.find((l) => l.name === 'tcp_mem_pressure')).toMatchObject({ value: 383865 });
  });
});

describe('the findings', () => {
  // The arithmetic, limits, params, not-evaluated and netns demotion cases are rule tests now
  // (rules/tests/tcp-unhashed-sockets.yaml, tcp-orphans-high.yaml, tcp-memory-pressure.yaml).
  it('--disable removes a rule, and an unknown --param is an error', async () => {
    const p = samplePath('kernel-6.18/unconnected-leak/combined.txt');
    const d = await analyze([p], { disable: ['tcp-unhashed-sockets'] });
    expect(d.rules).not.toContain('tcp-unhashed-sockets');
    expect(fired(d, 'tcp-unhashed-sockets')).toEqual([]);
    await expect(analyze([p], { params: { 'tcp-unhashed-sockets': { nope: 1 } } })).rejects.toThrow(/has no param nope/);
  });
});

describe('output', () => {
  // The CLI in this process (main(argv, io)), as the bin runs it.
  const cli = async (args: string[]) => {
    const r = await runCli(args);
    return { status: r.code, stdout: r.out, stderr: r.err };
  };

  it('json validates against the shipped JSON Schema', async () => {
    const { default: Ajv } = await import('ajv/dist/2020.js');
    const { readFileSync } = await import('node:fs');
    const schema = JSON.parse(readFileSync(join(ROOT, 'schema/report.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true }).compile(schema);
    // conntrack-table-full: findings with kernel log lines (log_lines)
    for (const p of ['samples/kernel-6.18', 'samples/captures/frag-reassembly', 'samples/public', 'samples/captures/conntrack-table-full']) {
      const r = await cli(['analyze', '--format', 'json', '-q', p]);
      const doc = JSON.parse(r.stdout) as unknown;
      expect([p, validate(doc), validate.errors ?? []]).toEqual([p, true, []]);
    }
  });

  it('the same input gives the same bytes', async () => {
    for (const fmt of ['json', 'markdown', 'text']) {
      const a = await cli(['analyze', '--format', fmt, '-q', 'samples/kernel-6.18']);
      const b = await cli(['analyze', '--format', fmt, '-q', 'samples/kernel-6.18']);
      expect(a.stdout.length).toBeGreaterThan(500);
      expect(a.stdout).toBe(b.stdout);
    }
  });

  it('exit codes: --fail-on', async () => {
    expect((await cli(['analyze', '-q', 'samples/kernel-6.18/unconnected-leak/combined.txt'])).status).toBe(0);
    expect((await cli(['analyze', '-q', '--fail-on', 'critical', 'samples/kernel-6.18/unconnected-leak/combined.txt'])).status).toBe(1);
    expect((await cli(['analyze', '-q', '--fail-on', 'warning', 'samples/kernel-6.18/idle/combined.txt'])).status).toBe(0);
    expect((await cli(['analyze', '-q', '/nonexistent'])).status).toBe(2);
    expect((await cli(['analyze', '-q', '--param', 'x=1', 'samples/public'])).status).toBe(2);
  });

  it('markdown: summary table, a section per finding with evidence and arithmetic', async () => {
    const r = await cli(['analyze', '--format', 'markdown', '-q', 'samples/kernel-6.18/unconnected-leak/timeline-date.log']);
    expect(r.stdout).toContain('| severity | rule | host | seen | snapshots |');
    expect(r.stdout).toContain('### CRITICAL: TCP sockets allocated but never connected (unhashed, TCP_CLOSE) (`tcp-unhashed-sockets`)');
    expect(r.stdout).toContain('= 1501 - (1 + 0 - 0) = 1500');
    expect(r.stdout).toMatch(/\| peak \| 2026-11-25T00:56:18Z \| `samples\/kernel-6.18\/unconnected-leak\/timeline-date.log:683` \| 1501 \|/);
  });

  it('text has no colour when piped', async () => {
    const r = await cli(['analyze', '-q', 'samples/kernel-6.18/unconnected-leak/combined.txt']);
    expect(r.stdout).toContain('CRITICAL tcp-unhashed-sockets');
    expect(r.stdout).not.toContain('\u001b[');
  });
});

describe('rule files', () => {
  // The CLI in this process (main(argv, io)), as the bin runs it.
  const cli = async (args: string[]) => {
    const r = await runCli(args);
    return { status: r.code, stdout: r.out, stderr: r.err };
  };

  it('rules lint reports each problem with file:line and exits 2', async () => {
    const r = await cli(['rules', 'lint', 'test/fixtures/rules-broken']);
    expect(r.status).toBe(2);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toContain('test/fixtures/rules-broken/bad-expr.yaml:9: unknown field "tcp_alocc" in when');
    expect(lines).toContain('test/fixtures/rules-broken/bad-expr.yaml:12: unknown function "slope" in levels.0.when (snapshot rules have: round, abs, pages_mib, bytes_mib, pct, least, greatest, prev, counter_delta, counter_rate, run_sum, log_count, log_lines, log_values, log_sum, known, coalesce)');
    expect(lines).toContain('test/fixtures/rules-broken/bad-expr.yaml:12: unknown param "params.nope" in levels.0.when');
    expect(lines.some((l) => l.startsWith('test/fixtures/rules-broken/bad-expr.yaml:13: message:'))).toBe(true);
    expect(lines).toContain('test/fixtures/rules-broken/bad-schema.yaml:9: unknown field "treshold"');
    expect(lines.some((l) => /^test\/fixtures\/rules-broken\/bad-schema.yaml:1: id: /.test(l))).toBe(true);
    expect(lines.some((l) => /^test\/fixtures\/rules-broken\/bad-schema.yaml:3: severity: /.test(l))).toBe(true);
    expect(lines.some((l) => /^test\/fixtures\/rules-broken\/bad-yaml.yaml:\d+: YAML: /.test(l))).toBe(true);
  });

  it('rules lint passes the built-in rules', async () => {
    const r = await cli(['rules', 'lint', 'rules']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('17 rule file(s) OK\n');
  });

  it('a custom rule directory replaces a built-in (with a notice) and adds rules', async () => {
    const r = await analyze([samplePath('kernel-6.18/unconnected-leak/combined.txt')], { rulesDirs: [join(ROOT, 'test/fixtures/rules-custom')] });
    expect(r.notices).toEqual([expect.stringMatching(/^rule tcp-unhashed-sockets from .*rules-custom\/tcp-unhashed-sockets.yaml replaces the one from .*rules\/tcp-unhashed-sockets.yaml$/)]);
    expect(r.rules).toContain('estab-drop');
    const f = fired(r, 'tcp-unhashed-sockets')[0]!;
    expect(f.message).toBe('site rule: 1500 unhashed TCP sockets (closed 1500 - timewait 0)');
    expect(f.title).toBe('Site rule - unhashed TCP sockets, stricter');
  });

  it('rules list and show', async () => {
    const l = await cli(['rules', 'list']);
    expect(l.stdout.split('\n')[0]).toMatch(/^id\s+severity\s+scope\s+title$/);
    expect(l.stdout).toMatch(/tcp-unhashed-growth\s+warning\s+series\s+Unhashed TCP sockets rise steadily/);
    const s = await cli(['rules', 'show', 'tcp-timewait-high']);
    expect(s.stdout).toContain('when: known(limits.tcp_max_tw_buckets) ? tcp_tw >= params.bucket_share * limits.tcp_max_tw_buckets : tcp_tw >= params.min_tw');
    expect(s.stdout).toContain('  min_tw = 5000  TIME_WAIT sockets when tcp_max_tw_buckets is unknown');
  });
});

describe('docs stay true', () => {
  it('docs/rules.md\'s rule reference is exactly what npm run docs:rules generates from the rule files', async () => {
    const { readFileSync } = await import('node:fs');
    const { loadRules } = await import('../src/analyze.js');
    const { rulesDoc } = await import('../src/report/rules-doc.js');
    const doc = readFileSync(join(ROOT, 'docs/rules.md'), 'utf8');
    const set = await loadRules();
    // On a difference: run `npm run docs:rules` and commit docs/rules.md.
    expect(doc).toBe(rulesDoc(doc, set.rules));
    // What the generator writes: each rule with each param and its default.
    for (const r of set.rules) {
      expect(doc).toContain(`### ${r.id}\n`);
      for (const [name, p] of Object.entries(r.params)) expect([r.id, doc.includes(`| \`${name}\` | ${p.default} |`)]).toEqual([r.id, true]);
    }
  });

  it('the version the tool reports is package.json\'s', async () => {
    const { readFileSync } = await import('node:fs');
    const { VERSION } = await import('../src/version.js');
    expect(VERSION).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });
});

describe('series functions at scale', () => {
  it('r2 and the rest work on series far longer than the call stack allows for spread arguments', async () => {
    const { seriesCall } = await import('../src/rules/functions.js');
    const n = 400_000;
    const t = Float64Array.from({ length: n }, (_, i) => i * 60000);
    const y = Float64Array.from({ length: n }, (_, i) => 2 * i + (i % 3));
    expect(seriesCall('r2', t, y)).toBeGreaterThan(0.999);
    expect(seriesCall('slope', t, y)).toBeCloseTo(2, 3);
    expect(seriesCall('max', t, y)).toBe(2 * (n - 1) + ((n - 1) % 3));
  });
});
