import { describe, expect, it } from 'vitest';
import { ALL_FIELDS } from '../src/normalize/fields.js';
import { collectSnapshots } from '../src/pipeline.js';
import { buildSeries } from '../src/series/series.js';
import { samplePath } from './helpers.js';

describe('columnar series store', () => {
  it('gives back every value, time and source of the snapshots, time-ordered, untimed last', async () => {
    const { snapshots } = await collectSnapshots([samplePath('kernel-6.18/timewait-storm')]);
    const series = buildSeries(snapshots);
    expect(series).toHaveLength(1);
    const s = series[0]!;
    expect(s.length).toBe(snapshots.length);
    const timed = snapshots.filter((x) => x.timeMs !== undefined).sort((a, b) => a.timeMs! - b.timeMs!);
    for (let i = 0; i < timed.length; i++) {
      // same moment from date/iso/epoch timelines: compare the multiset by source
      const src = s.source(i);
      const orig = snapshots.find((x) => x.source === src)!;
      expect(s.time(i)).toBe(orig.time);
      for (const f of ALL_FIELDS) expect([f, s.value(i, f)]).toEqual([f, orig.values[f]]);
      if (i > 0) expect(s.times[i]!).toBeGreaterThanOrEqual(s.times[i - 1]!);
    }
    // combined.txt and snmp.txt have no time: they come last
    expect(s.time(s.length - 1)).toBeUndefined();
    expect(s.source(s.length - 1)).toMatch(/(combined|snmp)\.txt:1$/);
  });

  it('holds 8 bytes per snapshot for time, 4 + 4 for the source, 8 per field seen, and one shared column for the fields never seen', async () => {
    const { snapshots } = await collectSnapshots([samplePath('kernel-6.18/idle/timeline-date.log')]);
    const s = buildSeries(snapshots)[0]!;
    const seen = ALL_FIELDS.filter((f) => snapshots.some((x) => x.values[f] !== undefined)).length;
    expect(seen).toBe(21); // sockstat + sockstat6 + ss -s
    expect(s.storeBytes).toBe(s.length * (8 + 4 + 4 + 8 * 21 + 8));
    expect(s.sparseEntries).toBe(0);
  });

  it('keeps fraction digits beyond milliseconds, diagnostics and listings', async () => {
    const { Readable } = await import('node:stream');
    const { readFileSync } = await import('node:fs');
    const text = `2026-11-25T00:55:46,123456789+00:00\n${readFileSync(samplePath('kernel-6.18/idle/combined.txt'), 'utf8')}`;
    const { snapshots } = await collectSnapshots(['-'], { stdin: Readable.from([text]) });
    const s = buildSeries(snapshots)[0]!;
    expect(s.time(0)).toBe('2026-11-25T00:55:46.123456789Z');
    const lc = await collectSnapshots([samplePath('captures/leak-closewait/timeline-date.log')]);
    const l = buildSeries(lc.snapshots)[0]!;
    expect(l.listing(l.length - 1)!.lsofUnhashed).toBe(900);
    const race = await collectSnapshots([samplePath('kernel-6.18/timewait-storm/timeline-date.log')]);
    const r = buildSeries(race.snapshots)[0]!;
    const withDiag = race.snapshots.findIndex((x) => x.diagnostics.length > 0);
    expect(r.diagnostics(withDiag)).toEqual(race.snapshots[withDiag]!.diagnostics);
  });
});
