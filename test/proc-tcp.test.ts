/**
 * /proc/net/tcp and /proc/net/tcp6 read as socket listings (parse/listing/proc-tcp.ts), on real
 * files: node_exporter's tcpstat fixture (its TestTCPStat asserts 1 established, 1 listen,
 * 42 bytes queued to send and 1 to read) and jc's linux-proc fixtures.
 */
import { mkdtempSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseListing } from '../src/parse/listing.js';
import { collectSnapshots } from '../src/pipeline.js';
import { ROOT, toLines } from './helpers.js';

const W = join(ROOT, 'test/fixtures/world');
const NODE_EXPORTER = join(W, 'node_exporter/collector/fixtures/proc/net/tcpstat');
const JC_TCP = join(W, 'jc/tests/fixtures/linux-proc/net_tcp');
const JC_TCP6 = join(W, 'jc/tests/fixtures/linux-proc/net_tcp6');
const lines = (f: string) => toLines(readFileSync(f, 'utf8')).map((l, i) => (i === 0 ? { ...l, text: l.text.trim() } : l));

describe('/proc/net/tcp and tcp6', () => {
  it('node_exporter tcpstat: states by their hex code, queues summed as its test asserts', () => {
    const { summary } = parseListing(lines(NODE_EXPORTER));
    expect(summary.states).toEqual({ LISTEN: 1, ESTAB: 1 });
    expect(summary.tcpQueues).toEqual({ tx: 42, rx: 1 });
    expect(summary.processes).toEqual([]);
  });

  it('tcp6: addresses decoded word by word (TIME-WAIT peers as ss prints them)', () => {
    const { summary } = parseListing(lines(JC_TCP6));
    expect(summary.states).toEqual({ LISTEN: 1, 'TIME-WAIT': 7 });
    expect(summary.timeWaitPeers['[2a03:2880:f131:83:face:b00c:0:25de]:80']).toBe(1);
  });

  it('tcp and tcp6 of one moment are one listing: both families added', () => {
    const into = parseListing(lines(JC_TCP)).summary;
    parseListing(lines(JC_TCP6), into);
    expect(into.states).toEqual({ LISTEN: 4, 'CLOSE-WAIT': 1, 'TIME-WAIT': 7 });
    expect(into.kinds).toEqual(['proc-tcp']);
  });

  it('in a sosreport: proc/net/tcp and tcp6 join the counters of its moment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockscope-proctcp-'));
    const sos = join(dir, 'sosreport-x');
    mkdirSync(join(sos, 'proc/net'), { recursive: true });
    mkdirSync(join(sos, 'sos_commands/date'), { recursive: true });
    copyFileSync(join(W, 'hotsos/vault/sos_commands/date/date'), join(sos, 'sos_commands/date/date'));
    copyFileSync(join(W, 'hotsos/vault/proc/282492/net/sockstat'), join(sos, 'proc/net/sockstat'));
    copyFileSync(JC_TCP, join(sos, 'proc/net/tcp'));
    copyFileSync(JC_TCP6, join(sos, 'proc/net/tcp6'));
    writeFileSync(join(sos, 'version.txt'), 'sosreport: 4.3\n');
    const { snapshots } = await collectSnapshots([dir]);
    expect(snapshots.map((s) => [s.time, s.formats.join('+'), s.values.sockets_used, s.listing?.states])).toEqual([
      ['2022-02-10T09:51:32Z', 'sockstat+listing', 259, { LISTEN: 4, 'CLOSE-WAIT': 1, 'TIME-WAIT': 7 }],
    ]);
  });
});
