import { describe, expect, it } from 'vitest';
import { analyze } from '../src/analyze.js';
import { sparkline } from '../src/report/sparkline.js';
import { samplePath } from './helpers.js';

describe('sparklines', () => {
  it('scales to the series range, keeps peaks when bucketing, leaves absent as a gap', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7]).line).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([5, 5, 5]).line).toBe('▁▁▁');
    expect(sparkline([0, NaN, 7]).line).toBe('▁ █');
    const wide = Array.from({ length: 400 }, (_, i) => (i === 201 ? 100 : 0));
    const s = sparkline(wide, 40);
    expect(s.line).toHaveLength(40);
    expect(s.line[20]).toBe('█');
    expect(s).toMatchObject({ first: 0, min: 0, max: 100, last: 0 });
  });

  it('the unconnected-leak host: unhashed climbs, hashed stays flat', async () => {
    const r = await analyze([samplePath('kernel-6.18/unconnected-leak/timeline-date.log')]);
    const sp = r.hosts[0]!.sparklines;
    expect(sp.tcp_unhashed).toMatchObject({ first: 0, max: 1500, last: 1500 });
    expect(sp.tcp_unhashed!.line.startsWith('▁▁▁')).toBe(true);
    expect(sp.tcp_unhashed!.line.endsWith('███')).toBe(true);
    expect(new Set(sp.tcp_hashed!.line)).toEqual(new Set(['▁']));
  });
});
