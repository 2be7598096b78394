import { spawnSync } from 'node:child_process';
import { cpSync, createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { once } from 'node:events';
import yazl from 'yazl';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../src/analyze.js';
import type { Snapshot } from '../src/normalize/types.js';
import { collectSnapshots } from '../src/pipeline.js';
import { samplePath } from './helpers.js';

// Every archive here is built by the test from the real captures in samples/.
const tmp = mkdtempSync(join(tmpdir(), 'sockscope-bundles-'));
const SOS_TXZ = samplePath('bundles/sosreport-vm-2026-11-25-corpus.tar.xz');
const sosDir = join(tmp, 'extracted');
const sh = (cmd: string, args: string[], cwd = tmp) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
};

async function zipDir(dir: string, out: string, prefix = ''): Promise<void> {
  const z = new yazl.ZipFile();
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else z.addFile(p, prefix + relative(dir, p));
    }
  };
  walk(dir);
  z.end();
  const ws = createWriteStream(out);
  z.outputStream.pipe(ws);
  await once(ws, 'finish');
}

/** Rows without their source (which names the container). */
const rows = (snaps: Snapshot[]) => snaps.map((s) => ({ host: s.host, time: s.time, formats: s.formats, values: s.values }));

beforeAll(async () => {
  mkdirSync(sosDir);
  sh('tar', ['-xJf', SOS_TXZ, '-C', sosDir]);
  sh('tar', ['-czf', join(tmp, 'sos.tar.gz'), '-C', sosDir, 'sosreport-vm-2026-11-25-corpus']);
  sh('tar', ['-cf', join(tmp, 'sos.tar'), '-C', sosDir, 'sosreport-vm-2026-11-25-corpus']);
  await zipDir(sosDir, join(tmp, 'sos.zip'));
});

describe('sosreport in every packing', () => {
  it('directory, .tar.xz, .tar.gz, .tar and .zip give the same rows (but source) and findings', async () => {
    const forms = [sosDir, SOS_TXZ, join(tmp, 'sos.tar.gz'), join(tmp, 'sos.tar'), join(tmp, 'sos.zip')];
    const results = await Promise.all(forms.map((f) => collectSnapshots([f])));
    for (const r of results) {
      expect(r.snapshots).toHaveLength(1);
      expect(r.stats.inputProblems).toEqual([]);
    }
    const base = rows(results[0]!.snapshots);
    expect(base[0]).toMatchObject({ host: 'vm', time: '2026-11-25T00:56:24Z', formats: ['sockstat', 'sockstat6', 'ss', 'snmp', 'listing', 'netstat'] }); // ss_-peaonmi and proc/net/netstat join
    expect(base[0]!.values).toMatchObject({ tcp_alloc: 1501, tcp_unhashed: 1500, tcp_estab: 0, sockets_used: 1511 });
    for (const r of results.slice(1)) expect(rows(r.snapshots)).toEqual(base);
    expect(results[1]!.snapshots[0]!.source).toBe(`${SOS_TXZ}!sosreport-vm-2026-11-25-corpus/proc/net/sockstat:1`);
    expect(results[4]!.snapshots[0]!.source).toBe(`${join(tmp, 'sos.zip')}!sosreport-vm-2026-11-25-corpus/proc/net/sockstat:1`);
    const findings = await Promise.all(forms.map(async (f) => (await analyze([f])).findings.map((x) => [x.rule, x.severity, x.message])));
    for (const f of findings) expect(f).toEqual(findings[0]);
    expect(findings[0]!.map((x) => x[0])).toEqual(['tcp-unhashed-sockets']);
  });

  it('the bundle truth: tcp-unhashed-sockets raised, growth and the others not', async () => {
    const t = JSON.parse(readFileSync(samplePath('bundles/sosreport-vm-2026-11-25-corpus.truth.json'), 'utf8')) as { expected_findings: { must_raise: string[]; must_not_raise: string[] } };
    const ids = new Set((await analyze([SOS_TXZ])).findings.map((f) => f.rule));
    for (const id of t.expected_findings.must_raise) expect(ids.has(id)).toBe(true);
    for (const id of t.expected_findings.must_not_raise) expect([id, ids.has(id)]).toEqual([id, false]);
  });

  it('without a manifest or date file the time comes from the member mtime, with a diagnostic', async () => {
    const dir = join(tmp, 'nodate');
    cpSync(join(sosDir, 'sosreport-vm-2026-11-25-corpus'), join(dir, 'sosreport-x'), { recursive: true });
    for (const f of ['date', 'sos_commands/date/date', 'sos_commands/date/date_--utc']) rmSync(join(dir, 'sosreport-x', f));
    sh('tar', ['-czf', join(tmp, 'nodate.tgz'), '--mtime=2026-11-25 00:56:30 UTC', '-C', dir, 'sosreport-x']);
    const { snapshots } = await collectSnapshots([join(tmp, 'nodate.tgz')]);
    expect(snapshots[0]!.time).toBe('2026-11-25T00:56:30Z');
    expect(snapshots[0]!.diagnostics.map((d) => d.message)).toContain(
      `capture time taken from the archive member's mtime (${join(tmp, 'nodate.tgz')}!sosreport-x/proc/net/sockstat): the sosreport has no manifest or date file`,
    );
  });

  it('a manifest.json start_time for ss -s wins over the date file', async () => {
    const dir = join(tmp, 'manifest');
    cpSync(join(sosDir, 'sosreport-vm-2026-11-25-corpus'), join(dir, 'sos'), { recursive: true });
    mkdirSync(join(dir, 'sos', 'sos_reports'));
    // sos 4.x shape: components.report.plugins.<plugin>.commands[] with filepath and start_time (epoch s)
    writeFileSync(join(dir, 'sos', 'sos_reports', 'manifest.json'), JSON.stringify({
      version: '1.0',
      components: { report: { plugins: { networking: { commands: [{ command: 'ss', exec: 'ss -s', filepath: 'sos_commands/networking/ss_-s', start_time: 1795568183.5 }] } } } },
    }));
    const { snapshots } = await collectSnapshots([dir]);
    expect(snapshots[0]!.time).toBe('2026-11-25T00:56:23.500Z');
  });
});

