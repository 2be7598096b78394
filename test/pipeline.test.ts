import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { scanLines } from '../src/ingest/lines.js';
import { DiskTree } from '../src/ingest/tree.js';
import { normalizeBlock } from '../src/normalize/normalize.js';
import { collectSnapshots } from '../src/pipeline.js';
import { segmentText } from '../src/segment/segmenter.js';
import { SCENARIOS, sample, samplePath, truth } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'sockscope-test-'));

describe('timelines of every scenario', () => {
  it.each(SCENARIOS)('%s/timeline-date.log: blocks, first/last time and the observed series', async (sc) => {
    const t = truth(sc);
    const { snapshots, stats } = await collectSnapshots([samplePath(`kernel-6.18/${sc}/timeline-date.log`)]);
    const obs = t.observed_in_timeline_date;
    expect(stats.blocks).toBe(t.race_check['timeline-date.log'].blocks);
    expect(snapshots).toHaveLength(obs.snapshots as number);
    expect(stats.skipped).toEqual([]);
    expect(stats.blocks).toBe(stats.blocksInSnapshots + stats.skipped.length);
    // `ss -s` closed as printed is what truth observed; ours is computed from sockstat (they may race).
    const series = (f: keyof (typeof snapshots)[0]['values']) => snapshots.map((s) => s.values[f]!);
    const check = (name: string, vals: number[]) => {
      const o = obs[name] as { first: number; max: number; last: number };
      expect({ first: vals[0], max: Math.max(...vals), last: vals[vals.length - 1] }).toEqual(o);
    };
    check('tcp_alloc', series('tcp_alloc'));
    check('tcp_inuse', series('tcp4_inuse'));
    check('tcp6_inuse', series('tcp6_inuse'));
    check('tcp_mem_pages', series('tcp_mem_pages'));
    check('udp_mem_pages', series('udp_mem_pages'));
    check('sockets_used', series('sockets_used'));
    check('estab', series('tcp_estab')); // ss -s names: estab exists only in ss -s
    expect(snapshots[0]!.formats).toEqual(['sockstat', 'sockstat6', 'ss']);
    expect(new Date(snapshots[0]!.timeMs!).toUTCString().slice(0, 25)).toBe(
      new Date(Date.parse(String(obs.first).replace(/ UTC/, '') + ' UTC')).toUTCString().slice(0, 25),
    );
  });

  it('race diagnostics: the number of blocks whose ss -s TCP line disagrees is what truth.json counted', async () => {
    for (const sc of SCENARIOS) {
      const t = truth(sc);
      const { snapshots } = await collectSnapshots([samplePath(`kernel-6.18/${sc}/timeline-date.log`)]);
      const tcpRaced = snapshots.filter((s) =>
        s.diagnostics.some((d) => d.kind === 'disagree' && ['tcp_tw', 'tcp_alloc', 'tcp_orphan', 'tcp_closed', 'tcp4_inuse', 'tcp6_inuse'].includes(d.field!)),
      ).length;
      const usedRaced = snapshots.filter((s) => s.diagnostics.some((d) => d.field === 'sockets_used')).length;
      expect([sc, tcpRaced, usedRaced]).toEqual([sc, t.race_check['timeline-date.log'].tcp_raced_blocks, t.race_check['timeline-date.log'].total_vs_used_differs]);
    }
  });

  it('a disagreement names the field, both values and both sources, and keeps sockstat', async () => {
    const { snapshots } = await collectSnapshots([samplePath('kernel-6.18/timewait-storm/timeline-date.log')]);
    const s = snapshots.find((x) => x.source.endsWith(':89'))!; // sockstat tw 358, ss -s timewait 363
    const d = s.diagnostics.find((x) => x.field === 'tcp_tw')!;
    expect(d.message).toMatch(/^tcp_tw: sockstat 358 \(.*timeline-date\.log:91\) but ss -s 363 \(.*timeline-date\.log:\d+\); kept 358$/);
    expect(s.values.tcp_tw).toBe(358);
  });

  it('timeline-iso.log (ss -s only): sockstat fields recovered, mem absent', async () => {
    const { snapshots } = await collectSnapshots([samplePath('kernel-6.18/unconnected-leak/timeline-iso.log')]);
    const last = snapshots[snapshots.length - 1]!;
    expect(last.formats).toEqual(['ss']);
    expect(last.values).toMatchObject({ tcp_alloc: 1501, tcp4_inuse: 1, tcp6_inuse: 0, tcp_tw: 0, tcp_closed: 1500, tcp_unhashed: 1500, tcp_estab: 0, sockets_used: 1511 });
    expect(last.values.tcp_mem_pages).toBeUndefined();
    expect(last.values.udp_mem_pages).toBeUndefined();
    expect(last.values.frag4_memory).toBeUndefined();
    expect(last.values.udplite4_inuse).toBeUndefined();
  });

  it('timeline-epoch.log (sockstat only): closed computed, estab absent', async () => {
    const { snapshots } = await collectSnapshots([samplePath('kernel-6.18/timewait-storm/timeline-epoch.log')]);
    expect(snapshots[0]!.time).toBe('2026-11-25T01:00:42Z');
    const peak = snapshots.reduce((a, b) => (b.values.tcp_tw! > a.values.tcp_tw! ? b : a));
    expect(peak.values.tcp_closed).toBe(peak.values.tcp_tw);
    expect(peak.values.tcp_unhashed).toBe(0);
    expect(peak.values.tcp_estab).toBeUndefined();
  });
});

