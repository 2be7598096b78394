/**
 * Times a bundle prints in its local zone (issue 13 §1): the zone is taken from
 * the bundle where it says, and what cannot be placed is counted in the summary.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectSnapshots } from '../src/pipeline.js';
import { parsePosixTz, posixWallToUtc, tzRuleFromTzif, wallInZone, zoneFromDates, zoneNameIn, zonesFromTzif } from '../src/parse/time.js';
import { samplePath } from './helpers.js';

const BERLIN = '/usr/share/zoneinfo/Europe/Berlin';

/** The node3 sosreport (samples/captures/sosreport-node3) with its date as a machine in Berlin prints it. */
function cetBundle(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'sockscope-zone-')), 'sosreport-node3-2026-11-25');
  cpSync(samplePath('captures/sosreport-node3/sosreport-node3-2026-11-25'), dir, { recursive: true });
  rmSync(join(dir, 'date'));
  // `date` itself renders the bundle's moment (04:17:50Z) in Europe/Berlin, as sos would have kept it.
  const local = spawnSync('date', ['-d', '@1795580270'], { env: { ...process.env, TZ: 'Europe/Berlin', LC_ALL: 'C' }, encoding: 'utf8' }).stdout;
  expect(local).toBe('Wed Nov 25 05:17:50 CET 2026\n');
  writeFileSync(join(dir, 'sos_commands/date/date'), local);
  return dir;
}

describe('the zone a bundle is in', () => {
  it('timedatectl, sysconfig and etc/timezone name it', () => {
    // As printed by timedatectl (quoted in a public course's notes).
    expect(zoneNameIn('                Time zone: Europe/Paris (CET, +0100)\n')).toBe('Europe/Paris');
    expect(zoneNameIn('TIMEZONE="Europe/Berlin"\n')).toBe('Europe/Berlin');
    expect(zoneNameIn('Europe/Berlin\n')).toBe('Europe/Berlin');
    expect(zoneNameIn('Time zone: Nowhere/Atlantis (XYZ, +0100)')).toBeUndefined();
  });

  it.skipIf(!existsSync(BERLIN))('etc/localtime (this machine\'s tzdata file for Europe/Berlin) gives CET and CEST', () => {
    expect(zonesFromTzif(readFileSync(BERLIN, 'latin1'))).toEqual({ CET: 60, CEST: 120 });
  });

  it('date against date --utc gives the abbreviation\'s offset', () => {
    expect(zoneFromDates('Wed Nov 25 05:17:50 CET 2026\n', 'Wed Nov 25 04:17:50 UTC 2026\n')).toEqual({ CET: 60 });
  });

  it('a sosreport whose date is in CET: without a zone the time is dropped and the summary says so; etc/localtime or timedatectl place it', async () => {
    const dir = cetBundle();
    const without = await collectSnapshots([dir]);
    expect(without.snapshots.every((s) => s.time === undefined)).toBe(true);
    expect(without.stats.inputProblems.filter((p) => /timestamp\(s\) ignored/.test(p.reason)).length).toBeGreaterThan(0);
    expect(without.stats.inputProblems.find((p) => /timestamp\(s\) ignored/.test(p.reason))!.reason).toMatch(/^1 timestamp\(s\) ignored, their snapshots have no time: time zone "CET"/);

    mkdirSync(join(dir, 'sos_commands/systemd'), { recursive: true });
    writeFileSync(join(dir, 'sos_commands/systemd/timedatectl'), '               Local time: Wed 2026-11-25 05:17:50 CET\n                Time zone: Europe/Berlin (CET, +0100)\n');
    const named = await collectSnapshots([dir]);
    expect(named.snapshots.map((s) => [s.time, s.formats.join('+')])).toEqual([['2026-11-25T04:17:50Z', 'sockstat+sockstat6+ss+snmp']]);

    if (existsSync(BERLIN)) {
      rmSync(join(dir, 'sos_commands/systemd'), { recursive: true });
      mkdirSync(join(dir, 'etc'));
      cpSync(BERLIN, join(dir, 'etc/localtime'));
      const tzif = await collectSnapshots([dir]);
      expect(tzif.snapshots.map((s) => s.time)).toEqual(['2026-11-25T04:17:50Z']);
    }
  });
});

describe('POSIX TZ rules (a bundle\'s etc/localtime footer), for zone-less times', () => {
  const RULES: [string, string][] = [
    ['EST5EDT,M3.2.0,M11.1.0', 'America/New_York'],
    ['CET-1CEST,M3.5.0,M10.5.0/3', 'Europe/Berlin'],
    ['AEST-10AEDT,M10.1.0,M4.1.0/3', 'Australia/Sydney'],
    ['<+0330>-3:30', 'Asia/Tehran'],
    ['JST-9', 'Asia/Tokyo'],
  ];

  it('parses offsets (written west of UTC) and the transition rules', () => {
    expect(parsePosixTz('EST5EDT,M3.2.0,M11.1.0')).toEqual({
      std: 'EST', stdOff: -300,
      dst: { name: 'EDT', off: -240, start: { kind: 'M', m: 3, w: 2, d: 0, t: 7200 }, end: { kind: 'M', m: 11, w: 1, d: 0, t: 7200 } },
    });
    expect(parsePosixTz('<+0330>-3:30')).toEqual({ std: '+0330', stdOff: 210 });
    expect(parsePosixTz('Europe/Berlin')).toBeUndefined();
  });

  it('gives the instant Intl gives for the zone, at every hour of 2026 outside the repeated and skipped hours', () => {
    for (const [rule, iana] of RULES) {
      const tz = parsePosixTz(rule)!;
      let checked = 0;
      for (let h = 0; h < 365 * 24; h++) {
        const wall = Date.UTC(2026, 0, 1) + h * 3600000 + 30 * 60000;
        const r = posixWallToUtc(tz, wall);
        if (r.note) continue;
        expect([rule, new Date(wall).toISOString(), new Date(r.ms).toISOString()]).toEqual([rule, new Date(wall).toISOString(), new Date(wallInZone(wall, iana)).toISOString()]);
        checked++;
      }
      expect(checked).toBeGreaterThanOrEqual(365 * 24 - 2);
    }
  });

  it('the hour repeated when daylight time ends is read as daylight time, a skipped hour with the offset before it, each with a note', () => {
    const us = parsePosixTz('EST5EDT,M3.2.0,M11.1.0')!;
    // 2026-11-01 01:30 happens twice in New York (EDT, then EST); 2026-03-08 02:30 never does.
    const back = posixWallToUtc(us, Date.UTC(2026, 10, 1, 1, 30));
    expect([new Date(back.ms).toISOString(), back.note]).toEqual(['2026-11-01T05:30:00.000Z', 'the hour repeated when EDT ends: read as EDT (-04:00)']);
    const gap = posixWallToUtc(us, Date.UTC(2026, 2, 8, 2, 30));
    expect([new Date(gap.ms).toISOString(), gap.note]).toEqual(['2026-03-08T07:30:00.000Z', 'a time skipped when EDT starts: read as EST (-05:00)']);
  });

  it.skipIf(!existsSync(BERLIN))('the rule is the footer of a real TZif file (this machine\'s tzdata for Europe/Berlin)', () => {
    expect(tzRuleFromTzif(readFileSync(BERLIN, 'latin1'))).toBe('CET-1CEST,M3.5.0,M10.5.0/3');
  });
});
