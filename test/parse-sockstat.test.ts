import { describe, expect, it } from 'vitest';
import { parseSockstat } from '../src/parse/sockstat.js';
import { SCENARIOS, sample, slice, toLines, truth } from './helpers.js';

describe('parseSockstat on real captures', () => {
  it.each(SCENARIOS)('%s/combined.txt gives the values truth.json observed', (sc) => {
    const text = sample(`kernel-6.18/${sc}/combined.txt`);
    const t = truth(sc).observed_in_combined['combined.txt'];
    const p = parseSockstat(slice(text, 1, 6));
    expect(p.issues).toEqual([]);
    expect(p.groups.sockets).toEqual({ used: t['sockets.used'] });
    expect(p.groups.TCP).toEqual(t.TCP);
    const p6 = parseSockstat(slice(text, 8, 12));
    expect(p6.groups.TCP6).toEqual({ inuse: t['TCP6.inuse'] });
    expect(Object.keys(p6.groups)).toEqual(['TCP6', 'UDP6', 'UDPLITE6', 'RAW6', 'FRAG6']);
  });

  it('udp-and-raw: UDP mem, RAW and the v6 counts', () => {
    const text = sample('kernel-6.18/udp-and-raw/combined.txt');
    const p = parseSockstat(slice(text, 1, 6));
    expect(p.groups.UDP).toEqual({ inuse: 300, mem: 742 });
    expect(p.groups.RAW).toEqual({ inuse: 2 });
    const p6 = parseSockstat(slice(text, 8, 12));
    expect(p6.groups.UDP6).toEqual({ inuse: 200 });
    expect(p6.groups.RAW6).toEqual({ inuse: 1 });
  });

  it('netdata issue 743: a busy host (prompt lines are not part of the section)', () => {
    const text = sample('public/netdata-743-sockstat.txt');
    const p = parseSockstat(slice(text, 2, 7));
    expect(p.groups.sockets!.used).toBe(4205);
    expect(p.groups.TCP).toEqual({ inuse: 1761, orphan: 6, tw: 800, alloc: 3522, mem: 551 });
    expect(p.groups.UDP).toEqual({ inuse: 282, mem: 87 });
    expect(p.groups.FRAG).toEqual({ inuse: 0, memory: 0 });
    expect(p.lineOf.TCP).toBe(3);
    const p6 = parseSockstat(slice(text, 9, 13));
    expect(p6.groups.TCP6!.inuse).toBe(1772);
    expect(p6.groups.UDP6!.inuse).toBe(40);
  });
});

// The kernel variants of the reference table ("/proc/net/sockstat and sockstat6"),
// written from the real 6.18 capture by changing only what the table says differs.
describe('parseSockstat kernel variants (reference table)', () => {
  const base = sample('kernel-6.18/orphans/combined.txt').split('\n').slice(0, 6);
  const variant = (edit: (l: string[]) => string[]) => parseSockstat(toLines(edit([...base]).join('\n')));

  it('2.2: TCP/UDP "inuse N highest N", no orphan/tw/alloc', () => {
    const p = variant((l) => [l[0]!, 'TCP: inuse 30 highest 42', 'UDP: inuse 4 highest 9', 'RAW: inuse 0']);
    expect(p.issues).toEqual([]);
    expect(p.groups.TCP).toEqual({ inuse: 30, highest: 42 });
    expect(p.groups.UDP).toEqual({ inuse: 4, highest: 9 });
    expect(p.groups.TCP!.alloc).toBeUndefined();
  });

  it('2.4–2.6.19: UDP without mem and no UDPLITE line', () => {
    const p = variant((l) => l.filter((x) => !x.startsWith('UDPLITE')).map((x) => (x.startsWith('UDP:') ? 'UDP: inuse 0' : x)));
    expect(p.groups.UDP).toEqual({ inuse: 0 });
    expect(p.groups.UDPLITE).toBeUndefined();
    expect(p.groups.TCP!.alloc).toBe(1502);
  });

  it('an extra " pressure N" key is kept, not fatal', () => {
    const p = variant((l) => l.map((x) => (x.startsWith('TCP:') ? `${x} pressure 1` : x)));
    expect(p.issues).toEqual([]);
    expect(p.groups.TCP).toEqual({ inuse: 1502, orphan: 750, tw: 0, alloc: 1502, mem: 8652, pressure: 1 });
  });

  it('64-bit mem (%ld) is read exactly', () => {
    const p = variant((l) => l.map((x) => (x.startsWith('TCP:') ? x.replace('mem 8652', 'mem 6442450944') : x)));
    expect(p.groups.TCP!.mem).toBe(6442450944);
  });

  it('negative "sockets: used"', () => {
    const p = variant((l) => ['sockets: used -3', ...l.slice(1)]);
    expect(p.groups.sockets!.used).toBe(-3);
  });

  it('a line cut in the middle is an error naming the line', () => {
    const p = variant((l) => [l[0]!, 'TCP: inuse 1502 orphan']);
    expect(p.issues).toHaveLength(1);
    expect(p.issues[0]).toMatchObject({ source: '2', severity: 'error' });
    expect(p.issues[0]!.reason).toMatch(/truncated/);
  });
});