describe('supportconfig', () => {
  it('network.txt and network-<NS>.txt: one snapshot each, host and date from basic-environment.txt, namespace kept', async () => {
    const { snapshots, stats } = await collectSnapshots([samplePath('captures/supportconfig')]);
    expect(stats.skipped).toEqual([]);
    expect(snapshots.map((s) => [s.host, s.namespace, s.time, s.formats.join('+')])).toEqual([
      ['node2', undefined, '2026-11-25T04:13:02Z', 'sockstat+sockstat6+ss+listing'], // network.txt also holds ss -ant
      ['node2', 'sockscope-scc', '2026-11-25T04:13:02Z', 'sockstat+ss'],
    ]);
    expect(snapshots[0]!.values).toMatchObject({ sockets_used: 10, tcp_alloc: 301, tcp_unhashed: 300 });
    expect(snapshots[1]!.values).toMatchObject({ sockets_used: 300, tcp_alloc: 301, tcp_unhashed: 301 });
  });

  it('as a .txz the tests build: the same rows; per-namespace findings; limits from sysctl.txt', async () => {
    const dir = readdirSync(samplePath('captures/supportconfig')).find((n) => n.startsWith('scc_'))!;
    sh('tar', ['-cJf', join(tmp, `${dir}.txz`), '-C', samplePath('captures/supportconfig'), dir]);
    const a = await collectSnapshots([samplePath('captures/supportconfig')]);
    const b = await collectSnapshots([join(tmp, `${dir}.txz`)]);
    expect(rows(b.snapshots)).toEqual(rows(a.snapshots));
    const r = await analyze([join(tmp, `${dir}.txz`)]);
    const bySeries = Object.fromEntries(r.hosts.map((h) => [h.series, r.findings.filter((f) => f.series === h.series).map((f) => `${f.rule}:${f.severity}`).sort()]));
    expect(bySeries).toEqual({
      node2: ['netns-global-counters:warning', 'tcp-unhashed-sockets:info'],
      'node2 (netns sockscope-scc)': ['tcp-unhashed-sockets:warning'],
    });
    expect(r.limits.find((l) => l.name === 'tcp_max_orphans')).toEqual({ series: 'node2', name: 'tcp_max_orphans', value: 131072, source: `${join(tmp, `${dir}.txz`)}!${dir}/sysctl.txt:620` });
  });
});

