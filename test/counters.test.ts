import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze, type AnalysisReport } from '../src/analyze.js';
import { collectSnapshots } from '../src/pipeline.js';
import { isCounterName, parseCounterPairs, parseNetstatS, parseNstat } from '../src/parse/counters.js';
import { counterIncrease, counterStep } from '../src/rules/functions.js';
import { parseListing } from '../src/parse/listing.js';
import { samplePath, sample, toLines } from './helpers.js';

const fired = (r: AnalysisReport, rule: string) => r.findings.filter((f) => f.rule === rule);
const truth = (dir: string) =>
  JSON.parse(readFileSync(samplePath(`captures/${dir}/truth.json`), 'utf8')) as {
    observed_counters: Record<string, { first: number; last: number; increase: number }>;
  };

describe('protocol counters: /proc/net/snmp, /proc/net/netstat, nstat -a, netstat -s', () => {
  it('reads every group of /proc/net/snmp and /proc/net/netstat by name (real capture)', () => {
    const lines = toLines(sample('captures/counters/proc.txt')).slice(1);
    const p = parseCounterPairs(lines);
    expect(p.issues).toEqual([]);
    expect(p.counters).toMatchObject({ UdpRcvbufErrors: 1494, UdpInErrors: 1494, TcpCurrEstab: 0, TcpExtListenOverflows: 0, IpForwarding: 2 });
    expect(Object.keys(p.counters).some((k) => k.startsWith('IcmpMsg') || k.startsWith('MPTcpExt'))).toBe(true);
    expect(Object.keys(p.counters).filter((k) => k.startsWith('TcpExt')).length).toBeGreaterThan(100);
    expect(p.lineOf.UdpRcvbufErrors).toBe(lines.find((l) => /^Udp: \d/.test(l.text))!.no);
  });

  it('nstat -az and netstat -s of the same moment give the same values as the /proc files', () => {
    const proc = parseCounterPairs(toLines(sample('captures/counters/proc.txt')).slice(1)).counters;
    const nstat = parseNstat(toLines(sample('captures/counters/nstat-az.txt')).slice(1));
    const ns = parseNetstatS(toLines(sample('captures/counters/netstat-s.txt')).slice(1)).counters;
    expect(nstat.issues).toEqual([]);
    for (const name of ['UdpRcvbufErrors', 'UdpInErrors', 'UdpInDatagrams', 'TcpExtListenOverflows', 'IpExtInOctets']) {
      expect([name, nstat.counters[name]]).toEqual([name, proc[name]]);
    }
    expect(nstat.counters.Udp6RcvbufErrors).toBe(0); // snmp6 rows are kept by name too
    expect(ns).toMatchObject({ UdpRcvbufErrors: 1494, UdpInErrors: 1494, UdpInDatagrams: proc.UdpInDatagrams, IpExtInOctets: proc.IpExtInOctets });
    // netstat -s leaves out TcpExt counters that are 0: absent, not 0
    expect(ns.TcpExtListenOverflows).toBeUndefined();
  });

  it('counter names are the nstat names, with a known group', () => {
    expect(['TcpExtListenOverflows', 'UdpRcvbufErrors', 'IcmpMsgInType3', 'MPTcpExtMPCapableSYNRX', 'Udp6InErrors'].every(isCounterName)).toBe(true);
    expect(['tcp_alloc', 'Foo', 'Ip', 'TcpExt.ListenOverflows', 'Sctp6InErrors'].some(isCounterName)).toBe(false);
  });

  it('a timeline with the counters gives each block its counters; the three text forms each make a snapshot', async () => {
    const { snapshots } = await collectSnapshots([samplePath('captures/tcp-listen-overflow/timeline.log')]);
    const t = truth('tcp-listen-overflow').observed_counters.TcpExtListenOverflows!;
    expect(snapshots.length).toBe(20);
    expect(snapshots[0]!.values.TcpExtListenOverflows).toBe(t.first);
    expect(snapshots[19]!.values.TcpExtListenOverflows).toBe(t.last);
    expect(snapshots[0]!.formats).toEqual(['sockstat', 'sockstat6', 'ss', 'snmp', 'listing', 'netstat']);
    expect(snapshots[0]!.counters!.TcpExtTCPAbortOnData).toBeTypeOf('number');
    const text = await collectSnapshots([samplePath('captures/counters')]);
    expect(text.stats.skipped).toEqual([]);
    // Read in the same second, the three files are one moment: one snapshot, and they agree on every counter.
    expect(text.snapshots.map((s) => [s.formats.join('+'), s.values.UdpRcvbufErrors, s.diagnostics])).toEqual([
      ['snmp+netstat+nstat+netstat-s', 1494, []],
    ]);
  });
});

