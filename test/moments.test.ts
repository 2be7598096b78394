import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectSnapshots } from '../src/pipeline.js';
import { sample, samplePath } from './helpers.js';
import { NUMERIC_FIELDS } from '../src/normalize/fields.js';
import { MomentIndex, type MomentCheck } from '../src/normalize/moments.js';
import type { Diagnostic } from '../src/normalize/types.js';

describe('one row per (host, moment) across files', () => {
  it('unconnected-leak/: three loops at the same seconds give one row per moment; agreeing repeats merge with a note, others are reported', async () => {
    const dir = samplePath('kernel-6.18/unconnected-leak');
    const { snapshots, stats } = await collectSnapshots([dir]);
    const timed = snapshots.filter((s) => s.time !== undefined);
    // One moment (00:56:00) is missing from the date log: the epoch loop's sockstat and the iso loop's ss -s
    // agree, and the second adds tcp_estab, so it stays a row of its own (said in a note); every other moment has one row.
    const twice = timed.filter((s) => timed.filter((x) => x.time === s.time).length > 1).map((s) => [s.time, s.formats.join('+')]);
    expect(twice).toEqual([['2026-11-25T00:56:00Z', 'sockstat+sockstat6'], ['2026-11-25T00:56:00Z', 'ss']]);
    expect(snapshots).toHaveLength(40); // was 110: 36 moments of the date log, 00:56:00 twice, combined.txt and snmp.txt (no time)
    expect(stats.duplicates).toBe(46);
    expect(stats.inputProblems).toEqual([
      { source: `${dir}/timeline-epoch.log`, reason: `26 snapshot(s) of moments already read from ${dir}/timeline-date.log, with the same values: merged into those rows`, severity: 'warning' },
      { source: `${dir}/timeline-iso.log`, reason: `20 snapshot(s) of moments already read from ${dir}/timeline-date.log, with the same values: merged into those rows`, severity: 'warning' },
      { source: `${dir}/timeline-iso.log`, reason: `1 snapshot(s) of moments already read from ${dir}/timeline-epoch.log agree with those rows and add tcp_estab: kept as rows of their own (a row is written when it is read)`, severity: 'warning' },
    ]);
    // A repeat whose values differ (the loops read the growing leak a few ms apart) is reported with both values.
    expect(stats.skipped).toHaveLength(24);
    expect(stats.skipped[0]).toEqual({
      source: `${dir}/timeline-epoch.log:181`,
      reason: `the same host and moment as ${dir}/timeline-date.log:309, with other values (sockets_used 611 there, 661 here, tcp_alloc 601 there, 651 here); one row per host and moment: the first is kept`,
      severity: 'error',
    });
    expect(stats.blocks).toBe(stats.blocksInSnapshots + stats.skipped.length);
  });

  it('sadf -d beside sadf -j of the same data: 25 moments, not 50', async () => {
    const dir = samplePath('captures/sar');
    const { snapshots, stats } = await collectSnapshots([dir]);
    expect(snapshots).toHaveLength(25);
    expect(stats.skipped).toEqual([]);
    expect(stats.inputProblems.map((p) => p.reason)).toContain(`25 snapshot(s) of moments already read from ${dir}/sadf-d.txt, with the same values: merged into those rows`);
  });
});