describe('sysstat', () => {
  it('sadf -d and sadf -j of one sar file give the same snapshots; SOCK and SOCK6 of a moment merge', async () => {
    const d = await collectSnapshots([samplePath('captures/sar/sadf-d.txt')]);
    const j = await collectSnapshots([samplePath('captures/sar/sadf-j.json')]);
    expect(d.snapshots).toHaveLength(25);
    expect(d.stats.blocks).toBe(50);
    expect(d.stats.blocksInSnapshots).toBe(50);
    expect(rows(j.snapshots)).toEqual(rows(d.snapshots));
    const last = d.snapshots[24]!;
    expect(last).toMatchObject({ host: 'vm', time: '2026-11-25T04:07:38Z', formats: ['sar-sock', 'sar-sock6'] });
    expect(last.values).toEqual({ sockets_used: 811, tcp4_inuse: 1, udp4_inuse: 0, raw4_inuse: 0, frag4_inuse: 0, tcp_tw: 2, tcp6_inuse: 0, udp6_inuse: 0, raw6_inuse: 0, frag6_inuse: 0 });
    expect(j.snapshots[0]!.source).toMatch(/sadf-j\.json:14$/);
  });

  it('what sar does not keep stays absent and the rules that need it are not evaluated', async () => {
    const r = await analyze([samplePath('captures/sar/sadf-d.txt')]);
    expect(r.findings).toEqual([]);
    const ne = Object.fromEntries(r.not_evaluated.map((n) => [n.rule, n.missing]));
    expect(ne['tcp-unhashed-sockets']).toEqual(['tcp_unhashed']);
    expect(ne['tcp-orphans-high']).toEqual(['a kernel log (dmesg, messages, journal)', 'tcp_orphan']);
    expect(ne['sockets-used-growth']).toEqual(['tcp_alloc']);
  });
});

describe('many hosts in one run', () => {
  const fleet = join(tmp, 'fleet');
  beforeAll(() => {
    mkdirSync(fleet);
    cpSync(SOS_TXZ, join(fleet, 'sosreport-vm.tar.xz'));
    cpSync(samplePath('captures/supportconfig'), join(fleet, 'supportconfig'), { recursive: true });
    cpSync(samplePath('captures/sar/sadf-j.json'), join(fleet, 'sar-vm.json'));
  });

  it('series per host, findings grouped by host, limits from each bundle', async () => {
    const r = await analyze([fleet]);
    expect(r.hosts.map((h) => [h.series, h.snapshots])).toEqual([
      ['node2', 1],
      ['node2 (netns sockscope-scc)', 1],
      ['vm', 26],
    ]);
    // vm: the sosreport at 00:56 and sar from 04:07 on: one series, with the hole between them said.
    expect(r.findings.filter((f) => f.host === 'vm').map((f) => f.rule).sort()).toEqual(['capture-gap', 'tcp-unhashed-sockets']);
    expect(new Set(r.limits.map((l) => l.series))).toEqual(new Set(['node2']));
  });

  it('--host keeps one host', async () => {
    const r = await analyze([fleet], { host: 'node2' });
    expect(r.hosts.map((h) => h.series)).toEqual(['node2', 'node2 (netns sockscope-scc)']);
    expect(r.inputs.snapshots).toBe(2);
  });

  it('large archive members are streamed, not held: same snapshots with a tiny memory budget', async () => {
    sh('tar', ['-czf', join(tmp, 'logs.tgz'), '-C', samplePath('kernel-6.18'), 'unconnected-leak/timeline-date.log', 'orphans/timeline-date.log']);
    const small = await collectSnapshots([join(tmp, 'logs.tgz')], { archiveLimits: { smallMember: 1024 } });
    const normal = await collectSnapshots([join(tmp, 'logs.tgz')]);
    expect(small.snapshots).toHaveLength(72);
    const byTime = (x: ReturnType<typeof rows>) => [...x].sort((a, b) => (a.time! < b.time! ? -1 : a.time! > b.time! ? 1 : 0));
    expect(byTime(rows(small.snapshots))).toEqual(byTime(rows(normal.snapshots)));
  });

  it('archives inside archives, and single .xz/.gz files', async () => {
    const outer = join(tmp, 'outer');
    mkdirSync(outer);
    cpSync(SOS_TXZ, join(outer, 'inner.tar.xz'));
    await zipDir(samplePath('captures/per-minute-files/snapshots'), join(outer, 'per-minute.zip'), 'snapshots/');
    sh('xz', ['-k', '-c', samplePath('kernel-6.18/idle/combined.txt')]);
    writeFileSync(join(outer, 'idle.txt.xz'), spawnSync('xz', ['-c', samplePath('kernel-6.18/idle/combined.txt')]).stdout);
    sh('tar', ['-czf', join(tmp, 'outer.tgz'), '-C', outer, '.']);
    const { snapshots, stats } = await collectSnapshots([join(tmp, 'outer.tgz')]);
    expect(stats.inputProblems).toEqual([]);
    expect(snapshots.map((s) => s.source.replace(join(tmp, 'outer.tgz'), 'outer.tgz'))).toEqual([
      'outer.tgz!idle.txt.xz:1',
      'outer.tgz!inner.tar.xz!sosreport-vm-2026-11-25-corpus/proc/net/sockstat:1',
      'outer.tgz!per-minute.zip!snapshots/2026-11-25T03-57-34Z.sockstat:1',
      'outer.tgz!per-minute.zip!snapshots/2026-11-25T03-57-36Z.sockstat:1',
      'outer.tgz!per-minute.zip!snapshots/2026-11-25T03-57-38Z.sockstat:1',
    ]);
    expect(snapshots[2]!.formats).toEqual(['sockstat', 'sockstat6', 'ss']);
  });
});

