import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { collectSnapshots } from '../src/pipeline.js';
import { ROOT, samplePath } from './helpers.js';

/**
 * sysstat outputs: `sadf -d`, `sadf -j` and plain `sar` text, on real files
 * (samples/captures/sar-all/make.sh made them with Debian's sysstat 12.6.1;
 * test/fixtures/world/sysstat/ holds outputs from sysstat's own test suite).
 */
const ALL = (f: string) => samplePath(`captures/sar-all/${f}`);
const tmp = mkdtempSync(join(tmpdir(), 'sockscope-sar-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The five moments of samples/captures/sar-all (sar -A 1 5, host vm, Europe/Berlin = UTC+1). */
const MOMENTS = ['2026-12-02T13:43:14Z', '2026-12-02T13:43:15Z', '2026-12-02T13:43:16Z', '2026-12-02T13:43:17Z', '2026-12-02T13:43:18Z'];
const TOTSCK = [37, 37, 31, 31, 31];

describe('sadf -d over all activities (sadf -d -- -A)', () => {
  it('takes the SOCK and SOCK6 rows, one snapshot a moment; the other activities are outside lines', async () => {
    const r = await collectSnapshots([ALL('sadf-d-A.txt')]);
    expect(r.snapshots.map((s) => s.time)).toEqual(MOMENTS);
    expect(r.snapshots.map((s) => s.values.sockets_used)).toEqual(TOTSCK);
    expect(r.snapshots[0]).toMatchObject({ host: 'vm', formats: ['sar-sock', 'sar-sock6'], source: `${ALL('sadf-d-A.txt')}:314` });
    expect(r.snapshots[0]!.values).toEqual({
      sockets_used: 37, tcp4_inuse: 1, udp4_inuse: 0, raw4_inuse: 0, frag4_inuse: 0, tcp_tw: 0,
      tcp6_inuse: 0, udp6_inuse: 0, raw6_inuse: 0, frag6_inuse: 0,
    });
    expect(r.stats.blocks).toBe(10);
    expect(r.stats.skipped).toEqual([]);
    // 452 lines: 2 SOCK/SOCK6 headers and their 10 rows are read, the other 35 headers and 405 rows are outside.
    expect(r.stats.lines).toBe(452);
    expect(r.stats.outsideLines).toBe(440);
  });

  it('a ragged row (a file cut short, a field lost) is a skip with its file:line, never read', async () => {
    const lines = readFileSync(ALL('sadf-d-A.txt'), 'utf8').split('\n');
    lines[315 - 1] = 'vm;1;2026-12-02 13:43:15 UTC;37;1;0;0;0'; // tcp-tw lost
    lines[363 - 1] = 'vm;1;2026-12-02 13:43:15 UTC;0;0;0;0;0'; // one field too many
    const cut = join(tmp, 'sadf-d-ragged.txt');
    writeFileSync(cut, lines.slice(0, 366).join('\n') + '\nvm;1;2026-12-02 13:4');
    const r = await collectSnapshots([cut]);
    expect(r.stats.skipped).toEqual([
      { source: `${cut}:315`, reason: 'sar -n SOCK: row has 8 field(s) where its header (line 313) has 9; not read', severity: 'error' },
      { source: `${cut}:363`, reason: 'sar -n SOCK6: row has 8 field(s) where its header (line 361) has 7; not read', severity: 'error' },
      { source: `${cut}:367`, reason: 'sar -n SOCK6: row has 3 field(s) where its header (line 361) has 7; not read', severity: 'error' },
    ]);
    // 13:43:15 has neither row; the other four moments are whole.
    expect(r.snapshots.map((s) => s.time)).toEqual(MOMENTS.filter((_, i) => i !== 1));
    expect(r.snapshots.every((s) => s.formats.length === 2)).toBe(true);
  });

  it('a negative or unsafe count is a diagnostic and not used', async () => {
    const lines = readFileSync(ALL('sadf-d-A.txt'), 'utf8').split('\n');
    lines[314 - 1] = 'vm;1;2026-12-02 13:43:14 UTC;-37;1;0;0;0;99999999999999999999';
    const bad = join(tmp, 'sadf-d-bad.txt');
    writeFileSync(bad, lines.join('\n'));
    const s = (await collectSnapshots([bad])).snapshots[0]!;
    expect(s.values.sockets_used).toBeUndefined();
    expect(s.values.tcp_tw).toBeUndefined();
    expect(s.values.tcp4_inuse).toBe(1);
    expect(s.diagnostics.map((d) => `${d.source} ${d.message}`)).toEqual([
      `${bad}:314 sar totsck: not a socket count: "-37"; not used`,
      `${bad}:314 sar tcp-tw: not a socket count: "99999999999999999999"; not used`,
    ]);
  });
});

describe('plain sar text (sar -n SOCK, sar -A)', () => {
  const TEXTS = ['sar-A-C.txt', 'sar-A-en_US.txt', 'sar-A-zh_CN.txt', 'sar-SOCK-de_DE.txt'];

  it.each(TEXTS)('%s: the header gives host and date, each line its time in the host zone; the same moments and values as sadf -d', async (f) => {
    const d = await collectSnapshots([ALL('sadf-d-A.txt')]);
    const r = await collectSnapshots([ALL(f)], { tz: 'Europe/Berlin' });
    expect(r.snapshots.map((s) => s.time)).toEqual(MOMENTS);
    expect(r.snapshots.map((s) => s.host)).toEqual(MOMENTS.map(() => 'vm'));
    expect(r.snapshots.map((s) => s.formats)).toEqual(MOMENTS.map(() => ['sar-sock', 'sar-sock6']));
    expect(r.snapshots.map((s) => s.values)).toEqual(d.snapshots.map((s) => s.values));
    expect(r.stats.skipped).toEqual([]);
    expect(r.stats.blocks).toBe(10);
  });

  it('sources point at the rows read; every other line of sar -A is outside', async () => {
    const r = await collectSnapshots([ALL('sar-A-en_US.txt')], { tz: 'Europe/Berlin' });
    // 02:43:14 PM: SOCK row at line 402, SOCK6 row at line 466.
    expect(r.snapshots[0]!.sources).toEqual([`${ALL('sar-A-en_US.txt')}:402`, `${ALL('sar-A-en_US.txt')}:466`]);
    const text = readFileSync(ALL('sar-A-en_US.txt'), 'utf8');
    const lines = text.split('\n').length - 1;
    const blank = text.split('\n').filter((l) => l.trim() === '').length - 1;
    expect(r.stats.lines).toBe(lines);
    // All but the report header, the two SOCK/SOCK6 headers and their ten rows.
    expect(r.stats.outsideLines).toBe(lines - blank - 13);
  });

  it('without --tz the host time is read as UTC, and each snapshot says so; an ambiguous MM/DD date says how it was read', async () => {
    const us = await collectSnapshots([ALL('sar-A-en_US.txt')]);
    expect(us.snapshots[0]!.time).toBe('2026-12-02T14:43:14Z');
    expect(us.snapshots[0]!.diagnostics.map((x) => [x.kind, x.message])).toEqual([
      ['time', "sar prints the host's local time with no zone: read as UTC (pass --tz ZONE to change); report date 12/02/2026 read as month/day/year (the C and en_US order sar prints)"],
    ]);
    const de = await collectSnapshots([ALL('sar-SOCK-de_DE.txt')]);
    expect(de.snapshots[0]!.diagnostics.map((x) => x.message)).toEqual(["sar prints the host's local time with no zone: read as UTC (pass --tz ZONE to change)"]);
  });

  it('sysstat test data of host partch (world): the clock passes midnight, the next day is the next date', async () => {
    const f = join(ROOT, 'test/fixtures/world/sysstat/tests/expected.data-ppc-11.7.2');
    const r = await collectSnapshots([f], { tz: 'UTC' }); // made with TZ=GMT
    expect(r.snapshots.map((s) => [s.host, s.time, s.source])).toEqual([
      ['partch', '2017-04-27T19:43:21Z', `${f}:104`],
      ['partch', '2017-04-28T00:03:37Z', `${f}:105`],
    ]);
    expect(r.snapshots[1]!.values).toEqual({ sockets_used: 219, tcp4_inuse: 16, udp4_inuse: 4, raw4_inuse: 0, frag4_inuse: 0, tcp_tw: 11 });
    expect(r.snapshots[1]!.diagnostics).toEqual([]);
  });

  it('live sar -n SOCK,SOCK6 1 25 (a header before every row) gives what sadf -d of the same data gives', async () => {
    const t = await collectSnapshots([samplePath('captures/sar/sar-text.txt')], { tz: 'UTC' });
    const d = await collectSnapshots([samplePath('captures/sar/sadf-d.txt')]);
    expect(t.snapshots).toHaveLength(25);
    expect(t.snapshots.map((s) => [s.time, s.values])).toEqual(d.snapshots.map((s) => [s.time, s.values]));
  });

  it('a sar report pasted before other captures ends where sar ends; the capture after it is read as usual', async () => {
    const f = join(tmp, 'ticket.txt');
    writeFileSync(f, readFileSync(ALL('sar-SOCK-de_DE.txt'), 'utf8') + '\n' + readFileSync(samplePath('kernel-6.18/idle/combined.txt'), 'utf8'));
    const r = await collectSnapshots([f], { tz: 'Europe/Berlin' });
    expect(r.snapshots.map((s) => s.formats)).toEqual([...MOMENTS.map(() => ['sar-sock', 'sar-sock6']), ['sockstat', 'sockstat6', 'ss']]);
    expect(r.snapshots[5]!.values.sockets_used).toBe(11);
  });

  it('a ragged sar row is a skip with its file:line', async () => {
    const lines = readFileSync(ALL('sar-SOCK-de_DE.txt'), 'utf8').split('\n');
    lines[5 - 1] = lines[5 - 1]!.replace(/\s+0\s*$/, ''); // 14:43:15: tcp-tw lost
    const f = join(tmp, 'sar-ragged.txt');
    writeFileSync(f, lines.join('\n'));
    const r = await collectSnapshots([f], { tz: 'Europe/Berlin' });
    expect(r.stats.skipped).toEqual([{ source: `${f}:5`, reason: 'sar -n SOCK: row has 8 field(s) where its header (line 3) has 9; not read', severity: 'error' }]);
    expect(r.snapshots.map((s) => [s.time, s.formats.length])).toEqual(MOMENTS.map((m, i) => [m, i === 1 ? 1 : 2]));
  });
});

describe('sadf -j recognized by content, whatever the name', () => {
  it('sadf -j over all activities in a .txt file: the SOCK and SOCK6 values of each moment, as sadf -d gives them', async () => {
    const d = await collectSnapshots([ALL('sadf-d-A.txt')]);
    const j = await collectSnapshots([ALL('sadf-j-A.txt')]);
    expect(j.snapshots.map((s) => [s.time, s.host, s.formats, s.values])).toEqual(d.snapshots.map((s) => [s.time, s.host, s.formats, s.values]));
    expect(j.stats.inputProblems).toEqual([]);
    expect(j.snapshots[0]!.source).toMatch(/sadf-j-A\.txt:\d+$/);
  });

  it('the same sadf -j named .txt, or on stdin, gives what the .json gives', async () => {
    const json = samplePath('captures/sar/sadf-j.json');
    const txt = join(tmp, 'sar-vm.txt');
    writeFileSync(txt, readFileSync(json));
    const a = await collectSnapshots([json]);
    const b = await collectSnapshots([txt]);
    const c = await collectSnapshots(['-'], { stdin: Readable.from([readFileSync(json)]) });
    const rows = (r: typeof a) => r.snapshots.map((s) => [s.time, s.values, s.source.replace(/^.*:/, '')]);
    expect(a.snapshots).toHaveLength(25);
    expect(rows(b)).toEqual(rows(a));
    expect(rows(c)).toEqual(rows(a));
  });

  it('sadf -j cut short is an input problem with its file:line, and the run goes on', async () => {
    const text = readFileSync(samplePath('captures/sar/sadf-j.json'), 'utf8');
    const cut = join(tmp, 'sadf-j-cut.log');
    writeFileSync(cut, text.slice(0, text.length >> 1));
    const r = await collectSnapshots([cut, ALL('sadf-d-A.txt')]);
    expect(r.stats.inputProblems).toHaveLength(1);
    expect(r.stats.inputProblems[0]!.source).toBe(`${cut}:1`);
    expect(r.stats.inputProblems[0]!.reason).toMatch(/^sadf -j: not valid JSON/);
    expect(r.snapshots).toHaveLength(5);
  });
});

describe('sar files of a sosreport', () => {
  it('sos_commands/sar/sarDD and var/log/sa/sarDD are read with the bundle host; binary saDD files are passed over', async () => {
    const sos = join(tmp, 'sos');
    cpSync(samplePath('captures/sosreport-node3'), sos, { recursive: true });
    const root = join(sos, readdirSync(sos).find((n) => n.startsWith('sosreport-'))!);
    mkdirSync(join(root, 'sos_commands/sar'), { recursive: true });
    mkdirSync(join(root, 'var/log/sa'), { recursive: true });
    cpSync(ALL('sar-A-C.txt'), join(root, 'sos_commands/sar/sar02'));
    cpSync(ALL('sar-SOCK-de_DE.txt'), join(root, 'var/log/sa/sar03'));
    writeFileSync(join(root, 'var/log/sa/sa02'), Buffer.from([0x96, 0xd5, 0x71, 0x21, 0, 0, 0, 1, 0, 0]));
    const r = await collectSnapshots([root], { tz: 'Europe/Berlin' });
    const sar = r.snapshots.filter((s) => s.formats.includes('sar-sock'));
    // Both files hold the same moments of one host: one row each (sar03's merge into sar02's, with a note).
    expect(sar.map((s) => [s.host, s.time, s.source.replace(/^.*\/sosreport-[^/]*\//, '')])).toEqual([
      ...MOMENTS.map((m, i) => ['node3', m, `sos_commands/sar/sar02:${402 + i}`]),
    ]);
    expect(r.stats.inputProblems.map((p) => [p.source.replace(/^.*\/sosreport-[^/]*\//, ''), p.reason.replace(/\S*\/sosreport-[^/]*\//, '')])).toEqual([
      ['var/log/sa/sar03', '5 snapshot(s) of moments already read from sos_commands/sar/sar02, with the same values: merged into those rows'],
    ]);
  });
});

describe('sar markers inside an activity', () => {
  it('a COM comment (sar -C) before a SOCK row does not end the activity', async () => {
    // sysstat's expected.data-12.0.0 (world) with its comment moved before the SOCK and SOCK6 rows.
    const lines = readFileSync(join(ROOT, 'test/fixtures/world/sysstat/tests/expected.data-12.0.0'), 'utf8').split('\n');
    for (const i of [137 - 1, 177 - 1]) [lines[i], lines[i + 1]] = [lines[i + 1]!, lines[i]!];
    const f = join(tmp, 'sar-com.txt');
    writeFileSync(f, lines.join('\n'));
    const r = await collectSnapshots([f], { tz: 'UTC' });
    expect(r.snapshots.map((s) => [s.time, s.sources.map((x) => x.replace(/^.*:/, ''))])).toEqual([['2019-06-30T05:39:34Z', ['138', '178']]]);
    expect(r.snapshots[0]!.values).toMatchObject({ sockets_used: 1200, tcp6_inuse: 3 });
  });
});
