/**
 * The byte-level path's tables (src/fast/template.ts) are derived from the parsers and
 * normalize, not written by hand: for each count of the capture loop's block, moving it
 * alone must make the block fail the fast checks exactly when the general path reports a
 * diagnostic for it, and a block that passes must give the general path's columns.
 */
import { describe, expect, it } from 'vitest';
import { fastTables, HOLE_NAMES, TEMPLATE_LINES } from '../src/fast/template.js';
import { ALL_FIELDS } from '../src/normalize/fields.js';
import { normalizeBlock } from '../src/normalize/normalize.js';
import { segmentText } from '../src/segment/segmenter.js';
import { sample } from './helpers.js';

const TIMELINE = sample('kernel-6.18/timewait-storm/timeline-date.log');
const FIRST = TIMELINE.split('\n');
/** The counts of the sample's first block, in template order (each template line as a pattern). */
const COUNTS = (() => {
  const lines = FIRST.slice(1).filter((l) => l.trim() !== '');
  return TEMPLATE_LINES.flatMap((t, i) => {
    const re = new RegExp('^' + t.text.replace(/[()]/g, '\\$&').replace(/ /g, '\\s+').replace(/\{[^}]+\}/g, '(\\d+)') + '\\s*$');
    const m = re.exec(lines[i]!);
    if (!m) throw new Error(`line ${i} ${lines[i]} is not ${t.text}`);
    return m.slice(1).map(Number);
  });
})();

function text(counts: readonly number[]): string {
  let k = 0;
  return [FIRST[0], ...TEMPLATE_LINES.map((l) => l.text.replace(/\{[^}]+\}/g, () => String(counts[k++])))].join('\n') + '\n';
}

function general(counts: readonly number[]) {
  const { blocks } = segmentText(text(counts), 't.log');
  expect(blocks.length).toBe(1);
  const r = normalizeBlock(blocks[0]!);
  if (!('snapshot' in r)) throw new Error(r.skip.reason);
  return r.snapshot;
}

function fast(counts: readonly number[]): { ok: boolean; cols: Float64Array } {
  const h = Float64Array.from(counts);
  const cols = new Float64Array(ALL_FIELDS.length).fill(NaN);
  fastTables().fill(h, cols);
  return { ok: fastTables().agree(h, cols), cols };
}

describe('the byte-level path\'s tables', () => {
  it('name every count by its parser\'s key, and the sample block fills them', () => {
    expect(HOLE_NAMES.length).toBe(39);
    expect(HOLE_NAMES).toContain('sockstat/TCP.alloc');
    expect(HOLE_NAMES).toContain('ss/timewait');
    expect(COUNTS.length).toBe(HOLE_NAMES.length);
    expect(general(COUNTS).diagnostics).toEqual([]);
    expect(fastTables().values.length).toBeGreaterThan(0);
    expect(fastTables().equals.length).toBeGreaterThan(0);
  });

  it('a block the general path reads without a diagnostic passes, with the same columns', () => {
    const s = general(COUNTS);
    const f = fast(COUNTS);
    expect(f.ok).toBe(true);
    const fromFast = Object.fromEntries(ALL_FIELDS.flatMap((name, i) => (Number.isNaN(f.cols[i]!) ? [] : [[name, f.cols[i]!]])));
    expect(fromFast).toEqual(s.values);
  });

  for (let j = 0; j < 39; j++) {
    it(`count ${j} moved alone: fast checks fail exactly when the general path reports`, () => {
      const counts = [...COUNTS];
      counts[j] = counts[j]! + 1;
      const s = general(counts);
      const f = fast(counts);
      expect(f.ok, `${HOLE_NAMES[j]}: ${s.diagnostics.map((d) => d.message).join('; ')}`).toBe(s.diagnostics.length === 0);
      if (f.ok) {
        for (let i = 0; i < ALL_FIELDS.length; i++) expect(Number.isNaN(f.cols[i]!) ? undefined : f.cols[i], ALL_FIELDS[i]).toBe(s.values[ALL_FIELDS[i]!]);
      }
    });
  }
});
