import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, type AnalysisReport } from '../src/analyze.js';
import { ROOT, SCENARIOS, samplePath, truth } from './helpers.js';
import { cli as runCli } from './cli-run.js';

const fired = (r: AnalysisReport, rule: string) => r.findings.filter((f) => f.rule === rule);

/**
 * Every built-in rule against a real positive and a real negative capture.
 * `limits` are `--limit` values given with the capture where the positive case
 * needs a kernel limit the machine could not safely be pushed to.
 */
const FIXTURES: {
  rule: string;
  positive: { inputs: string[]; limits?: Record<string, number>; severity: string };
  negative: { inputs: string[]; limits?: Record<string, number> };
}[] = [
  { rule: 'tcp-unhashed-sockets', positive: { inputs: ['kernel-6.18/unconnected-leak/combined.txt'], severity: 'critical' }, negative: { inputs: ['kernel-6.18/timewait-storm/combined.txt'] } },
  { rule: 'tcp-unhashed-growth', positive: { inputs: ['kernel-6.18/unconnected-leak/timeline-epoch.log'], severity: 'warning' }, negative: { inputs: ['kernel-6.18/timewait-storm/timeline-date.log'] } },
  { rule: 'tcp-timewait-high', positive: { inputs: ['kernel-6.18/timewait-storm/timeline-date.log'], severity: 'warning' }, negative: { inputs: ['kernel-6.18/unconnected-leak/timeline-date.log'] } },
  { rule: 'tcp-orphans-high', positive: { inputs: ['kernel-6.18/orphans/timeline-date.log'], severity: 'warning' }, negative: { inputs: ['kernel-6.18/timewait-storm/timeline-date.log'] } },
  {
    rule: 'tcp-memory-pressure',
    positive: { inputs: ['kernel-6.18/orphans/combined.txt'], limits: { tcp_mem_min: 2000, tcp_mem_pressure: 4000, tcp_mem_max: 8000 }, severity: 'critical' },
    negative: { inputs: ['kernel-6.18/idle/combined.txt'], limits: { tcp_mem_min: 2000, tcp_mem_pressure: 4000, tcp_mem_max: 8000 } },
  },
  {
    rule: 'udp-memory-high',
    positive: { inputs: ['kernel-6.18/udp-and-raw/combined.txt'], limits: { udp_mem_min: 200, udp_mem_pressure: 400, udp_mem_max: 1000 }, severity: 'warning' },
    negative: { inputs: ['kernel-6.18/orphans/combined.txt'], limits: { udp_mem_min: 200, udp_mem_pressure: 400, udp_mem_max: 1000 } },
  },
  { rule: 'frag-memory-high', positive: { inputs: ['captures/frag-reassembly'], severity: 'critical' }, negative: { inputs: ['kernel-6.18/udp-and-raw'] } },
  { rule: 'netns-global-counters', positive: { inputs: ['captures/netns-leak-host'], severity: 'warning' }, negative: { inputs: ['kernel-6.18/unconnected-leak'] } },
  // sockstat and ss -s of one busy host published moments apart (netdata #743), pasted as one capture.
  { rule: 'capture-inconsistent', positive: { inputs: ['-netdata'], severity: 'info' }, negative: { inputs: ['kernel-6.18/timewait-storm/timeline-date.log'] } },
  { rule: 'capture-gap', positive: { inputs: ['captures/capture-gap'], severity: 'info' }, negative: { inputs: ['kernel-6.18/idle/timeline-date.log'] } },
  { rule: 'tcp-close-wait', positive: { inputs: ['captures/leak-closewait/timeline-date.log'], severity: 'warning' }, negative: { inputs: ['captures/listing-idle'] } },
  { rule: 'sockets-used-growth', positive: { inputs: ['captures/unix-leak'], severity: 'warning' }, negative: { inputs: ['kernel-6.18/unconnected-leak/timeline-date.log'] } },
  // Protocol counters (test/counters.test.ts has each against every other counter capture).
  { rule: 'tcp-listen-overflow', positive: { inputs: ['captures/tcp-listen-overflow'], severity: 'critical' }, negative: { inputs: ['captures/tcp-syn-flood'] } },
  { rule: 'udp-receive-drops', positive: { inputs: ['captures/udp-receive-drops'], severity: 'critical' }, negative: { inputs: ['captures/counters-idle'] } },
  { rule: 'tcp-syn-flood', positive: { inputs: ['captures/tcp-syn-flood'], severity: 'critical' }, negative: { inputs: ['captures/tcp-listen-overflow'] } },
  { rule: 'tcp-timewait-overflow', positive: { inputs: ['captures/tcp-timewait-overflow'], severity: 'warning' }, negative: { inputs: ['captures/counters-idle'] } },
  // Kernel log lines: a real kern.log (hotsos scenario); the syn-flood capture has a kernel line, no conntrack one.
  { rule: 'conntrack-table-full', positive: { inputs: ['../test/fixtures/world/hotsos/defs/tests/scenarios/kernel/network/misc_nf_conntrack_full.yaml/var/log/kern.log'], severity: 'critical' }, negative: { inputs: ['captures/tcp-syn-flood'] } },
];

