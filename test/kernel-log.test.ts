import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze, type AnalysisReport } from '../src/analyze.js';
import { LogMatcher, LogScanner, logLineTime, parseUptime, type LogEvent } from '../src/parse/kernel-log.js';
import { ROOT, samplePath } from './helpers.js';
import { cli as runCli } from './cli-run.js';

const fired = (r: AnalysisReport, rule: string) => r.findings.filter((f) => f.rule === rule);
const KERN_LOG = join(ROOT, 'test/fixtures/world/hotsos/defs/tests/scenarios/kernel/network/misc_nf_conntrack_full.yaml/var/log/kern.log');
const tmp = mkdtempSync(join(tmpdir(), 'sockscope-klog-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('kernel log lines', () => {
  it('times: dmesg since boot with the boot time, dmesg -T, syslog without a year, RFC 3339', () => {
    expect(logLineTime('[ 1694413.621694] nf_conntrack: table full', { bootMs: 1_000_000 })).toMatchObject({ ms: 1_000_000 + 1694413622, at: 18 });
    expect(logLineTime('[ 1694413.621694] x', {})).toEqual({ at: 18, note: expect.stringContaining('no boot time') });
    expect(logLineTime('[Wed Dec  2 13:48:03 2026] TCP: x', {})).toMatchObject({ ms: Date.UTC(2026, 11, 2, 13, 48, 3), note: expect.stringContaining('no zone') });
    // A December line read with a January bundle is from the year before.
    expect(logLineTime('Dec 31 23:59:59 h kernel: x', { refMs: Date.UTC(2027, 0, 1, 8) })!.ms).toBe(Date.UTC(2026, 11, 31, 23, 59, 59));
    expect(logLineTime('Jun  8 10:48:13 compute4 kernel: x', {})).toEqual({ at: 25, note: expect.stringContaining('without a year') });
    expect(logLineTime('2026-12-02T14:48:03.5+01:00 h kernel: x', {})!.ms).toBe(Date.UTC(2026, 11, 2, 13, 48, 3, 500));
    expect(parseUptime('350735.47 234388.90')).toBe(350735.47);
    expect(parseUptime(' 13:41:45 up 3 days,  2:03,  1 user,  load average: 0.00')).toBe(3 * 86400 + 2 * 3600 + 3 * 60);
    expect(parseUptime(' 13:41:45 up 5 min,  1 user')).toBe(300);
  });

  it('a streamed log gives the same lines, numbers and times whatever its chunks (real capture with dmesg -T lines)', () => {
    const text = readFileSync(samplePath('captures/tcp-syn-flood/timeline.log'));
    const m = new LogMatcher([{ rule: 'r', name: 'syn', contains: ['SYN flooding on port'], match: /port (?:(?<addr>\S+?):)?(?<port>\d+)\./ }, { rule: 'r', name: 'listen', contains: ['LISTEN'] }]);
    const run = (size: number) => {
      const out: LogEvent[] = [];
      const s = new LogScanner(m, 'f', {}, (e) => out.push(e));
      for (let i = 0; i < text.length; i += size) s.push(text.subarray(i, i + size));
      s.end();
      return { out, lines: s.lines };
    };
    const whole = run(text.length);
    const lines = text.toString('utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('SYN flooding')) + 1;
    const syn = whole.out.filter((e) => e.pattern === 0);
    expect(syn.map((e) => [e.line, e.ms, e.groups])).toEqual([[at, Date.UTC(2026, 11, 2, 13, 48, 3), { addr: '10.77.0.1', port: '8080' }]]);
    expect(whole.out.filter((e) => e.pattern === 1).length).toBe(lines.filter((l) => l.includes('LISTEN')).length);
    expect(whole.lines).toBe(lines.length - 1);
    for (const size of [1, 7, 100, 4096]) expect(run(size)).toEqual(whole);
  });

  it('tcp-syn-flood names the port from the kernel line and gives its time and file:line', async () => {
    const r = await analyze([samplePath('captures/tcp-syn-flood')]);
    const [f] = fired(r, 'tcp-syn-flood');
    expect(f!.message).toContain('The SYN queue of port 8080 was full');
    // Said once: "The kernel logged 1 line", not "The kernel logged 1 kernel log line".
    expect(f!.message).toContain('The kernel logged 1 line: "TCP: request_sock_TCP: Possible SYN flooding');
    expect(f!.message).not.toMatch(/kernel log lines?/);
    expect(f!.message).toMatch(/"TCP: request_sock_TCP: Possible SYN flooding on port 10\.77\.0\.1:8080\. Sending cookies\." \(2026-12-02T13:48:03Z, .*tcp-syn-flood\/timeline\.log:\d+\)/);
  });

  it('conntrack-table-full: a real kern.log alone (no year: time unknown, said so), and inside a sosreport (year from its date)', async () => {
    const a = await analyze([KERN_LOG]);
    const [f] = fired(a, 'conntrack-table-full');
    expect(f!.message).toContain('it logged 1 line: "kernel: [1694413.621694] nf_conntrack: nf_conntrack: table full, dropping packet" (time unknown');
    expect(f!.host).toBeNull();
    // The sosreport of host node3 (samples/captures/sosreport-node3) with that real kern.log put in its var/log.
    const sos = join(tmp, 'sosreport-node3');
    cpSync(samplePath('captures/sosreport-node3/sosreport-node3-2026-11-25'), sos, { recursive: true });
    mkdirSync(join(sos, 'var/log'), { recursive: true });
    cpSync(KERN_LOG, join(sos, 'var/log/kern.log'));
    const b = await analyze([sos]);
    const [g] = fired(b, 'conntrack-table-full');
    expect(g!.host).toBe('node3');
    expect(g!.message).toMatch(/\(2026-06-08T10:48:13Z, .*var\/log\/kern\.log:1\)/);
    // Without a kernel log the rule is not evaluated; with one and no line it is silent.
    const c = await analyze([samplePath('captures/sosreport-node3/sosreport-node3-2026-11-25')]);
    expect(c.not_evaluated.map((n) => n.rule)).toContain('conntrack-table-full');
  });

  it('dmesg -T and syslog lines in a bundle are read in the zone the bundle names (no zone: UTC, said so)', async () => {
    const sos = join(tmp, 'sosreport-node3-berlin');
    cpSync(samplePath('captures/sosreport-node3/sosreport-node3-2026-11-25'), sos, { recursive: true });
    mkdirSync(join(sos, 'var/log'), { recursive: true });
    cpSync(KERN_LOG, join(sos, 'var/log/kern.log'));
    mkdirSync(join(sos, 'etc'), { recursive: true });
    writeFileSync(join(sos, 'etc/timezone'), 'Europe/Berlin\n');
    const [g] = fired(await analyze([sos]), 'conntrack-table-full');
    // Jun 8 10:48:13 in Berlin (CEST, UTC+2) is 08:48:13Z.
    expect(g!.message).toMatch(/\(2026-06-08T08:48:13Z, .*var\/log\/kern\.log:1\)/);
    expect(g!.message).not.toContain('has no zone');
    // The same with only etc/localtime (a TZif file: the rule in its footer).
    rmSync(join(sos, 'etc/timezone'));
    writeFileSync(join(sos, 'etc/localtime'), Buffer.concat([Buffer.from('TZif2'), Buffer.alloc(50), Buffer.from('\nCET-1CEST,M3.5.0,M10.5.0/3\n')]));
    const [h] = fired(await analyze([sos]), 'conntrack-table-full');
    expect(h!.message).toMatch(/\(2026-06-08T08:48:13Z, .*var\/log\/kern\.log:1\)/);
  });

  it('the JSON report lists each finding\'s matched lines as objects: time, file:line, text, pattern', async () => {
    const r = await runCli(['analyze', '--format', 'json', '-q', 'samples/captures/tcp-orphans-overflow']);
    const doc = JSON.parse(r.out) as AnalysisReport;
    const [f] = fired(doc, 'tcp-orphans-high');
    // 20 lines "too many orphaned sockets" and the net_ratelimit line of the same run, in time order
    expect(f!.log_lines_total).toBe(21);
    expect(f!.log_lines!.length).toBe(21);
    expect(f!.log_lines![0]).toEqual({ time: '2026-12-02T16:32:32Z', source: 'samples/captures/tcp-orphans-overflow/timeline.log:458', text: 'TCP: too many orphaned sockets', pattern: 'too_many_orphans' });
    expect(f!.log_lines!.filter((l) => l.pattern === 'too_many_orphans').length).toBe(20);
    expect(f!.log_lines!.find((l) => l.pattern === 'suppressed')).toEqual({ time: '2026-12-02T16:32:38Z', source: 'samples/captures/tcp-orphans-overflow/timeline.log:928', text: 'net_ratelimit: 50 callbacks suppressed', pattern: 'suppressed' });
    // A rule with patterns on a host whose kernel log held none of its lines: an empty list; without patterns: no field.
    const [g] = fired(doc, 'capture-gap');
    expect(g!.log_lines).toBeUndefined();
    const m = await analyze([samplePath('captures/tcp-memory-pressure')]);
    const [h] = fired(m, 'tcp-memory-pressure');
    expect([h!.log_lines_total, h!.log_lines!.every((l) => l.pattern === 'tcp_oom')]).toEqual([10, true]);
  });
});