describe('combined captures', () => {
  it.each(SCENARIOS)('%s/combined.txt: one snapshot, closed - timewait as truth.json', async (sc) => {
    const t = truth(sc).observed_in_combined['combined.txt'];
    const { snapshots } = await collectSnapshots([samplePath(`kernel-6.18/${sc}/combined.txt`)]);
    expect(snapshots).toHaveLength(1);
    const s = snapshots[0]!;
    expect(s.time).toBeUndefined();
    expect(s.diagnostics).toEqual([]);
    expect(s.values.tcp_closed).toBe(t.ss_s_tcp_line.closed);
    expect(s.values.tcp_unhashed).toBe(t.closed_minus_timewait);
  });

  it('the seed article (adil): closed = 247 - (143 + 4 - 38) = 138, 100 unhashed; host from the prompt', async () => {
    const { snapshots } = await collectSnapshots([samplePath('public/adil-combined.txt')]);
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]!.host).toBe('adil');
    expect(snapshots[0]!.values).toMatchObject({ tcp_alloc: 247, tcp4_inuse: 143, tcp6_inuse: 4, tcp_tw: 38, tcp_closed: 138, tcp_unhashed: 100, tcp_estab: 136 });
    expect(snapshots[0]!.formats).toEqual(['sockstat', 'sockstat6', 'ss']);
  });

  it('old format: extras kept (habr)', async () => {
    const { snapshots } = await collectSnapshots([samplePath('public/habr-old-ss.txt')]);
    expect(snapshots[0]!.values).toMatchObject({ ss_kernel: 16739, tcp_synrecv: 0, tcp_tw2: 0, ss_ports: 0, ss_slab_total: 16739, tcp_alloc: 14377, tcp_closed: 25092, tcp_unhashed: 163 });
  });

  it('netdata 743: sockstat and ss -s of one host moments apart stay two snapshots', async () => {
    const { snapshots } = await collectSnapshots([samplePath('public/netdata-743-sockstat.txt'), samplePath('public/netdata-743-ss.txt')]);
    expect(snapshots.map((s) => s.formats.join('+'))).toEqual(['sockstat+sockstat6', 'ss']);
    expect(snapshots[0]!.values.tcp_closed).toBe(3522 - (1761 + 1772 - 800));
  });

  it('an unknown sockstat key lands in otherKeys', () => {
    const text = sample('kernel-6.18/idle/combined.txt').replace('mem 210', 'mem 210 pressure 0');
    const { blocks } = segmentText(text, 'x');
    const r = normalizeBlock(blocks[0]!);
    expect('snapshot' in r && r.snapshot.otherKeys).toEqual({ 'TCP.pressure': 0 });
  });
});

