import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { normalizeBlock } from '../src/normalize/normalize.js';
import { parseSnmp } from '../src/parse/snmp.js';
import { parseSockstat } from '../src/parse/sockstat.js';
import { parseSsSummary } from '../src/parse/ss.js';
import { segmentText } from '../src/segment/segmenter.js';
import { parseTimestampLine } from '../src/parse/time.js';
import { Readable } from 'node:stream';
import { readSnapshots, type ReadOptions } from '../src/pipeline.js';
import { sample, toLines } from './helpers.js';

/**
 * Property-based tests. CI runs FUZZ_RUNS=10^4 cases in all (the default here);
 * `npm run fuzz` runs 10^6 and prints the count. A failure prints fast-check's seed
 * and path: rerun with FUZZ_SEED=<seed> to reproduce.
 */
const TOTAL = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const PROPERTIES = 5;
const runs = Math.max(1, Math.floor(TOTAL / PROPERTIES));
const params = (): fc.Parameters<unknown> => ({ numRuns: runs, ...(SEED !== undefined ? { seed: SEED } : {}) });
let executed = 0;

afterAll(() => {
  process.stdout.write(`fuzz: ${executed} cases run, 0 failures${SEED !== undefined ? ` (seed ${SEED})` : ''}\n`);
});

/** Segment and normalize; the accounting that must always hold. */
function run(text: string) {
  const { blocks } = segmentText(text, 'f');
  let snapshots = 0;
  let skipped = 0;
  const byTime = new Map<string, unknown>();
  for (const b of blocks) {
    const r = normalizeBlock(b);
    if ('skip' in r) skipped++;
    else {
      snapshots++;
      if (r.snapshot.time) byTime.set(`${r.snapshot.time}@${b.line}`, r.snapshot.values);
    }
  }
  return { blocks: blocks.length, snapshots, skipped, byTime };
}

// Lines of real captures and the kinds of damage found in the field.
const REAL = sample('kernel-6.18/timewait-storm/timeline-date.log');
const REAL_LINES = REAL.split('\n');
const LEAK_LINES = sample('kernel-6.18/unconnected-leak/timeline-date.log').split('\n');
const noise = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.constantFrom('\u0000', '\uFEFF', '\r', '\t', '-'.repeat(3), '9'.repeat(20), '-123', 'TCP: inuse', 'Total:', 'sockets: used -1'),
  fc.string({ minLength: 5000, maxLength: 20000 }),
  fc.constantFrom(...REAL_LINES),
);
type Mutation = { kind: 'truncate' | 'dup' | 'swap' | 'delete' | 'insert' | 'crlf'; at: number; other: number; text: string };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('truncate', 'dup', 'swap', 'delete', 'insert', 'crlf'),
  at: fc.nat({ max: REAL_LINES.length - 1 }),
  other: fc.nat({ max: REAL_LINES.length - 1 }),
  text: noise,
});

/** Apply mutations; return the damaged text and the original line numbers they touched. */
function damage(muts: Mutation[], base: readonly string[] = REAL_LINES): { text: string; touched: Set<number> } {
  const lines = base.map((t, i) => ({ t, orig: i + 1 }));
  const touched = new Set<number>();
  for (const m of muts) {
    const at = Math.min(m.at, lines.length - 1);
    const other = Math.min(m.other, lines.length - 1);
    const near = (i: number) => {
      for (let k = Math.max(0, i - 1); k <= Math.min(lines.length - 1, i + 1); k++) touched.add(lines[k]!.orig);
    };
    near(at);
    switch (m.kind) {
      case 'truncate':
        lines[at] = { t: lines[at]!.t.slice(0, m.text.length % (lines[at]!.t.length + 1)), orig: lines[at]!.orig };
        break;
      case 'dup':
        lines.splice(at, 0, { ...lines[at]! });
        break;
      case 'swap': {
        near(other);
        const a = lines[at]!;
        lines[at] = lines[other]!;
        lines[other] = a;
        break;
      }
      case 'delete':
        lines.splice(at, 1);
        break;
      case 'insert':
        lines.splice(at, 0, { t: m.text, orig: lines[at]!.orig });
        break;
      case 'crlf':
        lines[at] = { t: `${lines[at]!.t}\r`, orig: lines[at]!.orig };
        break;
    }
  }
  return { text: lines.map((l) => l.t).join('\n'), touched };
}

