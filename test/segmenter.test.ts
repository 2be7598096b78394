/**
 * The Segmenter (src/segment/segmenter.ts) on its own: lines of real captures → blocks with
 * their line, time, host and sections, and the accounting of every line.
 */
import { describe, expect, it } from 'vitest';
import { Segmenter, type SegmentOptions } from '../src/segment/segmenter.js';
import type { Block, LimitReading, SysctlLine } from '../src/segment/types.js';
import { limitsOfSysctlLine } from '../src/normalize/limits.js';
import { sample } from './helpers.js';

function segment(rel: string, opts: SegmentOptions = {}) {
  const blocks: Block[] = [];
  const limits: LimitReading[] = [];
  const s = new Segmenter(rel, { ...opts, onSysctl: (l) => { const ls = limitsOfSysctlLine(l); if (ls) limits.push(...ls); return ls !== undefined; } }, (b) => blocks.push(b));
  const lines = sample(rel).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const l of lines) s.push(l);
  s.end();
  return { blocks, limits, stats: s.stats };
}
const shape = (b: Block) => ({ line: b.line, time: b.time?.iso, host: b.host, parts: b.parts, sections: b.sections.map((s) => [s.kind, s.line, s.lines.length]) });

describe('Segmenter', () => {
  it('a pasted capture with a prompt: one block, the host from the prompt, three sections, the prompt and separators outside', () => {
    const { blocks, stats } = segment('public/adil-combined.txt');
    expect(stats).toEqual({ lines: 21, blank: 0, outside: 3, blocks: 1, limits: 0 });
    expect(blocks.map(shape)).toEqual([
      { line: 1, time: undefined, host: 'adil', parts: 1, sections: [['sockstat', 1, 6], ['sockstat6', 8, 5], ['ss', 14, 8]] },
    ]);
    expect(blocks[0]!.sections[0]!.lines[1]).toEqual({ no: 2, text: 'TCP: inuse 143 orphan 1 tw 38 alloc 247 mem 86' });
  });

  it('the capture loop (date; sockstat; sockstat6; ss -s): a block per date line, with its time', () => {
    const { blocks, stats } = segment('kernel-6.18/unconnected-leak/timeline-date.log');
    expect(stats).toEqual({ lines: 792, blank: 72, outside: 0, blocks: 36, limits: 0 });
    expect(blocks).toHaveLength(36);
    expect(shape(blocks[0]!)).toEqual({ line: 1, time: '2026-11-25T00:55:46Z', host: undefined, parts: 1, sections: [['sockstat', 2, 6], ['sockstat6', 8, 5], ['ss', 13, 8]] });
    expect(shape(blocks[35]!)).toEqual({ line: 771, time: '2026-11-25T00:56:22Z', host: undefined, parts: 1, sections: [['sockstat', 772, 6], ['sockstat6', 778, 5], ['ss', 783, 8]] });
    expect(blocks.every((b) => b.file === 'kernel-6.18/unconnected-leak/timeline-date.log')).toBe(true);
  });

  it('ISO 8601 times before ss -s alone', () => {
    const { blocks, stats } = segment('kernel-6.18/timewait-storm/timeline-iso.log');
    expect(stats).toEqual({ lines: 396, blank: 72, outside: 0, blocks: 36, limits: 0 });
    expect(shape(blocks[0]!)).toEqual({ line: 1, time: '2026-11-25T01:00:42Z', host: undefined, parts: 1, sections: [['ss', 2, 8]] });
  });

  it('sysctl -a lines are handed over as lines (the segmenter reads no values); the ones that gave no limit are outside lines', () => {
    const seen: SysctlLine[] = [];
    const s = new Segmenter('x', { host: 'h', onSysctl: (l) => (seen.push(l), l.text.includes('tcp_mem')) }, () => undefined);
    for (const t of ['net.ipv4.tcp_mem = 1 2 3', 'net.core.somaxconn = 4096', 'net.ipv4.tcp_mem = oops']) s.push(t);
    s.end();
    expect(seen).toEqual([
      { text: 'net.ipv4.tcp_mem = 1 2 3', source: 'x:1', host: 'h' },
      { text: 'net.core.somaxconn = 4096', source: 'x:2', host: 'h' },
      { text: 'net.ipv4.tcp_mem = oops', source: 'x:3', host: 'h' },
    ]);
    expect(s.stats).toMatchObject({ limits: 2, outside: 1 });
    expect(limitsOfSysctlLine({ text: 'net.ipv4.tcp_mem = oops', source: 'x:3' })).toBeUndefined();
    expect(limitsOfSysctlLine({ text: 'net.core.somaxconn = 4096', source: 'x:2', host: 'h' })).toEqual([{ name: 'somaxconn', value: 4096, source: 'x:2', host: 'h' }]);
  });

  it('sysctl -a lines give limits with their file:line, and no block', () => {
    const { blocks, limits, stats } = segment('captures/mixed-sysctl/sysctl_-a');
    expect(blocks).toEqual([]);
    expect(stats).toEqual({ lines: 6, blank: 0, outside: 0, blocks: 0, limits: 6 });
    expect(limits.map((l) => `${l.name}=${l.value} ${l.source}`)).toEqual([
      'ip_local_port_min=32768 captures/mixed-sysctl/sysctl_-a:1',
      'ip_local_port_max=60999 captures/mixed-sysctl/sysctl_-a:1',
      'ipfrag_high_thresh=4194304 captures/mixed-sysctl/sysctl_-a:2',
      'tcp_max_orphans=131072 captures/mixed-sysctl/sysctl_-a:3',
      'tcp_max_tw_buckets=131072 captures/mixed-sysctl/sysctl_-a:4',
      'tcp_mem_min=287898 captures/mixed-sysctl/sysctl_-a:5',
      'tcp_mem_pressure=383865 captures/mixed-sysctl/sysctl_-a:5',
      'tcp_mem_max=575796 captures/mixed-sysctl/sysctl_-a:5',
      'udp_mem_min=575796 captures/mixed-sysctl/sysctl_-a:6',
      'udp_mem_pressure=767731 captures/mixed-sysctl/sysctl_-a:6',
      'udp_mem_max=1151592 captures/mixed-sysctl/sysctl_-a:6',
    ]);
  });

  it('the options: a host beats the prompt, a default time dates a block without one', () => {
    const { blocks } = segment('public/adil-combined.txt', { host: 'given', defaultTime: { ms: Date.UTC(2026, 10, 25, 4, 0, 0), iso: '2026-11-25T04:00:00Z' } });
    expect(blocks.map((b) => [b.host, b.time?.iso])).toEqual([['given', '2026-11-25T04:00:00Z']]);
  });
});