describe('accounting: garbage, truncation, line endings', () => {
  // A real timeline with garbage lines added and one block cut in the middle of its TCP line.
  const real = sample('kernel-6.18/unconnected-leak/timeline-date.log').split('\n');
  const third = real.findIndex((l, i) => i > 0 && l.startsWith('Wed') && real.slice(0, i).filter((x) => x.startsWith('Wed')).length === 2);
  const damaged = [
    'garbage before anything',
    ...real.slice(0, third + 2),
    'TCP: inuse 1 orphan', // the block at `third` is cut here
    '%% random noise %%',
    ...real.slice(real.findIndex((l, i) => i > third && l.startsWith('Wed'))),
  ].join('\n');
  const path = join(tmp, 'damaged.log');
  writeFileSync(path, damaged);

  it('good blocks become snapshots, the bad one is skipped with file:line and a reason', async () => {
    const { snapshots, stats } = await collectSnapshots([path]);
    expect(stats.blocks).toBe(36);
    expect(snapshots).toHaveLength(35);
    expect(stats.skipped).toEqual([{ source: `${path}:${third + 4}`, reason: expect.stringMatching(/^sockstat: TCP: line is truncated/), severity: 'error' }]);
    expect(stats.blocks).toBe(stats.blocksInSnapshots + stats.skipped.length);
    expect(stats.outsideLines).toBe(2);
  });

  it('CRLF line endings give the same values as LF', async () => {
    const crlf = join(tmp, 'crlf.log');
    writeFileSync(crlf, sample('kernel-6.18/timewait-storm/timeline-date.log').replace(/\n/g, '\r\n'));
    const a = await collectSnapshots([crlf]);
    const b = await collectSnapshots([samplePath('kernel-6.18/timewait-storm/timeline-date.log')]);
    expect(a.snapshots.map((s) => [s.time, s.values])).toEqual(b.snapshots.map((s) => [s.time, s.values]));
  });

  it('a timestamp with nothing after it is a skipped block', async () => {
    const p = join(tmp, 'lonely.log');
    const body = sample('kernel-6.18/idle/combined.txt');
    writeFileSync(p, `Wed Nov 25 00:55:46 UTC 2026\nWed Nov 25 00:55:47 UTC 2026\n${body}Wed Nov 25 00:55:48 UTC 2026\n`);
    const lastLine = 3 + body.split('\n').length - 1;
    const { snapshots, stats } = await collectSnapshots([p]);
    expect(snapshots).toHaveLength(1);
    expect(stats.skipped.map((s) => s.source)).toEqual([`${p}:1`, `${p}:${lastLine}`]);
    expect(stats.skipped[0]!.reason).toBe('timestamp with no capture after it');
  });

  it('an unknown zone abbreviation leaves time absent with a diagnostic; --tz reads it', async () => {
    const p = join(tmp, 'cet.log');
    writeFileSync(p, sample('kernel-6.18/idle/combined.txt').replace(/^/, 'Wed Nov 25 01:55:46 CET 2026\n'));
    const without = await collectSnapshots([p]);
    expect(without.snapshots[0]!.time).toBeUndefined();
    expect(without.snapshots[0]!.diagnostics[0]!.message).toMatch(/CET/);
    const withTz = await collectSnapshots([p], { tz: 'Europe/Paris' });
    expect(withTz.snapshots[0]!.time).toBe('2026-11-25T00:55:46Z');
  });
});

