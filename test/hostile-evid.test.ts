import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze } from '../src/analyze.js';
import { SeriesBuilder } from '../src/series/series.js';
import type { Snapshot } from '../src/normalize/types.js';
import { SnapshotRecord } from '../src/normalize/record.js';
import { samplePath } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'sockscope-h18-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('issue 18: memory and rules that fail at run time', () => {
  it('6a: a host with one row holds columns for a few rows, not 4,096 (20,000 such hosts were 4.9 GB)', () => {
    const b = new SeriesBuilder(1 << 20);
    const snap = (host: string): Snapshot => ({
      host, source: `f:1`, sources: ['f:1'], formats: ['sockstat'], values: { sockets_used: 1, tcp_alloc: 1 }, otherKeys: {}, diagnostics: [],
      time: '2026-11-25T00:00:00Z', timeMs: Date.UTC(2026, 10, 25),
    });
    for (let i = 0; i < 2000; i++) b.add(SnapshotRecord.of(snap(`h${i}`)));
    const series = b.build();
    expect(series.length).toBe(2000);
    // The first group is sized from the input; every later one starts at 16 rows and doubles with use.
    const held = series.slice(1).reduce((n, s) => n + s.times.buffer.byteLength + s.col('tcp_alloc').buffer.byteLength, 0);
    expect(held).toBeLessThanOrEqual(1999 * 2 * 16 * 8);
  });

  it('14: a rule lint accepts but whose types fail on the data is a reported problem naming its file; the other rules still report', async () => {
    const dir = join(tmp, 'rules');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'bad-types.yaml'),
      [
        'id: bad-types',
        'title: compares a number with a text',
        'severity: warning',
        'scope: snapshot',
        'when: tcp_unhashed > mismatch_fields',
        'message: x',
        'explain: x',
        'remediation: x',
        '',
      ].join('\n'),
    );
    const r = await analyze([samplePath('kernel-6.18/unconnected-leak/combined.txt')], { rulesDirs: [dir] });
    expect(r.inputs.problems).toEqual([
      { source: join(dir, 'bad-types.yaml'), reason: expect.stringMatching(/^rule bad-types failed on .*: cannot apply ">" to number and string \(character 13 of an expression\); its findings are left out$/), severity: 'error' },
    ]);
    expect(r.findings.map((f) => f.rule)).toContain('tcp-unhashed-sockets');
    expect(r.findings.map((f) => f.rule)).not.toContain('bad-types');
  });
});
