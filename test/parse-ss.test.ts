import { describe, expect, it } from 'vitest';
import { parseSnmp } from '../src/parse/snmp.js';
import { parseSsSummary } from '../src/parse/ss.js';
import { SCENARIOS, sample, toLines, truth } from './helpers.js';

const ssPart = (text: string) => toLines(text).filter((l) => l.no >= 14);

describe('parseSsSummary, iproute2 >= 4.17 format', () => {
  it.each(SCENARIOS)('%s/combined.txt: TCP line as truth.json observed it', (sc) => {
    const t = truth(sc).observed_in_combined['combined.txt'].ss_s_tcp_line;
    const { summary, issues } = parseSsSummary(ssPart(sample(`kernel-6.18/${sc}/combined.txt`)));
    expect(issues).toEqual([]);
    expect(summary).toMatchObject({ format: 'new', tcpTotal: t.tcp, estab: t.estab, closed: t.closed, orphaned: t.orphaned, timewait: t.timewait });
    expect(summary!.kernel).toBeUndefined();
    expect(summary!.totalLine).toBe(14);
    expect(summary!.tcpLine).toBe(15);
  });

  it('udp-and-raw rows', () => {
    const { summary } = parseSsSummary(ssPart(sample('kernel-6.18/udp-and-raw/combined.txt')));
    expect(summary!.rows.UDP).toMatchObject({ total: 500, ip: 300, ipv6: 200 });
    expect(summary!.rows.RAW).toMatchObject({ total: 3, ip: 2, ipv6: 1 });
    expect(summary!.rows.INET).toMatchObject({ total: 504, ip: 303, ipv6: 201 });
  });

  it('adil-ss-2: whitespace collapsed, no blank lines', () => {
    const { summary, issues } = parseSsSummary(toLines(sample('public/adil-ss-2.txt')));
    expect(issues).toEqual([]);
    expect(summary).toMatchObject({ total: 246, tcpTotal: 129, estab: 87, closed: 28, orphaned: 4, timewait: 28 });
    expect(summary!.rows.TCP).toMatchObject({ total: 101, ip: 94, ipv6: 7 });
    expect(summary!.rows.FRAG).toMatchObject({ total: 0, ip: 0, ipv6: 0 });
  });

  it('flattened onto one line as tickets show it', () => {
    const flat = sample('kernel-6.18/timewait-storm/combined.txt').split('\n').slice(13).join(' ').replace(/\s+/g, ' ');
    const { summary, issues } = parseSsSummary([{ no: 7, text: flat }]);
    expect(issues).toEqual([]);
    expect(summary).toMatchObject({ total: 10, tcpTotal: 6563, closed: 6561, timewait: 6561, totalLine: 7, tcpLine: 7 });
    expect(summary!.rows.TCP).toMatchObject({ total: 2, ip: 2, ipv6: 0 });
  });

  it('tabs expanded to spaces and trailing spaces stripped give the same values', () => {
    const raw = ssPart(sample('kernel-6.18/orphans/combined.txt'));
    const expanded = raw.map((l) => ({ no: l.no, text: l.text.replace(/\t/g, '    ').trimEnd() }));
    expect(parseSsSummary(expanded).summary).toEqual(parseSsSummary(raw).summary);
  });

  it('a socket table after the summary is not part of it', () => {
    const text = sample('kernel-6.18/orphans/combined.txt') + 'State  Recv-Q Send-Q Local Address:Port Peer Address:Port\nLISTEN 0      4096   0.0.0.0:2024       0.0.0.0:*\n';
    const { summary, issues } = parseSsSummary(ssPart(text));
    expect(issues).toEqual([]);
    expect(summary!.rows.FRAG).toMatchObject({ total: 0 });
    expect(Object.keys(summary!.rows)).toEqual(['RAW', 'UDP', 'TCP', 'INET', 'FRAG']);
  });

  it('a truncated transport table is an error', () => {
    const lines = ssPart(sample('kernel-6.18/orphans/combined.txt')).slice(0, 6);
    const { issues } = parseSsSummary(lines);
    expect(issues[0]).toMatchObject({ severity: 'error' });
    expect(issues[0]!.reason).toMatch(/truncated \(missing TCP, INET, FRAG\)/);
  });
});

describe('parseSsSummary, iproute2 < 4.17 format', () => {
  it('habr: (kernel K), synrecv, timewait A/B, ports, the * row, large IPv6 counts', () => {
    const { summary, issues } = parseSsSummary(toLines(sample('public/habr-old-ss.txt')));
    expect(issues).toEqual([]);
    expect(summary).toMatchObject({
      format: 'old', total: 15046, kernel: 16739, tcpTotal: 39306, estab: 11458, closed: 25092,
      orphaned: 110, synrecv: 0, timewait: 24929, timewait2: 0, ports: 0,
    });
    expect(summary!.rows['*']).toEqual({ total: 16739, line: 6 });
    expect(summary!.rows.TCP).toMatchObject({ total: 14214, ip: 1214, ipv6: 13000 });
    expect(summary!.rows.INET).toMatchObject({ total: 14229, ip: 1219, ipv6: 13010 });
  });

  it('kernel documentation: non-root (kernel 0), indented, spaces instead of tabs', () => {
    const { summary, issues } = parseSsSummary(toLines(sample('public/kernel-doc-ss.txt')).slice(1));
    expect(issues).toEqual([]);
    expect(summary).toMatchObject({ total: 131, kernel: 0, tcpTotal: 14, estab: 1, closed: 0, orphaned: 10, timewait: 0 });
    expect(summary!.rows['*']!.total).toBe(0);
    expect(summary!.rows.TCP).toMatchObject({ total: 14, ip: 13, ipv6: 1 });
  });

  it('netdata 743', () => {
    const { summary } = parseSsSummary(toLines(sample('public/netdata-743-ss.txt')).slice(1));
    expect(summary).toMatchObject({ total: 4311, kernel: 4355, tcpTotal: 4595, estab: 3548, closed: 956, orphaned: 8, timewait: 954, timewait2: 0 });
    expect(summary!.rows.TCP).toMatchObject({ total: 3639, ip: 1859, ipv6: 1780 });
  });
});

describe('parseSnmp', () => {
  it.each(SCENARIOS)('%s/snmp.txt: CurrEstab located by name', (sc) => {
    const p = parseSnmp(toLines(sample(`kernel-6.18/${sc}/snmp.txt`)));
    expect(p.issues).toEqual([]);
    const header = sample(`kernel-6.18/${sc}/snmp.txt`).split('\n')[0]!.split(/\s+/);
    const values = sample(`kernel-6.18/${sc}/snmp.txt`).split('\n')[1]!.split(/\s+/);
    expect(p.groups.Tcp!.CurrEstab).toBe(Number(values[header.indexOf('CurrEstab')]));
  });

  it('orphans: CurrEstab 750 (the unread server sides)', () => {
    expect(parseSnmp(toLines(sample('kernel-6.18/orphans/snmp.txt'))).groups.Tcp!.CurrEstab).toBe(750);
  });

  it('a value line shorter than its header is an error', () => {
    const [h, v] = sample('kernel-6.18/idle/snmp.txt').split('\n');
    const p = parseSnmp(toLines(`${h}\n${v!.split(' ').slice(0, 5).join(' ')}\n`));
    expect(p.issues[0]!.reason).toMatch(/15 names but 4 values/);
  });
});