describe('inputs', () => {
  it('per-snapshot files named by time merge into one snapshot per moment', async () => {
    const dir = join(tmp, 'per-minute');
    mkdirSync(dir);
    const c = sample('kernel-6.18/orphans/combined.txt').split('---\n');
    writeFileSync(join(dir, '2026-11-25T01-00-42Z.sockstat'), c[0]!);
    writeFileSync(join(dir, '2026-11-25T01-00-42Z.sockstat6'), c[1]!);
    writeFileSync(join(dir, '2026-11-25T01-00-42Z.ss-s'), c[2]!);
    writeFileSync(join(dir, '2026-11-25T01-01-42Z.sockstat'), c[0]!);
    const { snapshots, stats } = await collectSnapshots([dir]);
    expect(stats.blocks).toBe(4);
    expect(stats.blocksInSnapshots).toBe(4);
    expect(snapshots.map((s) => [s.time, s.formats.join('+')])).toEqual([
      ['2026-11-25T01:00:42Z', 'sockstat+sockstat6+ss'],
      ['2026-11-25T01:01:42Z', 'sockstat'],
    ]);
    expect(snapshots[0]!.diagnostics).toEqual([]);
    expect(snapshots[0]!.values).toMatchObject({ tcp_orphan: 750, tcp_estab: 750, tcp_mem_pages: 8652 });
    expect(snapshots[0]!.sources).toHaveLength(3);
  });

  it('.gz files and stdin give the same snapshots as the plain file', async () => {
    const gz = join(tmp, 'leak.log.gz');
    const plain = samplePath('kernel-6.18/unconnected-leak/timeline-date.log');
    writeFileSync(gz, gzipSync(readFileSync(plain)));
    const a = await collectSnapshots([plain]);
    const b = await collectSnapshots([gz]);
    const c = await collectSnapshots(['-'], { stdin: Readable.from([readFileSync(plain)]) });
    const v = (r: typeof a) => r.snapshots.map((s) => [s.time, s.values]);
    expect(v(b)).toEqual(v(a));
    expect(v(c)).toEqual(v(a));
    expect(b.snapshots[0]!.source).toBe(`${gz}:1`);
    expect(c.snapshots[0]!.source).toBe('-:1');
  });

  it('chunks whose boundaries fall inside blocks give the snapshots of the whole text', async () => {
    // Real captures, racing and quiet, over and over, each quiet one followed by an snmp
    // capture of its last moment (merged with that fast block, whose bytes are read
    // again); cut in chunks a bit over the 64 KiB join, at several offsets.
    const quiet = sample('kernel-6.18/unconnected-leak/timeline-date.log');
    const last = quiet.slice(quiet.lastIndexOf('Wed Nov'), quiet.indexOf('\n', quiet.lastIndexOf('Wed Nov')) + 1);
    const snmp = `${last}Tcp: RtoAlgorithm CurrEstab\nTcp: 1 7\n`;
    const text = Buffer.from([sample('kernel-6.18/timewait-storm/timeline-date.log'), quiet, snmp].join('').repeat(40));
    const whole = await collectSnapshots(['-'], { stdin: Readable.from([text]) });
    const v = (r: typeof whole) => r.snapshots.map((x) => [x.source, x.time, x.formats, x.values, x.diagnostics]);
    expect(whole.snapshots.length).toBeGreaterThan(2000);
    expect(whole.snapshots.filter((x) => x.formats.includes('snmp'))).toHaveLength(40); // merged with the fast block each time
    for (const size of [65_537, 66_000, 70_001, 100_003]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(Buffer.from(text.subarray(i, i + size)));
      const cut = await collectSnapshots(['-'], { stdin: Readable.from(chunks) });
      expect([size, cut.snapshots.length]).toEqual([size, whole.snapshots.length]);
      expect(v(cut)).toEqual(v(whole));
    }
  });

  it('memory handed to a scanner is written again only after release() of it (the chunk-boundary join buffer is reused)', async () => {
    const given: { mem: ArrayBufferLike; at: number; bytes: Buffer; released: boolean }[] = [];
    let violations = 0;
    let joins = 0;
    const scanner = {
      scan(buf: Buffer, pos: number, final: boolean): number {
        for (const g of given) {
          if (!g.released && g.mem === buf.buffer && !g.bytes.equals(Buffer.from(g.mem, g.at, g.bytes.length))) violations++;
        }
        if (given.some((g) => g.mem === buf.buffer)) joins++;
        given.push({ mem: buf.buffer, at: buf.byteOffset, bytes: Buffer.from(buf), released: false });
        if (final) return buf.length;
        const nl = buf.lastIndexOf(10, buf.length - 40_000); // keep a long tail back, as a block may be
        return nl >= pos ? nl + 1 : pos;
      },
      line: () => undefined,
      release(chunk: Buffer): void {
        for (const g of given) if (g.mem === chunk.buffer) g.released = true;
      },
    };
    const text = Buffer.from(sample('kernel-6.18/timewait-storm/timeline-date.log').repeat(30));
    const chunks: Buffer[] = [];
    for (let i = 0; i < text.length; i += 70_001) chunks.push(Buffer.from(text.subarray(i, i + 70_001)));
    await scanLines(Readable.from(chunks), scanner, undefined, false);
    expect(joins).toBeGreaterThan(3); // the same memory was handed over again, several times
    expect(violations).toBe(0);
  });

  it('a missing path is reported and the rest is read', async () => {
    const { snapshots, stats } = await collectSnapshots([join(tmp, 'nope'), samplePath('kernel-6.18/idle/combined.txt')]);
    expect(snapshots).toHaveLength(1);
    expect(stats.inputProblems).toEqual([{ source: join(tmp, 'nope'), reason: 'cannot read: ENOENT', severity: 'error' }]);
  });

  it('a small file is read whole when its stream is first read; a file gone by then is the stream\'s error, not a throw', async () => {
    const path = samplePath('kernel-6.18/idle/combined.txt');
    const chunks: Buffer[] = [];
    for await (const c of new DiskTree().open(path, 10) as AsyncIterable<Buffer>) chunks.push(c);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.equals(readFileSync(path))).toBe(true);
    const gone = new DiskTree().open(join(tmp, 'gone-before-read'), 10); // opening does not read
    await expect(gone.toArray()).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('directories are walked in a sorted, deterministic order', async () => {
    const { snapshots } = await collectSnapshots([samplePath('public')]);
    expect(snapshots.map((s) => s.source.replace(/^.*public\//, ''))).toEqual([
      'adil-combined.txt:1', 'adil-ss-2.txt:1', 'habr-old-ss.txt:2', 'kernel-doc-ss.txt:2', 'netdata-743-sockstat.txt:2', 'netdata-743-ss.txt:2',
    ]);
  });

  it('--since/--until keep the window', async () => {
    const { snapshots, stats } = await collectSnapshots([samplePath('kernel-6.18/idle/timeline-date.log')], {
      sinceMs: Date.parse('2026-11-25T00:55:20Z'),
      untilMs: Date.parse('2026-11-25T00:55:29Z'),
    });
    expect(snapshots.length).toBeGreaterThan(5);
    expect(snapshots.every((s) => s.time! >= '2026-11-25T00:55:20Z' && s.time! <= '2026-11-25T00:55:29Z')).toBe(true);
    expect(stats.filtered + snapshots.length).toBe(32);
  });
});
