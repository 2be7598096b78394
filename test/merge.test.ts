import { isProblem } from '../src/parse/problem.js';
/**
 * The block merger (src/normalize/merge.ts): blocks of one moment (same host and time, no
 * format twice but listings) become one, on real captures.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BlockMerger } from '../src/normalize/merge.js';
import { Segmenter, type SegmentOptions } from '../src/segment/segmenter.js';
import { parseFilenameTime } from '../src/parse/time.js';
import type { Block } from '../src/segment/types.js';
import { sample, samplePath } from './helpers.js';

function blocksOf(rel: string, opts: SegmentOptions = {}): Block[] {
  const out: Block[] = [];
  const s = new Segmenter(rel, opts, (b) => out.push(b));
  for (const l of sample(rel).split('\n').filter((x, i, a) => i < a.length - 1 || x !== '')) s.push(l);
  s.end();
  return out;
}

function merge(blocks: Block[]): Block[] {
  const out: Block[] = [];
  const m = new BlockMerger((b) => out.push(b as Block));
  for (const b of blocks) m.push(b);
  m.flush();
  return out;
}

const DIR = 'captures/per-minute-files/snapshots';
const perMinute = (): Block[] =>
  readdirSync(samplePath(DIR)).sort().flatMap((n) => {
    const t = parseFilenameTime(n);
    return blocksOf(`${DIR}/${n}`, t && !isProblem(t) ? { defaultTime: t } : {});
  });

describe('BlockMerger', () => {
  it('per-minute files (T.sockstat, T.sockstat6, T.ss-s): one block per moment, the sections of the three files', () => {
    const blocks = perMinute();
    expect(blocks).toHaveLength(9);
    const merged = merge(blocks);
    expect(merged.map((b) => [b.time?.iso, b.parts, b.sections.map((s) => `${s.kind}@${s.file.split('/').pop()}:${s.line}`)])).toEqual(
      ['2026-11-25T03:57:34Z', '2026-11-25T03:57:36Z', '2026-11-25T03:57:38Z'].map((iso) => {
        const f = iso.replace(/:/g, '-');
        return [iso, 3, [`sockstat@${f}.sockstat:1`, `sockstat6@${f}.sockstat6:1`, `ss@${f}.ss-s:1`]];
      }),
    );
    expect(merged[0]!.sections[0]!.lines[1]!.text).toMatch(/^TCP: inuse \d+ orphan \d+ tw \d+ alloc \d+ mem \d+$/);
  });

  it('the capture loop: every block has its own time, none merges', () => {
    const blocks = blocksOf('kernel-6.18/unconnected-leak/timeline-date.log');
    const merged = merge(blocks);
    expect(merged).toHaveLength(36);
    expect(merged.map((b) => b.parts)).toEqual(Array(36).fill(1));
  });

  it('the same format twice at one moment stays two blocks; so do other hosts and blocks without a time', () => {
    const t = parseFilenameTime('2026-11-25T03-57-34Z.sockstat');
    if (!t || isProblem(t)) throw new Error('no time');
    const one = (host?: string) => blocksOf(`${DIR}/2026-11-25T03-57-34Z.sockstat`, { defaultTime: t, ...(host ? { host } : {}) })[0]!;
    const six = (host?: string) => blocksOf(`${DIR}/2026-11-25T03-57-34Z.sockstat6`, { defaultTime: t, ...(host ? { host } : {}) })[0]!;
    expect(merge([one(), one()]).map((b) => b.parts)).toEqual([1, 1]);
    expect(merge([one('a'), six('b')]).map((b) => [b.host, b.parts])).toEqual([['a', 1], ['b', 1]]);
    expect(merge([one('a'), six('a')]).map((b) => [b.host, b.parts])).toEqual([['a', 2]]);
    const untimed = blocksOf('public/adil-combined.txt');
    expect(merge([...untimed, ...blocksOf('public/adil-combined.txt')]).map((b) => b.parts)).toEqual([1, 1]);
  });
});