describe('netstat -s pasted into a ticket', () => {
  it('with a blank line between its lines (a Markdown rendering), it gives the counters of the capture as printed', async () => {
    const { Readable } = await import('node:stream');
    const text = sample('captures/counters/netstat-s.txt');
    const pasted = text.split('\n').join('\n\n');
    const a = await collectSnapshots(['-'], { stdin: Readable.from([text]) });
    const b = await collectSnapshots(['-'], { stdin: Readable.from([pasted]) });
    expect(a.snapshots).toHaveLength(1);
    expect(b.snapshots.map((s) => s.values)).toEqual(a.snapshots.map((s) => s.values));
    expect(b.snapshots[0]!.values).toMatchObject({ UdpRcvbufErrors: 1494 });
    expect(b.stats.outsideLines).toBe(a.stats.outsideLines);
  });

  it('indented as a whole (a Markdown code block, a quoted mail), it gives the same counters: groups are told by being less indented', async () => {
    const { Readable } = await import('node:stream');
    const text = sample('captures/counters/netstat-s.txt');
    const a = await collectSnapshots(['-'], { stdin: Readable.from([text]) });
    for (const pasted of [text.replace(/^/gm, '    '), text.replace(/^/gm, '\t')]) {
      const b = await collectSnapshots(['-'], { stdin: Readable.from([pasted]) });
      expect(b.snapshots.map((s) => [s.values, s.counters])).toEqual(a.snapshots.map((s) => [s.values, s.counters]));
    }
    expect(a.snapshots[0]!.values).toMatchObject({ tcp_estab: 0, UdpRcvbufErrors: 1494 });
  });

  it('nstat -az and the /proc/net/snmp and netstat pairs, double-spaced the same way, give the same counters', async () => {
    const { Readable } = await import('node:stream');
    for (const f of ['captures/counters/nstat-az.txt', 'captures/counters/proc.txt']) {
      const text = sample(f);
      const a = await collectSnapshots(['-'], { stdin: Readable.from([text]) });
      const b = await collectSnapshots(['-'], { stdin: Readable.from([text.split('\n').join('\n\n')]) });
      expect([f, b.snapshots.map((s) => [s.values, s.counters])]).toEqual([f, a.snapshots.map((s) => [s.values, s.counters])]);
      expect(Object.keys(a.snapshots[0]!.counters ?? {}).length).toBeGreaterThan(100);
    }
  });
});

