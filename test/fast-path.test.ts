import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readSnapshots, type ReadOptions, type RunStats } from '../src/pipeline.js';
import Papa from 'papaparse';
import { csvHeader, csvWriter, FORMULA_START, snapshotRow } from '../src/report/rows.js';
import { ROOT, sample, SAMPLES } from './helpers.js';

/**
 * The byte-level path (src/fast/) must give exactly what the general path gives: the
 * same snapshots (keys, order, values, sources), the same accounting and the same CSV
 * bytes; it only decides which blocks it may read. The CSV writer's bytes are also
 * checked against papaparse's for the same cells (`spec`), whichever path read them.
 */
interface Read {
  snaps: string[];
  stats: RunStats;
  fast: number;
  csv: string;
  spec: string;
}

async function read(inputs: string[], opts: ReadOptions): Promise<Read> {
  const snaps: string[] = [];
  let fast = 0;
  const w = csvWriter();
  let csv = '';
  let spec = csvHeader();
  const stats = await readSnapshots(inputs, opts, {
    snapshot: (r) => {
      if (r.bytePath) fast++;
      snaps.push(JSON.stringify(r.snapshot()));
      w.snapshot(r);
      spec += Papa.unparse([snapshotRow(r)], { newline: '\n', header: false, escapeFormulae: FORMULA_START }) + '\n';
    },
    drain: () => {
      csv += w.take().toString('utf8');
    },
  });
  csv += w.take().toString('utf8');
  return { snaps, stats, fast, csv, spec };
}

/** Text given as stdin, cut into chunks of the given sizes (cycled). */
function stdinOf(text: string, sizes: number[]): Readable {
  const buf = Buffer.from(text);
  const parts: Buffer[] = [];
  for (let i = 0, k = 0; i < buf.length; k++) {
    const n = sizes[k % sizes.length]!;
    parts.push(buf.subarray(i, i + n));
    i += n;
  }
  return Readable.from(parts, { objectMode: false });
}

async function both(text: string, opts: ReadOptions = {}, sizes = [1 << 20]): Promise<{ fast: Read; slow: Read }> {
  const fast = await read(['-'], { ...opts, stdin: stdinOf(text, sizes) });
  const slow = await read(['-'], { ...opts, stdin: stdinOf(text, [1 << 20]), fast: false });
  return { fast, slow };
}

function expectSame(a: Read, b: Read): void {
  expect(a.snaps.length).toBe(b.snaps.length);
  for (let i = 0; i < a.snaps.length; i++) expect(a.snaps[i], `snapshot ${i}`).toBe(b.snaps[i]);
  expect(a.stats).toEqual(b.stats);
  expect(a.csv).toBe(b.csv);
  expect(a.csv).toBe(a.spec);
  expect(b.csv).toBe(b.spec);
}

const TIMELINE = sample('kernel-6.18/timewait-storm/timeline-date.log');
const BLOCK = TIMELINE.slice(0, TIMELINE.indexOf('\n', TIMELINE.indexOf('FRAG\t')) + 2); // first block and its blank line

const SNMP = BLOCK.slice(0, BLOCK.indexOf('\n') + 1) + 'Tcp: RtoAlgorithm RtoMin CurrEstab\nTcp: 1 200 4\n';

