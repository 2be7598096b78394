import { describe, expect, it } from 'vitest';
import { parseListing } from '../src/parse/listing.js';
import { collectSnapshots } from '../src/pipeline.js';
import { sample, samplePath, toLines } from './helpers.js';

/**
 * Real listings in the layouts sosreports keep (samples/captures/listing-sos, made by its
 * make.sh): lsof 4.95 with TID/TASKCMD columns and 3 threads, 60 unhashed TCP sockets
 * (40 IPv4, 20 IPv6), 300 CLOSE-WAIT, and the counters of the same moment.
 */
const DIR = 'captures/listing-sos';
const SOS = `${DIR}/sosreport-vm-listing`;

/** The lines of a listing file from its header on (what the segmenter hands over). */
function listingLines(rel: string) {
  const lines = toLines(sample(rel));
  const i = lines.findIndex((l) => /^(COMMAND|Netid|State|Proto)\s/.test(l.text));
  return lines.slice(i);
}

describe('lsof with TID/TASKCMD columns (lsof 4.9x): each (PID, FD) once, TCPv6 counted', () => {
  it('lsof -nP: 240 sock rows (each fd on the process row and 3 thread rows) are 60 unhashed sockets, 20 of them IPv6', () => {
    const { summary } = parseListing(listingLines(`${DIR}/lsof-nP.txt`));
    expect(summary.lsofUnhashed).toBe(60);
    expect(summary.lsofUnhashed6).toBe(20);
    expect(summary.processes.map((p) => [p.name, p.unhashed])).toEqual([['python3', 60]]);
  });

  it('sos 3.x lsof -b +M -n -l (warnings before the header) and sos 4.x lsof +M -n -l -c \'\': 60 each', async () => {
    for (const f of [`${SOS}/sos_commands/process/lsof_-b_M_-n_-l`, `${SOS}/sos_commands/process/lsof_M_-n_-l_-c`]) {
      const { snapshots } = await collectSnapshots([samplePath(f)]);
      expect([f, snapshots.map((s) => s.values.lsof_unhashed)]).toEqual([f, [60]]);
    }
  });
});

describe('ss -peaonmi as sos keeps it', () => {
  it('300 CLOSE-WAIT: the blank continuation line of a TIME-WAIT socket does not end the listing; RTNETLINK first', async () => {
    const f = samplePath(`${SOS}/sos_commands/networking/ss_-peaonmi`);
    const { snapshots } = await collectSnapshots([f]);
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]!.values).toMatchObject({ list_close_wait: 300, list_fin_wait2: 300, list_estab: 12, list_listen: 4, list_time_wait: 300 });
    const owner = snapshots[0]!.listing!.processes.find((p) => p.states['CLOSE-WAIT'])!;
    expect(owner).toMatchObject({ name: 'python3', states: { 'CLOSE-WAIT': 300 }, closeWaitLocal: { '127.0.0.1:20041': 300 } });
  });

  it('rows of every netid are read past (nl, p_raw, u_str, u_seq, raw, udp, tcp, mptcp): UDP queue and drops, a full accept queue', () => {
    const { summary } = parseListing(listingLines(`${SOS}/sos_commands/networking/ss_-peaonmi`));
    expect(summary.udp).toMatchObject({ sockets: 2, recvQBytes: 7488, queued: 1, drops: 191 });
    expect(summary.udp!.top).toEqual([{ local: '127.0.0.1:20042', recvQ: 7488, drops: 191, owners: [{ name: 'python3', pid: expect.any(Number) }] }]);
    expect(summary.listenQueues).toEqual([{ local: '127.0.0.1:20043', recvQ: 6, backlog: 5, owners: [{ name: 'python3', pid: expect.any(Number) }] }]);
  });
});

describe('ss -uamp (no Netid column, UNCONN rows: UDP)', () => {
  it('Recv-Q and drops per UDP socket, no TCP states claimed', async () => {
    const { snapshots } = await collectSnapshots([samplePath(`${DIR}/ss-uamp.txt`)]);
    const l = snapshots[0]!.listing!;
    expect(l.udp).toMatchObject({ sockets: 2, recvQBytes: 7488, queued: 1, drops: 191 });
    expect(l.udp!.top[0]).toMatchObject({ local: '127.0.0.1:20042', recvQ: 7488, drops: 191 });
    expect(snapshots[0]!.values.list_estab).toBeUndefined();
  });
});