describe('loose per-command files of one moment', () => {
  it('date, sockstat, sockstat6, ss-s, ss-tanp and lsof-nP in one directory are one snapshot at the date file time, listings joined', async () => {
    // The last block of a real capture loop, cut into the files a person would save by hand.
    const log = sample('captures/leak-closewait/timeline-date.log').split('\n');
    const starts = log.map((l, i) => (/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) /.test(l) ? i : -1)).filter((i) => i >= 0);
    const from = starts[starts.length - 1]!;
    const block = log.slice(from).filter((l, i, a) => i < a.length - 1 || l !== '');
    const at = (re: RegExp) => block.findIndex((l) => re.test(l));
    const ssAt = at(/^Total:/);
    const tanpAt = at(/^State\s+Recv-Q/);
    const lsofAt = at(/^COMMAND\s+PID/);
    const dir = mkdtempSync(join(tmpdir(), 'sockscope-loose-'));
    const put = (name: string, lines: string[]) => writeFileSync(join(dir, name), lines.join('\n') + '\n');
    put('date', block.slice(0, 1));
    put('sockstat', block.slice(1, 7));
    put('sockstat6', block.slice(7, ssAt));
    put('ss-s', block.slice(ssAt, tanpAt));
    put('ss-tanp', block.slice(tanpAt, lsofAt));
    put('lsof-nP', block.slice(lsofAt));
    const { snapshots, stats } = await collectSnapshots([dir]);
    const whole = (await collectSnapshots([samplePath('captures/leak-closewait/timeline-date.log')])).snapshots.at(-1)!;
    expect(stats.skipped).toEqual([]);
    expect(snapshots).toHaveLength(1);
    const s = snapshots[0]!;
    expect(s.time).toBe(whole.time);
    expect(s.formats).toEqual(['sockstat', 'sockstat6', 'ss', 'listing']);
    expect(s.values).toEqual(whole.values);
    expect(s.values.list_close_wait).toBe(400);
    expect(s.values.lsof_unhashed).toBe(900);
    expect(s.listing!.states).toEqual(whole.listing!.states);
  });
});

describe('timestamps that cannot be placed in time are counted in the summary', () => {
  it('CET without --tz: the run says how many were ignored and why', async () => {
    const p = join(mkdtempSync(join(tmpdir(), 'sockscope-cet-')), 'cet.log');
    const body = sample('kernel-6.18/idle/combined.txt');
    writeFileSync(p, `Wed Nov 25 01:55:46 CET 2026\n${body}Wed Nov 25 01:55:47 CET 2026\n${body}`);
    const { snapshots, stats } = await collectSnapshots([p]);
    expect(snapshots.map((s) => s.time)).toEqual([undefined, undefined]);
    expect(stats.inputProblems).toEqual([
      {
        source: p,
        reason: '2 timestamp(s) ignored, their snapshots have no time: time zone "CET" in "Wed Nov 25 01:55:46 CET 2026" is not UTC/GMT or a numeric offset; pass --tz ZONE (e.g. --tz Europe/Berlin) to read it (the first; each snapshot has its own diagnostic)',
        severity: 'warning',
      },
    ]);
  });
});

