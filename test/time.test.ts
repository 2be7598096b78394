import { isProblem } from '../src/parse/problem.js';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers.js';
import { parseFilenameTime, parseTimestampLine, type Timestamp } from '../src/parse/time.js';

const ok = (line: string, tz?: string): Timestamp => {
  const r = parseTimestampLine(line, tz ? { tz } : {});
  if (!r || isProblem(r)) throw new Error(`not parsed: ${line}: ${JSON.stringify(r)}`);
  return r as Timestamp;
};

describe('timestamp lines', () => {
  it('date (C locale) with UTC, as the real timelines print it', () => {
    expect(ok('Wed Nov 25 00:55:46 UTC 2026').iso).toBe('2026-11-25T00:55:46Z');
    expect(ok('Wed Nov 25 00:55:46 UTC 2026').ms).toBe(1795568146000);
  });
  it('date with GMT and a space-padded day', () => {
    expect(ok('Thu Nov  5 09:01:02 GMT 2026').iso).toBe('2026-11-05T09:01:02Z');
  });
  it('date with a numeric zone (TZ without abbreviation prints +03)', () => {
    expect(ok('Wed Nov 25 03:55:46 +03 2026').iso).toBe('2026-11-25T00:55:46Z');
    expect(ok('Wed Nov 25 06:25:46 +0530 2026').iso).toBe('2026-11-25T00:55:46Z');
  });
  it('an unknown abbreviation without --tz is an error, never a guess', () => {
    const r = parseTimestampLine('Wed Nov 25 01:55:46 CET 2026');
    expect(r).toMatchObject({ severity: 'error', source: '' });
    expect((r as { reason: string }).reason).toMatch(/CET.*--tz/);
  });
  it('an abbreviation with --tz is read in that zone (winter and summer time)', () => {
    expect(ok('Wed Nov 25 01:55:46 CET 2026', 'Europe/Berlin').iso).toBe('2026-11-25T00:55:46Z');
    expect(ok('Sat Jul 25 02:55:46 CEST 2026', 'Europe/Berlin').iso).toBe('2026-07-25T00:55:46Z');
    expect(ok('Tue Nov 24 19:55:46 EST 2026', 'America/New_York').iso).toBe('2026-11-25T00:55:46Z');
  });
  it('date -Is as in timeline-iso.log, and -Ins with a comma fraction', () => {
    expect(ok('2026-11-25T00:55:46+00:00').iso).toBe('2026-11-25T00:55:46Z');
    const ns = ok('2026-11-25T01:55:46,123456789+01:00');
    expect(ns.iso).toBe('2026-11-25T00:55:46.123456789Z');
    expect(ns.ms).toBe(1795568146123);
  });
  it('RFC 3339 with Z and a fraction, and with a space', () => {
    expect(ok('2026-11-25T00:55:46.5Z').iso).toBe('2026-11-25T00:55:46.5Z');
    expect(ok('2026-11-25 00:55:46-05:00').iso).toBe('2026-11-25T05:55:46Z');
  });
  it('date -R', () => {
    expect(ok('Wed, 25 Nov 2026 01:55:46 +0100').iso).toBe('2026-11-25T00:55:46Z');
  });
  it('epoch seconds as in timeline-epoch.log, and milliseconds', () => {
    expect(ok('1795568146').iso).toBe('2026-11-25T00:55:46Z');
    expect(ok('1795568146191').ms).toBe(1795568146191);
    expect(ok('1795568146191').iso).toBe('2026-11-25T00:55:46.191Z');
  });
  it('banner lines', () => {
    expect(ok('==== 2026-11-25 00:35:57 ====').ms).toBe(Date.UTC(2026, 10, 25, 0, 35, 57));
    expect(ok('### Wed Nov 25 00:55:46 UTC 2026 ###').iso).toBe('2026-11-25T00:55:46Z');
    expect(ok('--- 1795568146 ---').iso).toBe('2026-11-25T00:55:46Z');
  });
  it('a time without a zone is read as UTC with a note, or in --tz', () => {
    const t = ok('2026-11-25 00:35:57');
    expect(t.iso).toBe('2026-11-25T00:35:57Z');
    expect(t.note).toMatch(/no time zone/);
    expect(ok('2026-11-25 01:35:57', 'Europe/Berlin').iso).toBe('2026-11-25T00:35:57Z');
  });
  it('capture lines are not timestamps', () => {
    for (const l of ['sockets: used 11', 'TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 210', 'Total: 11', '---', 'RAW\t  0         0         0', '12', 'Tcp: 1 200 120000 -1 11880']) {
      expect(parseTimestampLine(l)).toBeUndefined();
    }
  });
});

describe('timestamps in file names', () => {
  it('snap.sh per-minute names', () => {
    const t = parseFilenameTime('2026-11-25T00-44-45Z.sockstat') as Timestamp;
    expect(t.iso).toBe('2026-11-25T00:44:45Z');
    expect((parseFilenameTime('2026-11-25T00-44-45Z.ss-s') as Timestamp).ms).toBe(t.ms);
  });
  it('compact names', () => {
    expect((parseFilenameTime('sockstat-20261125T004445Z.txt') as Timestamp).iso).toBe('2026-11-25T00:44:45Z');
  });
  it('names without a time', () => {
    expect(parseFilenameTime('timeline-date.log')).toBeUndefined();
    expect(parseFilenameTime('sosreport-vm-2026-11-25-corpus')).toBeUndefined();
  });
});