describe('a sosreport\'s listings join the counters of its moment, each socket counted once', () => {
  it('ss_-peaonmi, ss_-tupna, netstat_-W_-neopa and two lsof files: one snapshot, 300 CLOSE-WAIT (not 900), 60 unhashed (not 120)', async () => {
    const { snapshots } = await collectSnapshots([samplePath(SOS)]);
    expect(snapshots).toHaveLength(1);
    const s = snapshots[0]!;
    expect(s.formats).toEqual(['sockstat', 'sockstat6', 'ss', 'snmp', 'listing']);
    expect(s.values).toMatchObject({ tcp_unhashed: 60, lsof_unhashed: 60, list_close_wait: 300, list_fin_wait2: 300 });
    expect(s.listing!.kinds).toEqual(['ss', 'lsof']);
    for (const m of ['ss_-peaonmi', 'ss_-tupna', 'netstat_-W_-neopa', 'lsof_-b_M_-n_-l', 'lsof_M_-n_-l_-c']) expect(s.sources.some((x) => x.includes(`/${m}:`))).toBe(true);
    expect(s.sources.some((x) => x.includes('/ss_-s:'))).toBe(true);
    const leak = s.listing!.processes.find((p) => p.unhashed > 0)!;
    expect(leak).toMatchObject({ name: 'python3', unhashed: 60 });
  });
});

describe('which sosreport files are listings (the listing format\'s file names)', () => {
  it('ss_* but ss_-s, netstat_* with p, lsof_* in process/ and filesys/', async () => {
    const { formatOfPath } = await import('../src/parse/formats/index.js');
    const kind = (p: string) => formatOfPath(p)?.kind;
    for (const p of ['ss_-peaonmi', 'ss_-tupna', 'netstat_-W_-neopa', 'netstat_-neopa']) expect([p, kind(`sos_commands/networking/${p}`)]).toEqual([p, 'listing']);
    for (const p of ['process/lsof_-b_M_-n_-l', 'process/lsof_-b_M_-n_-l_-c', 'process/lsof_M_-n_-l_-c', 'process/lsof_M_-n_-l', 'filesys/lsof_-b_M_-n_-l_-P']) expect([p, kind(`sos_commands/${p}`)]).toEqual([p, 'listing']);
    expect(kind('sos_commands/networking/ss_-s')).toBe('ss');
    // netstat -s is no listing: it is read as protocol counters (the netstat-s format).
    expect(kind('sos_commands/networking/netstat_-s')).toBe('netstat-s');
    for (const p of ['netstat_-W_-agn', 'ip_-s_link']) expect([p, kind(`sos_commands/networking/${p}`)]).toEqual([p, undefined]);
  });
});

describe('old iproute2 owners: users:(("sshd",1231,3)) without pid=', () => {
  it('insights-core Ss_TUPNA (world fixture): the processes are named', async () => {
    const { snapshots } = await collectSnapshots([`${import.meta.dirname}/fixtures/world/insights-core/test_netstat.py/Ss_TUPNA.ss-tupna`]);
    const procs = snapshots[0]!.listing!.processes;
    expect(procs.find((p) => p.pid === 1231)).toMatchObject({ name: 'sshd', states: { LISTEN: 2 } });
    expect(procs.find((p) => p.pid === 11427)).toMatchObject({ name: 'sshd', states: { ESTAB: 1 } });
  });
});

describe('listings pasted double-spaced (a blank line between rows, as a ticket\'s Markdown renders them), or indented as a whole', () => {
  it('indented by four spaces (a Markdown code block): the header\'s indentation is taken off the rows', async () => {
    const { Readable } = await import('node:stream');
    for (const f of ['captures/listing-sos/lsof-nP.txt', 'captures/listing-sos/ss-uamp.txt', 'captures/netstat/netstat-W-neopa.txt', 'captures/tcp-syn-flood/timeline.log', 'captures/counters-idle/timeline.log']) {
      const text = sample(f);
      const a = await collectSnapshots(['-'], { stdin: Readable.from([text]) });
      const b = await collectSnapshots(['-'], { stdin: Readable.from([text.replace(/^(?=.)/gm, '    ')]) });
      const view = (r: typeof a) => r.snapshots.map((s) => [s.time, s.values, s.listing]);
      expect([f, view(b)]).toEqual([f, view(a)]);
      expect([f, b.stats.outsideLines]).toEqual([f, a.stats.outsideLines]);
    }
  });

  it('give the same snapshots as printed: a blank line does not end a listing, the next line decides', async () => {
    const { Readable } = await import('node:stream');
    for (const f of ['captures/listing-sos/lsof-nP.txt', 'captures/listing-sos/ss-uamp.txt', 'captures/netstat/netstat-W-neopa.txt', 'captures/tcp-syn-flood/timeline.log']) {
      const text = sample(f);
      const a = await collectSnapshots(['-'], { stdin: Readable.from([text]) });
      const b = await collectSnapshots(['-'], { stdin: Readable.from([text.split('\n').join('\n\n')]) });
      const view = (r: typeof a) => r.snapshots.map((s) => [s.time, s.values, s.listing]);
      expect([f, view(b)]).toEqual([f, view(a)]);
      expect([f, b.stats.outsideLines]).toEqual([f, a.stats.outsideLines]);
    }
  });
});