async function run(inputs: string[], limits?: Record<string, number>): Promise<AnalysisReport> {
  if (inputs[0] === '-netdata') {
    const { readFileSync } = await import('node:fs');
    const { Readable } = await import('node:stream');
    const text = readFileSync(samplePath('public/netdata-743-sockstat.txt'), 'utf8') + readFileSync(samplePath('public/netdata-743-ss.txt'), 'utf8');
    return analyze(['-'], { stdin: Readable.from([text]) });
  }
  return analyze(inputs.map(samplePath), limits ? { limits } : {});
}

describe('built-in rules on real positive and negative captures', () => {
  it('every built-in rule has a fixture pair here', async () => {
    const r = await analyze([samplePath('kernel-6.18/idle/combined.txt')]);
    expect(FIXTURES.map((f) => f.rule).sort()).toEqual(r.rules);
  });

  it.each(FIXTURES)('$rule fires on its positive fixture', async ({ rule, positive }) => {
    const r = await run(positive.inputs, positive.limits);
    const f = fired(r, rule);
    expect(f.length).toBeGreaterThan(0);
    expect(f.map((x) => x.severity)).toContain(positive.severity);
    for (const x of f) {
      expect(x.message).not.toMatch(/absent|undefined|NaN/);
      expect(x.evidence.length).toBeGreaterThan(0);
      expect(x.evidence[0]!.source).toMatch(/:\d+$/);
    }
  });

  it.each(FIXTURES)('$rule stays quiet on its negative fixture', async ({ rule, negative }) => {
    const r = await run(negative.inputs, negative.limits);
    expect(fired(r, rule)).toEqual([]);
    expect(r.not_evaluated.filter((n) => n.rule === rule)).toEqual([]);
  });
});

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
  it('tcp-unhashed-sockets works the arithmetic with the real numbers and merges consecutive snapshots', async () => {
    const r = await analyze([samplePath('kernel-6.18/unconnected-leak/timeline-date.log')]);
    const [f] = fired(r, 'tcp-unhashed-sockets');
    expect(f!.message).toContain('closed = alloc - (inuse4 + inuse6 - tw) = 1501 - (1 + 0 - 0) = 1500, of which 0 TIME_WAIT and 1500 allocated but unhashed');
    expect(f!.severity).toBe('critical');
    expect(f!.first_seen).toBe('2026-11-25T00:55:50Z');
    expect(f!.last_seen).toBe('2026-11-25T00:56:22Z');
    expect(f!.count).toBe(32);
    expect(f!.evidence.map((e) => e.label)).toEqual(['first', 'critical since', 'peak', 'last']);
    expect(f!.evidence[0]!.values).toMatchObject({ tcp_alloc: 101, tcp_unhashed: 100 });
    expect(f!.evidence[2]!.values.tcp_unhashed).toBe(1500);
  });

  it('tcp-orphans-high says the limit is unknown, and uses it when given', async () => {
    const a = await analyze([samplePath('kernel-6.18/orphans/combined.txt')]);
    expect(fired(a, 'tcp-orphans-high')[0]!.message).toMatch(/750 orphaned TCP sockets host-wide .*tcp_max_orphans is not in the\s+inputs/);
    const b = await analyze([samplePath('kernel-6.18/orphans/combined.txt')], { limits: { tcp_max_orphans: 1024 } });
    const f = fired(b, 'tcp-orphans-high')[0]!;
    expect(f.severity).toBe('critical');
    expect(f.message).toContain('73.2 % of tcp_max_orphans (1024)');
    expect(f.limits).toEqual([{ name: 'tcp_max_orphans', value: 1024, source: '--limit' }]);
  });

  it('a rule whose fields the inputs lack is not evaluated, never true or false', async () => {
    const r = await analyze([samplePath('kernel-6.18/timewait-storm/timeline-iso.log')]);
    expect(r.not_evaluated.find((n) => n.rule === 'tcp-memory-pressure')).toMatchObject({ missing: ['tcp_mem_pages'] });
    expect(fired(r, 'tcp-memory-pressure')).toEqual([]);
  });

  it('params override with --param, and --disable removes a rule', async () => {
    const p = samplePath('kernel-6.18/unconnected-leak/combined.txt');
    expect(fired(await analyze([p], { params: { 'tcp-unhashed-sockets': { critical_unhashed: 5000 } } }), 'tcp-unhashed-sockets')[0]!.severity).toBe('warning');
    expect(fired(await analyze([p], { params: { 'tcp-unhashed-sockets': { min_unhashed: 2000 } } }), 'tcp-unhashed-sockets')).toEqual([]);
    const d = await analyze([p], { disable: ['tcp-unhashed-sockets'] });
    expect(d.rules).not.toContain('tcp-unhashed-sockets');
    await expect(analyze([p], { params: { 'tcp-unhashed-sockets': { nope: 1 } } })).rejects.toThrow(/has no param nope/);
  });

  it('netns-global-counters drops tcp-unhashed-* to info and says why', async () => {
    const r = await analyze([samplePath('captures/netns-leak-host')]);
    expect(fired(r, 'netns-global-counters').length).toBeGreaterThan(0);
    const inNs = r.findings.filter((x) => x.rule.startsWith('tcp-unhashed-') && !x.series.includes('root-ns'));
    expect(inNs.map((f) => f.rule).sort()).toEqual(['tcp-unhashed-growth', 'tcp-unhashed-sockets']);
    // The same leak seen from the root namespace (root-ns/) is a real leak there: no demotion.
    expect(r.findings.find((x) => x.series.includes('root-ns'))).toMatchObject({ rule: 'tcp-unhashed-sockets', severity: 'critical', notes: [] });
    for (const f of inNs) {
      expect(f.severity).toBe('info');
      expect(f.notes[0]).toMatch(/^netns-global-counters fired for this host at the same time: .*(other network namespaces|another network namespace)/);
    }
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
    for (const p of ['samples/kernel-6.18', 'samples/captures/frag-reassembly', 'samples/public']) {
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
  it('lists every built-in rule with each param and its default', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(join(ROOT, 'docs/rules.md'), 'utf8');
    const { loadRules } = await import('../src/analyze.js');
    const set = await loadRules();
    for (const r of set.rules) {
      expect(readme).toContain(`### ${r.id}\n`);
      for (const [name, p] of Object.entries(r.params)) expect([r.id, readme.includes(`| \`${name}\` | ${p.default} |`)]).toEqual([r.id, true]);
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
