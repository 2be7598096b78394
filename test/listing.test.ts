import { describe, expect, it } from 'vitest';
import { analyze } from '../src/analyze.js';
import { parseListing } from '../src/parse/listing.js';
import { collectSnapshots } from '../src/pipeline.js';
import { sample, samplePath, toLines } from './helpers.js';

/** Lines of the first listing (header and rows) that starts with `header` in a real capture. */
function firstListing(text: string, header: RegExp) {
  const lines = toLines(text);
  const i = lines.findIndex((l) => header.test(l.text));
  let j = i + 1;
  while (j < lines.length && !/^(Wed |sockets:|Total:|COMMAND |State )/.test(lines[j]!.text)) j++;
  return lines.slice(i, j);
}

describe('socket listings (real captures)', () => {
  const LOG = sample('captures/leak-closewait/timeline-date.log');

  it('ss -tanp: counts per state and per process, CLOSE-WAIT by local address', () => {
    const lines = firstListing(LOG.slice(LOG.lastIndexOf('\nWed ') + 1), /^State\s+Recv-Q/);
    const { summary } = parseListing(lines);
    expect(summary.states).toMatchObject({ 'CLOSE-WAIT': 400, 'FIN-WAIT-2': 400, LISTEN: 2 });
    const server = summary.processes.find((p) => p.pid === 25674)!;
    expect(server).toMatchObject({ name: 'python3', states: { 'CLOSE-WAIT': 400, LISTEN: 1 }, closeWaitLocal: { '127.0.0.1:20021': 400 } });
  });

  it('lsof -nP: `sock ... protocol: TCP` rows are the unhashed sockets, one per descriptor', () => {
    const lines = firstListing(LOG.slice(LOG.lastIndexOf('\nWed ') + 1), /^COMMAND\s+PID/);
    const { summary } = parseListing(lines);
    expect(summary.lsofUnhashed).toBe(900);
    expect(summary.processes.filter((p) => p.unhashed > 0).map((p) => [p.name, p.pid, p.unhashed])).toEqual([['python3', 25714, 900]]);
  });

  it('ss -peaonmi: multi-line entries (skmem, tcp info) count once', () => {
    const { summary } = parseListing(toLines(sample('captures/leak-closewait/ss-peaonmi.txt')));
    expect(summary.states['CLOSE-WAIT']).toBe(400);
    expect(summary.processes.find((p) => p.pid === 25674)!.states['CLOSE-WAIT']).toBe(400);
  });

  it('ss -tmi pasted without its tabs (zperf/tcpmon): skmem/timer/TCP-info lines at column 0 continue the row above', async () => {
    const f = `${import.meta.dirname}/fixtures/world/zperf-tcpmon/test/parsing/ss_test.go/TestParseSS.ss-tanmi`;
    const { snapshots, stats } = await collectSnapshots([f]);
    expect(snapshots.map((s) => s.listing?.states)).toEqual([{ LISTEN: 2, ESTAB: 2 }]);
    expect(stats.outsideLines).toBe(0);
  });

  it('ss -tan without -p (the close-wait capture): states without owners', async () => {
    const { snapshots } = await collectSnapshots([samplePath('captures/close-wait/timeline-date.log')]);
    const last = snapshots[snapshots.length - 1]!;
    expect(last.values.list_close_wait).toBe(250);
    expect(last.listing!.processes).toEqual([]);
  });

  it('counters and listing of one moment: columns, and the known differences explained not flagged', async () => {
    const { snapshots } = await collectSnapshots([samplePath('captures/leak-closewait/timeline-date.log')]);
    const last = snapshots[snapshots.length - 1]!;
    expect(last.formats).toEqual(['sockstat', 'sockstat6', 'ss', 'listing']);
    expect(last.values).toMatchObject({ tcp_unhashed: 900, lsof_unhashed: 900, list_close_wait: 400, list_estab: 0, tcp_estab: 400, list_fin_wait2: 400, tcp_tw: 400 });
    // estab 400 = CLOSE-WAIT counted in CurrEstab; tw 400 = FIN-WAIT-2 minisocks: no listing diagnostics.
    expect(last.diagnostics.filter((d) => d.kind === 'listing')).toEqual([]);
  });
});

describe('attribution in findings', () => {
  it('the report names the leaking process and the one holding CLOSE-WAIT, with the listings\' counts', async () => {
    const r = await analyze([samplePath('captures/leak-closewait')]);
    const unhashed = r.findings.find((f) => f.rule === 'tcp-unhashed-sockets')!;
    expect(unhashed.message).toContain('python3 (pid 25714) holds 900 of the 900 unhashed TCP sockets');
    const cw = r.findings.find((f) => f.rule === 'tcp-close-wait')!;
    expect(cw.message).toBe(
      '400 TCP sockets are in CLOSE-WAIT: their peers closed the connection and the application has not called close() on them. python3 (pid 25674) holds 400 on 127.0.0.1:20021.',
    );
    expect(cw.evidence.find((e) => e.label.includes('peak'))!.values.list_close_wait).toBe(400);
  });

  it('without a listing the findings carry no attribution and tcp-close-wait is not evaluated', async () => {
    const r = await analyze([samplePath('kernel-6.18/unconnected-leak/timeline-date.log')]);
    expect(r.findings.find((f) => f.rule === 'tcp-unhashed-sockets')!.message).not.toMatch(/holds/);
    expect(r.not_evaluated.find((n) => n.rule === 'tcp-close-wait')).toMatchObject({ missing: ['list_close_wait'] });
  });
});

describe('netstat (net-tools), real output', () => {
  it('netstat -tanp and the sos form netstat -W -neopa: CLOSE_WAIT owners found whatever the columns', async () => {
    for (const f of ['captures/netstat/timeline-date.log', 'captures/netstat/netstat-W-neopa.txt']) {
      const { snapshots } = await collectSnapshots([samplePath(f)]);
      const s = snapshots.find((x) => x.listing)!;
      expect([f, s.values.list_close_wait]).toEqual([f, 120]);
      const owner = s.listing!.processes.find((p) => (p.states['CLOSE-WAIT'] ?? 0) > 0)!;
      expect(owner).toMatchObject({ name: 'python3', states: { 'CLOSE-WAIT': 120 }, closeWaitLocal: { '127.0.0.1:20031': 120 } });
    }
    const r = await analyze([samplePath('captures/netstat/timeline-date.log')]);
    expect(r.findings.find((x) => x.rule === 'tcp-close-wait')!.message).toMatch(/python3 \(pid \d+\) holds 120 on 127\.0\.0\.1:20031\.$/);
  });
});