describe('MomentIndex keeps each value exactly (its values are coded as differences)', () => {
  // The index as it was when it kept every value as a float64: the reference the coded one must equal.
  const N = NUMERIC_FIELDS.length;
  const DERIVED = new Set([NUMERIC_FIELDS.indexOf('tcp_closed'), NUMERIC_FIELDS.indexOf('tcp_unhashed')]);
  class Reference {
    private byHost = new Map<string, { file: string; rows: Map<number, { vals: number[]; line: number; alt: Map<number, number[]> }> }[]>();
    check(host: string | undefined, ns: string | undefined, ms: number, vals: ArrayLike<number | undefined>, file: string, line: number, diagnostics?: readonly Diagnostic[]): MomentCheck {
      const hk = host === undefined && ns === undefined ? '' : `${host ?? ''}\u0000${ns ?? ''}`;
      let files = this.byHost.get(hk);
      if (!files) this.byHost.set(hk, (files = []));
      let cur = files[files.length - 1];
      if (!cur || cur.file !== file) files.push((cur = { file, rows: new Map() }));
      for (const prev of files.slice(0, -1)) {
        const r = prev.rows.get(ms);
        if (!r) continue;
        const diffs: string[] = [];
        const adds: string[] = [];
        for (let k = 0; k < N; k++) {
          const a = r.vals[k]!;
          const b = vals[k] ?? NaN;
          if (Number.isNaN(b)) continue;
          if (Number.isNaN(a)) adds.push(NUMERIC_FIELDS[k]!);
          else if (a !== b && !DERIVED.has(k) && !r.alt.get(k)?.includes(b)) diffs.push(`${NUMERIC_FIELDS[k]} ${a} there, ${b} here`);
        }
        const first = `${prev.file}:${r.line}`;
        if (diffs.length > 0) return { conflict: diffs.join(', '), first };
        if (adds.length > 0) return { adds: adds.join(', '), first };
        return { agree: first };
      }
      if (cur.rows.has(ms)) return undefined; // a file's own repeats are the segmenter's business; the first is found
      const alt = new Map<number, number[]>();
      for (const d of diagnostics ?? []) {
        const k = d.kind === 'disagree' && d.field !== undefined ? NUMERIC_FIELDS.indexOf(d.field as never) : -1;
        if (k >= 0 && d.other !== undefined) alt.set(k, [...(alt.get(k) ?? []), d.other]);
      }
      cur.rows.set(ms, { vals: Array.from({ length: N }, (_, k) => vals[k] ?? NaN), line, alt });
      return undefined;
    }
  }

  it('agrees with the float64 reference on random files: absent values, fractions, -0, values past 2^53, big jumps, times out of order', () => {
    let seed = 7;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
    const odd = [NaN, 0, -0, 0.5, -3, 2 ** 53 + 2, 2 ** 40, -(2 ** 40) - 1, 2 ** 41 + 7, 1e300, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 127, 128, 16383, 16384];
    const index = new MomentIndex();
    const ref = new Reference();
    const out: [MomentCheck, MomentCheck][] = [];
    const base = Array.from({ length: N }, () => Math.floor(rnd() * 1000));
    for (let f = 0; f < 6; f++) {
      const host = pick([undefined, 'a', 'b']);
      const file = `f${f}`;
      const used = new Set<number>();
      for (let r = 0; r < 300; r++) {
        // Moments of a few minutes, so later files hit earlier ones; each file gives a moment once, in or out of order.
        let ms = (f % 2 === 0 ? r : Math.floor(rnd() * 400)) * 60000;
        if (used.has(ms)) continue;
        used.add(ms);
        // The moment's true values (the same in every file), some absent here, now and then one read differently.
        const m = ms / 60000;
        const vals: (number | undefined)[] = base.map((v, k) => ((m * 31 + k * 17) % 23 === 0 ? odd[(m + k) % odd.length] : v + ((m * 7 + k * 3) % 11) * (k === 4 && m % 9 === 0 ? 100000 : 1)));
        if (rnd() < 0.2) vals[Math.floor(rnd() * N)] = undefined;
        if (rnd() < 0.3) vals[Math.floor(rnd() * N)] = pick(odd);
        const diagnostics: Diagnostic[] = rnd() < 0.1 ? [{ kind: 'disagree', source: 'x:1', message: '', field: NUMERIC_FIELDS[Math.floor(rnd() * N)]!, other: base[0]! + 1 }] : [];
        const line = r * 22 + 1;
        out.push([index.check(host, undefined, ms, vals, file, line, diagnostics), ref.check(host, undefined, ms, vals, file, line, diagnostics)]);
        ms = 0;
      }
    }
    for (const [got, want] of out) expect(got).toEqual(want);
    const kinds = (k: string) => out.filter(([, w]) => w !== undefined && k in w).length;
    expect(kinds('agree')).toBeGreaterThan(10);
    expect(kinds('adds')).toBeGreaterThan(10);
    expect(kinds('conflict')).toBeGreaterThan(100);
  });
});

describe('MomentIndex.last: the file no later file compares with', () => {
  it('is checked against the files before it, gives the same answers as when indexed, and is not kept', () => {
    const v = [1, 2, 3];
    const general = new MomentIndex(3);
    const lastKnown = new MomentIndex(3);
    lastKnown.last = 'b';
    for (const m of [general, lastKnown]) {
      expect(m.check('h', undefined, 1000, v, 'a', 1)).toBeUndefined();
      expect(m.check('h', undefined, 2000, v, 'a', 2)).toBeUndefined();
    }
    const answers = (m: MomentIndex) => [
      m.check('h', undefined, 1000, v, 'b', 5),
      m.check('h', undefined, 2000, [1, 9, 3], 'b', 6),
      m.check('h', undefined, 3000, v, 'b', 7),
      m.check('h', undefined, 4000, v, 'b', 8),
      m.check('h', undefined, 5000, v, 'b', 9),
    ];
    const want = answers(general);
    expect(answers(lastKnown)).toEqual(want);
    expect(want[0]).toEqual({ agree: 'a:1' });
    expect(want[1]).toMatchObject({ first: 'a:2' });
    // The general index kept b's new moments until its bound (one of 3000..5000 fitted, two did not); the last file keeps none.
    expect(general.unindexed).toEqual(new Map([['b', 2]]));
    expect(lastKnown.unindexed).toEqual(new Map());
  });
});