describe('daylight-saving changes and impossible times (issue 18 items 13, 17)', () => {
  const berlin = { tz: 'Europe/Berlin' };
  it('fall-back: the printed abbreviation picks the instant (02:00 CEST is 00:00Z, 02:00 CET is 01:00Z)', () => {
    expect(parseTimestampLine('Sun Oct 25 02:00:00 CEST 2026', berlin)).toEqual({ ms: Date.UTC(2026, 9, 25, 0), iso: '2026-10-25T00:00:00Z' });
    expect(parseTimestampLine('Sun Oct 25 02:00:00 CET 2026', berlin)).toEqual({ ms: Date.UTC(2026, 9, 25, 1), iso: '2026-10-25T01:00:00Z' });
    expect(parseTimestampLine('Sun Oct 25 02:30:00 CEST 2026', berlin)).toEqual({ ms: Date.UTC(2026, 9, 25, 0, 30), iso: '2026-10-25T00:30:00Z' });
  });
  it('a zone-less time that is ambiguous or does not exist in --tz is read with a note saying so', () => {
    const amb = parseTimestampLine('2026-10-25 02:30:00', berlin) as { ms: number; note: string };
    expect(amb.ms).toBe(Date.UTC(2026, 9, 25, 0, 30));
    expect(amb.note).toBe('"2026-10-25 02:30:00" is ambiguous in Europe/Berlin (a daylight-saving change: +02:00 or +01:00); read as the first, +02:00');
    const gap = parseTimestampLine('2026-03-29 02:30:00', berlin) as { ms: number; note: string };
    expect(gap.ms).toBe(Date.UTC(2026, 2, 29, 1, 30));
    expect(gap.note).toBe('"2026-03-29 02:30:00" does not exist in Europe/Berlin (the clock skipped it at a daylight-saving change); read with the offset before it, +01:00');
    expect(parseTimestampLine('2026-11-25 02:30:00', berlin)).toEqual({ ms: Date.UTC(2026, 10, 25, 1, 30), iso: '2026-11-25T01:30:00Z' });
  });
  it('impossible dates and offsets are errors, never a silent change', () => {
    expect(parseTimestampLine('2026-02-30T10:00:00Z')).toEqual({ source: '', reason: 'no such date: "2026-02-30T10:00:00Z"', severity: 'error' });
    expect(parseTimestampLine('Mon Feb 30 10:00:00 UTC 2026')).toEqual({ source: '', reason: 'no such date: "Mon Feb 30 10:00:00 UTC 2026"', severity: 'error' });
    expect(parseTimestampLine('2024-02-29T10:00:00Z')).toEqual({ ms: Date.UTC(2024, 1, 29, 10), iso: '2024-02-29T10:00:00Z' });
    expect(parseTimestampLine('2026-11-25T10:00:00+99:99')).toEqual({ source: '', reason: 'zone offset out of range in "2026-11-25T10:00:00+99:99"', severity: 'error' });
  });
});

describe('`date` in other locales (test/fixtures/locale-dates: real glibc output in 30 locales)', () => {
  const rows = readFileSync(join(ROOT, 'test/fixtures/locale-dates/dates.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t') as [string, string, string, string]);

  it('each line is the moment it was printed for, in its zone; id_ID (12-hour clock with no AM/PM) is an error, never a wrong hour', () => {
    expect(rows.length).toBe(180);
    const wrong: string[] = [];
    for (const [locale, epoch, tz, out] of rows) {
      const r = parseTimestampLine(out, { tz });
      if (locale === 'id_ID') {
        if (!r || !(isProblem(r))) wrong.push(`${locale} ${out}: ${JSON.stringify(r)}`);
      } else if (!r || isProblem(r) || r.ms !== Number(epoch) * 1000) wrong.push(`${locale} ${tz} ${out}: ${JSON.stringify(r)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('en_US, de_DE and zh_CN start the blocks of a capture loop, with their time', async () => {
    const { Readable } = await import('node:stream');
    const { collectSnapshots } = await import('../src/pipeline.js');
    const out = (l: string) => rows.find(([loc, e, tz]) => loc === l && e === '1795580270' && tz === 'UTC')![3];
    const sockstat = 'sockets: used 11\nTCP: inuse 1 orphan 0 tw 0 alloc 1 mem 0\n';
    const text = ['en_US', 'de_DE', 'zh_CN'].map((l) => `${out(l)}\n${sockstat}`).join('');
    const r = await collectSnapshots(['-'], { stdin: Readable.from([text]) });
    expect(r.snapshots.map((s) => s.time)).toEqual(['2026-11-25T04:17:50Z', '2026-11-25T04:17:50Z', '2026-11-25T04:17:50Z']);
    expect(r.stats.outsideLines).toBe(0);
  });
});