describe('fast path', () => {
  it('every sample (directories, archives, bundles) reads the same with and without it', async () => {
    const fast = await read([SAMPLES], {});
    const slow = await read([SAMPLES], { fast: false });
    expectSame(fast, slow);
    expect(slow.fast).toBe(0);
    // The timeline-date logs of the five scenarios alone hold 175 such blocks.
    expect(fast.fast).toBeGreaterThanOrEqual(175);
    expect(fast.fast).toBeLessThan(fast.stats.snapshots);
  }, 60_000);

  it('a generated log (bench/gen.mjs): every block fast, the same bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fast-'));
    const log = join(dir, 'log.txt');
    const r = spawnSync(process.execPath, [join(ROOT, 'bench/gen.mjs'), '--size', '1M', '--out', log, '--seed', '7']);
    expect(r.status).toBe(0);
    const text = readFileSync(log, 'utf8');
    const blocks = text.split('\n').filter((l) => l.startsWith('Total:')).length;
    const { fast, slow } = await both(text);
    expectSame(fast, slow);
    expect(fast.fast).toBe(blocks);
    expect(fast.stats.snapshots).toBe(blocks);
  });

  it('chunks cut anywhere (1 to 700 bytes) change nothing', async () => {
    const text = sample('kernel-6.18/unconnected-leak/timeline-date.log');
    const whole = await both(text);
    expectSame(whole.fast, whole.slow);
    expect(whole.fast.fast).toBeGreaterThan(20);
    for (const sizes of [[1], [7, 3, 700], [511, 64, 2], [13]]) {
      const { fast, slow } = await both(text, {}, sizes);
      expectSame(fast, slow);
      expect(fast.fast).toBe(whole.fast.fast);
    }
  });

  const cases: [string, string, ReadOptions, number][] = [
    ['a race: tw differs between sockstat and ss -s (diagnostic from the general path)', BLOCK.replace('tw 0 ', 'tw 3 ') + BLOCK, {}, 1],
    ['a single-digit day (`Nov  5`)', BLOCK.replace('Nov 25', 'Nov  5'), {}, 1],
    ['CRLF line ends', (BLOCK + BLOCK).replace(/\n/g, '\r\n'), {}, 2],
    ['blanks and tabs after the counts', BLOCK.replace(/(\d|IPv6)\n/g, '$1 \t\n').replace(/ \t\n/, '\n'), {}, 1],
    ['blanks after the date (not the loop\'s `date` line: read by the general path)', BLOCK.replace(/2026\n/, '2026 \n'), {}, 0],
    ['a zone abbreviation without --tz (an error the general path reports)', BLOCK.replace(' UTC ', ' CET ') + BLOCK, {}, 1],
    ['a zone abbreviation with --tz', BLOCK.replace(' UTC ', ' CET ') + BLOCK.replace(' UTC ', ' CET '), { tz: 'Europe/Berlin' }, 2],
    ['no date in the month (Feb 30: an error) and a leap second', BLOCK.replace('Nov 25', 'Feb 30') + BLOCK.replace(/\d\d:\d\d:\d\d/, '23:59:60'), {}, 1],
    ['snmp of the same moment after ss -s (merged by the general path)', BLOCK.trimEnd() + '\nTcp: RtoAlgorithm CurrEstab\nTcp: 1 7\n' + BLOCK, {}, 1],
    ['snmp under its own `date` line of the same second, after and before (the fast block is re-read to merge)', BLOCK + SNMP + SNMP + BLOCK, {}, 0],
    ['a prompt naming the host, then the loop', 'root@db7:~# while :; do date; cat /proc/net/sockstat /proc/net/sockstat6; ss -s; done\n' + BLOCK + BLOCK, {}, 2],
    ['--host filters and names', 'root@db7:~# x\n' + BLOCK + 'root@web1:~# y\n' + BLOCK, { host: 'web1' }, 1],
    ['a socket listing before the next date line', BLOCK + 'State Recv-Q Send-Q Local Address:Port Peer Address:Port\nESTAB 0 0 10.0.0.1:22 10.0.0.2:5555\n' + BLOCK, {}, 0],
    ['an extra key (a newer kernel) and a negative count', BLOCK.replace(/mem (\d+)/, 'mem $1 pressure 0') + BLOCK.replace(/orphan \d+/, 'orphan -1'), {}, 0],
    ['a truncated last block without its newline', BLOCK + BLOCK.slice(0, BLOCK.indexOf('Transport')), {}, 1],
    ['the last block without its final newline', BLOCK + BLOCK.trimEnd(), {}, 2],
    ['counts past 2^31 (every count times 10^10: the arithmetic still holds)', BLOCK.split('\n').map((l, i) => (i === 0 ? l : l.replace(/\d+/g, (d) => (/^(6|4)$/.test(d) && /(TCP|UDP|RAW|FRAG|UDPLITE|IPv)6/.test(l) ? d : String(BigInt(d) * 10_000_000_000n))))).join('\n') + BLOCK, {}, 2],
    ['--since/--until', BLOCK.replace(/\d\d:\d\d:\d\d/, '00:59:00') + BLOCK.replace(/\d\d:\d\d:\d\d/, '01:59:00'), { sinceMs: Date.UTC(2026, 10, 25, 1) }, 1],
  ];
  for (const [name, text, opts, fastCount] of cases) {
    it(name, async () => {
      const { fast, slow } = await both(text, opts);
      expectSame(fast, slow);
      expect(fast.fast).toBe(fastCount);
    });
  }
});

describe('rows lent without a copy (RowWriter.lend)', () => {
  const file = join(SAMPLES, 'kernel-6.18/unconnected-leak/timeline-date.log');
  // Lends after every row.
  const rowsOf = async (onRow: (w: ReturnType<typeof csvWriter>) => void) => {
    const w = csvWriter();
    await readSnapshots([file], {}, { snapshot: (r) => (w.snapshot(r), onRow(w)) });
    return w;
  };

  it('bytes kept by a writer that could not write them (false) are never written over', async () => {
    const expected = (await rowsOf(() => undefined)).take().toString();
    const kept: Buffer[] = [];
    const w = await rowsOf((w) => w.lend((b) => (kept.push(b), false)));
    w.lend((b) => (kept.push(b), false));
    expect(kept.length).toBeGreaterThan(30); // header and first row, then one view per row
    expect(Buffer.concat(kept).toString()).toBe(expected);
  });

  it('bytes written at once (true) free the buffer for the next rows: the same text', async () => {
    const expected = (await rowsOf(() => undefined)).take().toString();
    let text = '';
    const views = new Set<ArrayBufferLike>();
    const w = await rowsOf((w) => w.lend((b) => ((text += b.toString()), views.add(b.buffer), true)));
    w.lend((b) => ((text += b.toString()), true));
    expect(text).toBe(expected);
    expect(views.size).toBe(1); // one buffer, written again and again
  });
});