describe('counter_delta and counter_rate', () => {
  const t = Float64Array.from([0, 10_000, 20_000, 30_000, 40_000]);
  it('increase per interval; absent at the first, where absent, and where the counter went backwards', () => {
    const y = Float64Array.from([5, 25, NaN, 10, 40]);
    expect(counterStep(t, y, 0)).toBeUndefined();
    expect(counterStep(t, y, 1)).toEqual({ delta: 20, seconds: 10 });
    expect(counterStep(t, y, 2)).toBeUndefined();
    expect(counterStep(t, y, 3)).toBeUndefined(); // 25 → 10: a new run, never negative
    expect(counterStep(t, y, 4)).toEqual({ delta: 30, seconds: 10 });
  });
  it('over a series: the increases of each run added, a reset adding nothing', () => {
    expect(counterIncrease(t, Float64Array.from([5, 25, NaN, 10, 40]))).toEqual({ delta: 50, seconds: 40, steps: 3 });
    expect(counterIncrease(t, Float64Array.from([NaN, NaN, 7, NaN, NaN]))).toBeUndefined();
  });

  it('untimed snapshots step only within one file (its lines are in capture order), never across files (in no known order)', () => {
    const u = Float64Array.from([NaN, NaN, NaN, NaN]);
    const y = Float64Array.from([0, 5, 7, 9]);
    const file = Int32Array.from([0, 1, 1, 2]);
    expect(counterStep(u, y, 1, file)).toBeUndefined(); // file 0 → file 1
    expect(counterStep(u, y, 2, file)).toEqual({ delta: 2, seconds: NaN }); // within file 1 (no time, so no rate)
    expect(counterStep(u, y, 3, file)).toBeUndefined(); // file 1 → file 2
    expect(counterIncrease(u, y, 0, file)).toEqual({ delta: 2, seconds: NaN, steps: 1 });
    // Timed snapshots step across files.
    expect(counterStep(t, y, 1, file)).toEqual({ delta: 5, seconds: 10 });
  });

  it("pcp's QA /proc/net/snmp of four kernels, side by side in one folder: no UDP drops invented between them", async () => {
    const r = await analyze([samplePath('../test/fixtures/world/pcp/qa/linux')]);
    expect(fired(r, 'udp-receive-drops')).toEqual([]);
  });

  it('a counter that restarts (two real captures of different namespaces, one after the other) gives no negative rate', async () => {
    // counters-idle was captured a minute after tcp-listen-overflow's 1553 overflows, in a fresh namespace:
    // read as one host, its counters fall back to 0.
    const { Readable } = await import('node:stream');
    const text = sample('captures/tcp-listen-overflow/timeline.log') + sample('captures/counters-idle/timeline.log');
    const r = await analyze(['-'], { stdin: Readable.from([text]) });
    const [f] = fired(r, 'tcp-listen-overflow');
    expect(f!.message).toContain('overflowed 1553 times');
    expect(fired(r, 'tcp-listen-overflow').length).toBe(1);
  });
});

describe('rules on the counter captures (each made by its make.sh on this kernel)', () => {
  const CAPTURES = ['tcp-listen-overflow', 'udp-receive-drops', 'tcp-syn-flood', 'tcp-timewait-overflow', 'counters-idle'] as const;
  const RULES = ['tcp-listen-overflow', 'udp-receive-drops', 'tcp-syn-flood', 'tcp-timewait-overflow'] as const;

  it.each(CAPTURES)('%s: its own rule fires with the counters\' increase, the others stay silent', async (dir) => {
    const r = await analyze([samplePath(`captures/${dir}`)]);
    for (const rule of RULES) {
      const f = fired(r, rule);
      expect([rule, f.length]).toEqual([rule, rule === dir ? 1 : 0]);
      expect(r.not_evaluated.filter((n) => n.rule === rule)).toEqual([]);
    }
  });

  it('the numbers are the counters\' increase over the capture', async () => {
    const want: Record<string, [string, RegExp]> = {
      'tcp-listen-overflow': ['TcpExtListenOverflows', /overflowed (\d+) times/],
      'udp-receive-drops': ['UdpRcvbufErrors', /UDP dropped (\d+) datagrams/],
      'tcp-syn-flood': ['TcpExtSyncookiesSent', /full: (\d+) SYN cookies sent/],
      'tcp-timewait-overflow': ['TcpExtTCPTimeWaitOverflow', /^(\d+) TCP connections closed without/],
    };
    for (const [rule, [counter, re]] of Object.entries(want)) {
      const r = await analyze([samplePath(`captures/${rule}`)]);
      const [f] = fired(r, rule);
      expect([rule, Number(re.exec(f!.message)?.[1])]).toEqual([rule, truth(rule).observed_counters[counter]!.increase]);
      expect(f!.evidence[0]!.values[counter]).toBeTypeOf('number');
    }
  });

  it('tcp-listen-overflow: the window starts at the snapshot before the first increase', async () => {
    const r = await analyze([samplePath('captures/tcp-listen-overflow')]);
    const [f] = fired(r, 'tcp-listen-overflow');
    expect(f!.severity).toBe('critical');
    expect(f!.message).toMatch(/between 2026-12-02T13:46:56Z and 2026-12-02T13:47:09Z/);
    expect(f!.first_seen).toBe('2026-12-02T13:46:58Z');
  });
});