/** Original blocks: start line, end line, time, values. */
const ORIGINAL = (() => {
  const { blocks } = segmentText(REAL, 'f');
  return blocks.map((b, i) => {
    const r = normalizeBlock(b);
    const end = (blocks[i + 1]?.line ?? REAL_LINES.length + 1) - 1;
    return { start: b.line, end, time: 'snapshot' in r ? r.snapshot.time : undefined, values: 'snapshot' in r ? r.snapshot.values : undefined };
  });
})();

describe('property: nothing throws, nothing is lost', () => {
  it('parsers and the timestamp reader never throw on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        executed++;
        const lines = toLines(s);
        parseSockstat(lines);
        parseSsSummary(lines);
        parseSnmp(lines);
        for (const l of lines) parseTimestampLine(l.text);
      }),
      params(),
    );
  });

  it('segmenting arbitrary text: every block becomes a snapshot or a skip', () => {
    fc.assert(
      fc.property(fc.array(noise, { maxLength: 60 }), (ls) => {
        executed++;
        const r = run(ls.join('\n'));
        expect(r.blocks).toBe(r.snapshots + r.skipped);
      }),
      params(),
    );
  });

  it('real captures with damage: accounting holds and untouched blocks keep their values', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (muts) => {
        executed++;
        const { text, touched } = damage(muts);
        const r = run(text);
        expect(r.blocks).toBe(r.snapshots + r.skipped);
        const got = [...r.byTime.entries()];
        for (const b of ORIGINAL) {
          let hit = false;
          for (let l = b.start; l <= b.end && !hit; l++) hit = touched.has(l);
          if (hit || !b.time) continue;
          // The untouched block is still there, with the same values.
          const same = got.filter(([k]) => k.startsWith(`${b.time}@`)).map(([, v]) => v);
          expect(same).toContainEqual(b.values);
        }
      }),
      params(),
    );
  });

  it('CRLF and LF give the same snapshots for any mix of real lines', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...REAL_LINES), { maxLength: 80 }), (ls) => {
        executed++;
        const a = run(ls.join('\n'));
        const b = run(ls.join('\r\n'));
        expect([...b.byTime.values()]).toEqual([...a.byTime.values()]);
        expect(b.blocks).toBe(a.blocks);
      }),
      params(),
    );
  });

  it('the byte-level fast path reads damaged captures, cut into any chunks, exactly as the general path', async () => {
    // Blocks of a quiet capture (most go the fast way) and of a racing one (most do not).
    const base = [...LEAK_LINES.slice(0, 220), ...REAL_LINES.slice(0, 220)];
    const read = async (text: string, sizes: number[], opts: ReadOptions) => {
      const buf = Buffer.from(text);
      const parts: Buffer[] = [];
      for (let i = 0, k = 0; i < buf.length; k++) parts.push(buf.subarray(i, (i += sizes[k % sizes.length]!)));
      const out: string[] = [];
      let fast = 0;
      const stats = await readSnapshots(['-'], { ...opts, stdin: Readable.from(parts, { objectMode: false }) }, {
        snapshot: (r) => {
          if (r.bytePath) fast++;
          out.push(JSON.stringify(r.snapshot()));
        },
      });
      return { out, stats, fast };
    };
    let fastSeen = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(mutation, { minLength: 0, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 4 }),
        async (muts, sizes) => {
          executed++;
          const { text } = damage(muts, base);
          const fast = await read(text, sizes, {});
          const slow = await read(text, [1 << 20], { fast: false });
          expect(fast.out).toEqual(slow.out);
          expect(fast.stats).toEqual(slow.stats);
          fastSeen += fast.fast;
        },
      ),
      params(),
    );
    expect(fastSeen).toBeGreaterThan(0);
  }, 600_000);
});
