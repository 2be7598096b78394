import { describe, expect, it } from 'vitest';
import { formatBit, formatOf, formatOfPath, FORMATS, registerFormat } from '../src/parse/formats/index.js';
import type { InputFormat } from '../src/parse/formats/index.js';
import { normalizeBlock } from '../src/normalize/normalize.js';
import { segmentText } from '../src/segment/segmenter.js';
import { sample } from './helpers.js';

describe('format registry', () => {
  it('lists the built-in formats in the order of the formats column, one bit each', () => {
    expect(FORMATS.map((f) => f.kind)).toEqual(['sockstat', 'sockstat6', 'ss', 'snmp', 'sar-sock', 'sar-sock6', 'listing', 'sysctl', 'netstat', 'nstat', 'netstat-s']);
    expect(formatBit('sockstat') | formatBit('sockstat6') | formatBit('ss')).toBe(0b111);
    expect(formatOf('ss')!.label).toBe('ss -s');
  });

  it('says which format a file holds from bundle paths and loose names', () => {
    expect(formatOfPath('sosreport-x/proc/net/sockstat')?.kind).toBe('sockstat');
    expect(formatOfPath('sosreport-x/proc/net/sockstat6')?.kind).toBe('sockstat6');
    expect(formatOfPath('sosreport-x/sos_commands/networking/ss_-s')?.kind).toBe('ss');
    expect(formatOfPath('case/ss-s')?.kind).toBe('ss');
    expect(formatOfPath('case/snmp')?.kind).toBe('snmp');
    expect(formatOfPath('case/ss-tanp')?.kind).toBe('listing');
    expect(formatOfPath('case/lsof-nP')?.kind).toBe('listing');
    expect(formatOfPath('case/notes.txt')).toBeUndefined();
  });

  it('a format registered with line recognition is segmented and normalized without touching either', () => {
    // A made-up format: `DEMO: tw N` then indented `key N` lines; it gives tcp_tw and an unknown key.
    const demo: InputFormat = {
      kind: 'demo',
      label: 'demo',
      priority: 5,
      lines: { starts: (t) => t.startsWith('DEMO:'), continues: (raw) => raw.startsWith('  ') },
      read: (lines) => {
        const values = [{ field: 'tcp_tw', value: Number(lines[0]!.text.split(/\s+/)[2]), line: lines[0]!.no }];
        const otherKeys: Record<string, number> = {};
        for (const l of lines.slice(1)) {
          const [k, v] = l.text.trim().split(/\s+/);
          otherKeys[`demo.${k}`] = Number(v);
        }
        return { values, otherKeys, issues: [] };
      },
    };
    registerFormat(demo);
    expect(() => registerFormat(demo)).toThrow(/twice/);
    const text = sample('kernel-6.18/orphans/combined.txt').split('\n').slice(0, 12).join('\n');
    const input = `Wed Nov 25 00:55:46 UTC 2026\n${text}\nDEMO: tw 7\n  extra 3\nnot demo\n`;
    const { blocks, stats } = segmentText(input, 'x');
    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.sections.map((s) => s.kind)).toEqual(['sockstat', 'sockstat6', 'demo']);
    expect(stats.outside).toBe(2); // `---` and `not demo`
    const r = normalizeBlock(blocks[0]!);
    if (!('snapshot' in r)) throw new Error(JSON.stringify(r));
    expect(r.snapshot.formats).toEqual(['sockstat', 'sockstat6', 'demo']);
    expect(r.snapshot.otherKeys).toEqual({ 'demo.extra': 3 });
    // sockstat (priority 0) is kept; the demo value is compared with it.
    expect(r.snapshot.values.tcp_tw).toBe(0);
    expect(r.snapshot.diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/^tcp_tw: sockstat 0 \(x:3\) but demo 7 \(x:14\); kept 0$/)]);
  });
});