describe('the socket named from a listing of the same moment', () => {
  it('tcp-listen-overflow names the listener whose accept queue is full (LISTEN, Recv-Q at or over Send-Q)', async () => {
    const r = await analyze([samplePath('captures/tcp-listen-overflow')]);
    expect(fired(r, 'tcp-listen-overflow')[0]!.message).toMatch(/Full at that moment \(ss listing\): 127\.0\.0\.1:8080 of python3 \(pid \d+\): 9 connections waiting for accept\(\), backlog 8\.$/);
  });
  it('tcp-syn-flood names the port from the SYN-RECV rows where no kernel line gives it', async () => {
    const { Readable } = await import('node:stream');
    // The capture read without its one dmesg -T line (given on stdin: the capture file is unchanged).
    const text = sample('captures/tcp-syn-flood/timeline.log').split('\n').filter((l) => !l.includes('SYN flooding')).join('\n');
    const r = await analyze(['-'], { stdin: Readable.from([text]) });
    const [f] = fired(r, 'tcp-syn-flood');
    expect(f!.message).toMatch(/^The SYN queue of a listening socket was full: 2284 SYN cookies sent/);
    expect(f!.message).toMatch(/ Half-open at that moment \(listing\): 10\.77\.0\.1:8080 of python3 \(pid \d+\): 65 connections in SYN-RECV\.$/);
    // With the line, the port is named by both.
    const [g] = fired(await analyze([samplePath('captures/tcp-syn-flood')]), 'tcp-syn-flood');
    expect(g!.message).toMatch(/^The SYN queue of port 8080 was full: .* Half-open at that moment \(listing\): 10\.77\.0\.1:8080 of python3 \(pid \d+\): 65 connections in SYN-RECV\.$/);
  });
  it('SYN-RECV rows are counted per local address, the listener found at that address or the wildcard one of its port', () => {
    const ss = [
      'State    Recv-Q Send-Q Local Address:Port  Peer Address:Port Process',
      'LISTEN   0      128          0.0.0.0:80         0.0.0.0:*     users:(("nginx",pid=101,fd=6))',
      'LISTEN   0      64         10.0.0.5:8443        0.0.0.0:*     users:(("java",pid=202,fd=9))',
      'SYN-RECV 0      0          10.0.0.5:80      203.0.113.7:40001',
      'SYN-RECV 0      0          10.0.0.5:80      203.0.113.8:40002',
      'SYN-RECV 0      0          10.0.0.5:8443    203.0.113.9:40003',
    ].map((text, k) => ({ no: k + 1, text }));
    expect(parseListing(ss).summary.synRecv).toEqual([
      { local: '10.0.0.5:80', count: 2, owners: [{ name: 'nginx', pid: 101 }] },
      { local: '10.0.0.5:8443', count: 1, owners: [{ name: 'java', pid: 202 }] },
    ]);
  });
  it('udp-receive-drops names the socket with drops (skmem d)', async () => {
    const r = await analyze([samplePath('captures/udp-receive-drops')]);
    expect(fired(r, 'udp-receive-drops')[0]!.message).toMatch(/Dropping at that moment \(ss listing\): 127\.0\.0\.1:5514 of python3 \(pid \d+\): \d+ datagrams dropped \(skmem d\), \d+ bytes waiting\.$/);
  });
});