describe('fleet report', () => {
  it('a fleet summary at the top (hosts worst first), then findings grouped by host', () => {
    const r = spawnSync(process.execPath, [join(samplePath('..'), 'dist/cli/main.js'), 'analyze', '--format', 'markdown', '-q',
      samplePath('bundles'), samplePath('captures/sosreport-node3'), samplePath('captures/supportconfig'), samplePath('captures/sar/sadf-j.json')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const md = r.stdout;
    const table = md.slice(md.indexOf('| host | snapshots |'), md.indexOf('| severity | rule |'));
    expect(table.trim().split('\n').filter((l) => l.startsWith('|')).slice(2).map((l) => l.split('|').map((c) => c.trim()).filter(Boolean)[0])).toEqual([
      'vm', 'node2', 'node2 (netns sockscope-scc)', 'node3',
    ]);
    expect(table).toContain('| vm | 26 | 2026-11-25T00:56:24Z | 2026-11-25T04:07:38Z | 1 | 0 | 1 |');
    const heads = [...md.matchAll(/^### Host (.+)$/gm)].map((m) => m[1]);
    expect(heads).toEqual(['vm', 'node2', 'node2 (netns sockscope-scc)', 'node3']);
    expect(md).toMatch(/#### WARNING: Many TIME_WAIT sockets[^\n]*\n\nHost \*\*node3\*\*/);
    expect(md).toContain('`tcp_max_tw_buckets` = 4096 (from `');
  });
});

describe('samples/fleet (the README example)', () => {
  it('one report: four hosts, per-host findings, limits from each bundle with their source', async () => {
    const r = await analyze([samplePath('fleet')]);
    expect(r.hosts.map((h) => h.series)).toEqual(['node2', 'node2 (netns sockscope-scc)', 'node3', 'vm']);
    const by = (series: string) => r.findings.filter((f) => f.series === series).map((f) => `${f.rule}:${f.severity}`).sort();
    expect(by('vm')).toEqual(['capture-gap:info', 'tcp-unhashed-sockets:critical']);
    expect(by('node3')).toEqual(['tcp-timewait-high:warning']);
    expect(by('node2 (netns sockscope-scc)')).toEqual(['tcp-unhashed-sockets:warning']);
    const tw = r.findings.find((f) => f.rule === 'tcp-timewait-high')!;
    expect(tw.limits).toEqual([{ name: 'tcp_max_tw_buckets', value: 4096, source: expect.stringMatching(/sosreport-node3-2026-11-25\.tar\.gz!sosreport-node3-2026-11-25\/proc\/sys\/net\/ipv4\/tcp_max_tw_buckets:1$/) }]);
    const limitHosts = new Set(r.limits.map((l) => l.series));
    expect(limitHosts).toEqual(new Set(['node2', 'node3']));
  });
});
