/**
 * The snapshot record (src/normalize/record.ts), the one value every sink receives: filled
 * from a general-path Snapshot it gives back that snapshot and its values by column.
 */
import { describe, expect, it } from 'vitest';
import { ALL_FIELDS } from '../src/normalize/fields.js';
import { isoOfMs, SnapshotRecord } from '../src/normalize/record.js';
import { collectSnapshots } from '../src/pipeline.js';
import { SAMPLES } from './helpers.js';

describe('SnapshotRecord', () => {
  it('every sample snapshot: the columns hold its values (NaN where absent), the width ends at the last one, and snapshot() is the snapshot', async () => {
    const { snapshots } = await collectSnapshots([SAMPLES], { fast: false });
    expect(snapshots.length).toBeGreaterThan(500);
    const r = new SnapshotRecord();
    let wide = 0;
    for (const s of snapshots) {
      r.fill(s);
      expect(r.snapshot()).toBe(s);
      expect(r.source).toBe(s.source);
      expect(r.time).toBe(s.time);
      let last = 0;
      ALL_FIELDS.forEach((f, i) => {
        const v = s.values[f];
        expect(r.value(f)).toBe(v);
        if (v === undefined) expect(r.nums[i]).toBeNaN();
        else last = i + 1;
      });
      expect(r.width).toBe(last);
      if (last > 21) wide++;
    }
    expect(wide).toBeGreaterThan(0); // listings and counters give columns past the 21 of sockstat + ss -s
  }, 60_000);

  it('a time without its text is written from the ms, with milliseconds only when there are some', () => {
    expect(isoOfMs(Date.UTC(2026, 10, 25, 0, 44, 45))).toBe('2026-11-25T00:44:45Z');
    expect(isoOfMs(Date.UTC(2026, 10, 25, 0, 44, 45, 7))).toBe('2026-11-25T00:44:45.007Z');
    const r = SnapshotRecord.of({ source: 'a.log:3', sources: [], formats: [], values: {}, otherKeys: {}, diagnostics: [] });
    expect(r.time).toBeUndefined();
    expect(Number.isNaN(r.timeMs)).toBe(true);
  });
});