describe('orphans, TCP memory and conntrack: real captures (each made by its make.sh on this kernel, limits lowered for the run)', () => {
  const full = (dir: string) =>
    JSON.parse(readFileSync(samplePath(`captures/${dir}/truth.json`), 'utf8')) as {
      observed_counters: Record<string, { first: number; last: number; increase: number }>;
      observed_sockstat: Record<string, { first: number; max: number; last: number }>;
      kernel_log_lines: string[];
    };
  const lines = (dir: string, text: string) => full(dir).kernel_log_lines.filter((l) => l.includes(text)).length;
  // capture → the rule it is made for
  const OWN = { 'tcp-orphans-overflow': 'tcp-orphans-high', 'tcp-memory-pressure': 'tcp-memory-pressure', 'conntrack-table-full': 'conntrack-table-full' } as const;
  const RULES = ['tcp-orphans-high', 'tcp-memory-pressure', 'conntrack-table-full', 'tcp-listen-overflow', 'udp-receive-drops', 'tcp-syn-flood', 'tcp-timewait-overflow'];
  const OTHERS = ['tcp-listen-overflow', 'udp-receive-drops', 'tcp-syn-flood', 'tcp-timewait-overflow', 'counters-idle'];

  it.each(Object.keys(OWN))('%s: its own rule fires, the other evidence rules stay silent', async (dir) => {
    const r = await analyze([samplePath(`captures/${dir}`)]);
    const own = OWN[dir as keyof typeof OWN];
    for (const rule of RULES) expect([rule, fired(r, rule).length > 0]).toEqual([rule, rule === own]);
  });

  it.each(OTHERS)('%s: tcp-orphans-high, tcp-memory-pressure and conntrack-table-full stay silent', async (dir) => {
    const r = await analyze([samplePath(`captures/${dir}`)]);
    for (const rule of ['tcp-orphans-high', 'tcp-memory-pressure', 'conntrack-table-full']) expect([rule, fired(r, rule).length]).toEqual([rule, 0]);
  });

  it('tcp-orphans-high: the log lines, the aborts and the orphans against tcp_max_orphans are the capture\'s', async () => {
    const t = full('tcp-orphans-overflow');
    const r = await analyze([samplePath('captures/tcp-orphans-overflow')]);
    const [f] = fired(r, 'tcp-orphans-high');
    expect(f!.severity).toBe('critical');
    expect(lines('tcp-orphans-overflow', 'TCP: too many orphaned sockets')).toBe(20);
    expect(f!.message).toContain(`logged ${lines('tcp-orphans-overflow', 'too many orphaned sockets')} lines, first "TCP: too many orphaned sockets"`);
    expect(f!.message).toContain(`(${t.observed_counters.TcpExtTCPAbortOnMemory!.increase} aborted for memory, TcpExtTCPAbortOnMemory; net_ratelimit left out 50 more`);
    expect(t.observed_counters.TcpExtTCPAbortOnMemory!.increase).toBe(70); // 20 lines + 50 suppressed
    expect(f!.message).toContain(`${t.observed_sockstat.tcp_orphan!.max} orphans host-wide at that moment against tcp_max_orphans 32.`);
    expect(f!.message).toMatch(/Most FIN-WAIT-1 orphans point to 127\.0\.0\.1:8095 \(30\)\.$/);
  });

  it('tcp-memory-pressure: the log lines, TcpExtTCPMemoryPressures and TcpExtTCPAbortOnMemory are the capture\'s', async () => {
    const t = full('tcp-memory-pressure');
    const r = await analyze([samplePath('captures/tcp-memory-pressure')]);
    const [f] = fired(r, 'tcp-memory-pressure');
    expect(f!.severity).toBe('critical');
    expect(f!.message).toContain(`logged ${lines('tcp-memory-pressure', 'TCP: out of memory -- consider tuning tcp_mem')} lines, first "TCP: out of memory -- consider tuning tcp_mem"`);
    expect(f!.message).toContain(
      `TcpExtTCPMemoryPressures (entries into memory pressure) rose by ${t.observed_counters.TcpExtTCPMemoryPressures!.increase}, TcpExtTCPAbortOnMemory (connections reset for memory) by ${t.observed_counters.TcpExtTCPAbortOnMemory!.increase}.`,
    );
    expect([t.observed_counters.TcpExtTCPMemoryPressures!.increase, t.observed_counters.TcpExtTCPAbortOnMemory!.increase]).toEqual([1, 40]);
    expect(f!.message).toContain(`TCP memory ${t.observed_sockstat.tcp_mem_pages!.max} pages (3.5 MiB) at the peak, tcp_mem max 632.`);
  });

  it('conntrack-table-full: the 6.x line (table full in netns N), every line of the capture, the count against nf_conntrack_max', async () => {
    const r = await analyze([samplePath('captures/conntrack-table-full')]);
    const fs = fired(r, 'conntrack-table-full');
    // Two bursts of 10 lines, 5 s apart (the rate limit's interval): two runs of snapshots.
    const n = fs.map((f) => Number(/it logged (\d+) lines/.exec(f.message)?.[1]));
    expect(n.reduce((a, b) => a + b, 0)).toBe(lines('conntrack-table-full', 'table full in netns'));
    expect(n).toEqual([10, 10]);
    expect(fs.map((f) => Number(/net_ratelimit left out (\d+) more/.exec(f.message)?.[1]))).toEqual([0, 260]);
    for (const f of fs) {
      expect(f.message).toContain('The connection tracking table of network namespace 4026532177 (inode) was full');
      expect(f.message).toMatch(/nf_conntrack_count 64 of nf_conntrack_max 64 when the bundle was taken\.$/);
    }
  });
});
