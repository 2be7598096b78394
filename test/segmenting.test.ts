/**
 * What starts, continues and ends a capture (docs/formats.md, "What sockscope reads"),
 * on real captures made by other people (test/fixtures/world/, samples/public/).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectSnapshots } from '../src/pipeline.js';
import { parseSockstat } from '../src/parse/sockstat.js';
import { ROOT, sample, toLines } from './helpers.js';

const WORLD = join(ROOT, 'test/fixtures/world');
const tmp = mkdtempSync(join(tmpdir(), 'sockscope-seg-'));

describe('unknown lines inside a block do not split it', () => {
  it('hotsos PROC_SOCKSTAT_BAD: the UNKNOWN group goes to other_keys, the CORRUPT line is outside, one snapshot', async () => {
    const f = join(WORLD, 'hotsos/test_kernel.py/PROC_SOCKSTAT_BAD.sockstat');
    const { snapshots, stats } = await collectSnapshots([f]);
    expect(stats.skipped).toEqual([]);
    expect(snapshots).toHaveLength(1);
    const s = snapshots[0]!;
    expect(s.otherKeys).toEqual({ 'UNKNOWN.inuse': 22, 'UNKNOWN.orphan': 15 });
    expect(s.values.raw4_inuse).toBe(55);
    expect(s.values.frag4_memory).toBe(77);
    expect(s.values.tcp_mem_pages).toBe(15);
    expect(stats.outsideLines).toBe(1);
  });

  it('a shell message and a garbage line inside a timed capture are outside lines; the capture stays one', async () => {
    const lines = sample('public/adil-combined.txt').split('\n');
    // The real capture with its prompt line replaced by a date, and two junk lines inside it.
    const body = [lines[0]!.slice(lines[0]!.indexOf('sockets:')), ...lines.slice(1)];
    body.splice(3, 0, 'cat: /proc/net/sockstat_x: No such file or directory');
    body.splice(9, 0, '%% 0xdeadbeef %%');
    const p = join(tmp, 'junk.log');
    writeFileSync(p, `Wed Nov 25 00:55:46 UTC 2026\n${body.join('\n')}`);
    const { snapshots, stats } = await collectSnapshots([p]);
    expect(stats.skipped).toEqual([]);
    expect(snapshots.map((s) => [s.time, s.formats.join('+')])).toEqual([['2026-11-25T00:55:46Z', 'sockstat+sockstat6+ss']]);
    expect(snapshots[0]!.values.udp4_inuse).toBe(4);
    expect(stats.outsideLines).toBe(4); // two `---` and the two junk lines
  });

  it('output repeated inside a timed capture is a reported skip, never a time-less snapshot', async () => {
    const real = sample('public/adil-combined.txt').split('\n');
    const sockstat = [real[0]!.slice(real[0]!.indexOf('sockets:')), ...real.slice(1, 6)];
    const p = join(tmp, 'repeat.log');
    writeFileSync(p, ['Wed Nov 25 00:55:46 UTC 2026', ...sockstat, ...sockstat].join('\n') + '\n');
    const { snapshots, stats } = await collectSnapshots([p]);
    expect(snapshots.map((s) => s.time)).toEqual(['2026-11-25T00:55:46Z']);
    expect(stats.skipped).toEqual([{ source: `${p}:8`, reason: `sockstat repeated inside the capture at ${p}:1 with no timestamp of its own; not a snapshot`, severity: 'error' }]);
    expect(stats.blocks).toBe(stats.blocksInSnapshots + stats.skipped.length);
  });
});

describe('pasted terminal sessions', () => {
  const ticket = [
    sample('public/adil-ss-2.txt'),
    'The closed column is interesting here. It is the number of sockets that are not in any hash table.',
    '',
    'Let us look at the second server, where the numbers of the closed column are much larger than the timewait count.',
    '',
    sample('public/adil-combined.txt'),
  ].join('\n');

  it('an ss -s, two paragraphs of prose, then a prompt with glued output: the first ss -s stays alone', async () => {
    const p = join(tmp, 'ticket.txt');
    writeFileSync(p, ticket);
    const { snapshots, stats } = await collectSnapshots([p]);
    expect(stats.skipped).toEqual([]);
    expect(snapshots.map((s) => [s.source, s.formats.join('+'), s.values.sockets_used, s.host])).toEqual([
      [`${p}:1`, 'ss', 246, undefined],
      [`${p}:14`, 'sockstat+sockstat6+ss', 400, 'adil'],
    ]);
    // The second capture's ss -s is its own (tcp_estab 136), not the first one's 87.
    expect(snapshots[1]!.values.tcp_estab).toBe(136);
    expect(snapshots[0]!.values.tcp_estab).toBe(87);
  });

  it('without prose, a prompt that runs a command whose output the block already has starts a new capture', async () => {
    const p = join(tmp, 'ticket2.txt');
    writeFileSync(p, `${sample('public/adil-ss-2.txt')}${sample('public/adil-combined.txt')}`);
    const { snapshots } = await collectSnapshots([p]);
    expect(snapshots.map((s) => [s.formats.join('+'), s.values.sockets_used])).toEqual([
      ['ss', 246],
      ['sockstat+sockstat6+ss', 400],
    ]);
  });

  it('one command per prompt: a date, a sockstat and an ss -s under three prompts stay one capture', async () => {
    const real = sample('public/adil-combined.txt').split('\n');
    const sockstat = [real[0]!.slice(real[0]!.indexOf('sockets:')), ...real.slice(1, 6)];
    const ss = real.slice(13);
    const p = join(tmp, 'session.txt');
    writeFileSync(p, ['root@adil:~# date -u', 'Wed Nov 25 00:55:46 UTC 2026', 'root@adil:~# cat /proc/net/sockstat', ...sockstat, 'root@adil:~# ss -s', ...ss].join('\n'));
    const { snapshots, stats } = await collectSnapshots([p]);
    expect(stats.skipped).toEqual([]);
    expect(snapshots.map((s) => [s.time, s.formats.join('+'), s.host])).toEqual([['2026-11-25T00:55:46Z', 'sockstat+ss', 'adil']]);
  });
});

describe('a sockstat flattened onto one line', () => {
  it('51CTO post: groups on one line, some glued to the value before (`mem 46UDP:`), sockstat6 too', async () => {
    const { snapshots, stats } = await collectSnapshots([join(WORLD, '51cto/linux-socket-state.txt')]);
    expect(stats.skipped).toEqual([]);
    expect(snapshots).toHaveLength(1);
    const s = snapshots[0]!;
    expect(s.formats).toEqual(['sockstat', 'sockstat6']);
    expect(s.values).toMatchObject({ sockets_used: 137, tcp4_inuse: 49, tcp_orphan: 0, tcp_tw: 3272, tcp_alloc: 52, tcp_mem_pages: 46, udp4_inuse: 1, udp_mem_pages: 0, raw4_inuse: 0, frag4_inuse: 0, frag4_memory: 0, tcp6_inuse: 3, udp6_inuse: 0, raw6_inuse: 0, frag6_inuse: 0, frag6_memory: 0 });
    expect(s.values.udplite4_inuse).toBeUndefined();
  });

  it('the parser reads each group of a flattened line with that line number', () => {
    const p = parseSockstat(toLines('sockets: used 137 TCP: inuse 49 orphan 0 tw 3272 alloc 52 mem 46 UDP: inuse 1 mem 0 RAW: inuse 0 FRAG: inuse 0 memory 0 \n'));
    expect(p.issues).toEqual([]);
    expect(p.groups).toEqual({ sockets: { used: 137 }, TCP: { inuse: 49, orphan: 0, tw: 3272, alloc: 52, mem: 46 }, UDP: { inuse: 1, mem: 0 }, RAW: { inuse: 0 }, FRAG: { inuse: 0, memory: 0 } });
    expect(p.lineOf).toEqual({ sockets: 1, TCP: 1, UDP: 1, RAW: 1, FRAG: 1 });
  });
});

describe('values no counter can have (issue 18 item 17)', () => {
  const real = sample('public/adil-combined.txt');
  const write = (name: string, text: string) => {
    const p = join(tmp, name);
    writeFileSync(p, text);
    return p;
  };
  it('a 400-digit count is a skip with file:line, not Infinity', async () => {
    const p = write('huge.txt', real.replace('mem 86', `mem ${'9'.repeat(400)}`));
    const { snapshots, stats } = await collectSnapshots([p]);
    expect(snapshots).toEqual([]);
    expect(stats.skipped).toEqual([{ source: `${p}:2`, reason: 'sockstat: tcp_mem_pages is not a finite number (too many digits); not a snapshot', severity: 'error' }]);
  });
  it('a count past 2^53 and a negative count are kept with a diagnostic naming file:line', async () => {
    const p = write('big.txt', real.replace('mem 86', 'mem 9007199254740993').replace('UDP: inuse 4', 'UDP: inuse -4'));
    const { snapshots } = await collectSnapshots([p]);
    expect(snapshots).toHaveLength(1);
    const d = snapshots[0]!.diagnostics.filter((x) => x.kind === 'parse').map((x) => [x.source, x.message]);
    expect(d).toEqual([
      [`${p}:2`, 'sockstat: tcp_mem_pages 9007199254740992 is past 2^53 and not an exact integer; kept approximately'],
      [`${p}:3`, 'sockstat: udp4_inuse is negative (-4); kept as read'],
    ]);
  });
});
