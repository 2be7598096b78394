import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, sample } from './helpers.js';

// Workers load dist/cli/parallel/worker.js: test the built package (global-setup builds it).
const { exportParallel } = (await import(join(ROOT, 'dist/cli/parallel/export.js'))) as typeof import('../src/cli/parallel/export.js');
const { planPieces, countNewlines } = (await import(join(ROOT, 'dist/cli/parallel/split.js'))) as typeof import('../src/cli/parallel/split.js');
const { exportSnapshots } = (await import(join(ROOT, 'dist/index.js'))) as typeof import('../src/index.js');

/**
 * One big file read by several threads, piece by piece, must give the bytes and the
 * accounting of one reader: pieces are cut only where nothing carries over.
 */
const dir = mkdtempSync(join(tmpdir(), 'split-'));
const gen = (size: string, seed: number): string => {
  const p = join(dir, `gen-${size}-${seed}.log`);
  const r = spawnSync(process.execPath, [join(ROOT, 'bench/gen.mjs'), '--size', size, '--out', p, '--seed', String(seed)]);
  expect(r.status).toBe(0);
  return readFileSync(p, 'utf8');
};

async function serial(file: string) {
  let csv = '';
  const stats = await exportSnapshots([file], { format: 'csv' }, async (t) => {
    csv += t;
  });
  return { csv, stats };
}

async function parallel(file: string, pieceBytes: number) {
  const out = `${file}.out.csv`;
  const fd = openSync(out, 'w');
  const stats = await exportParallel([file], {}, 'csv', 2, fd, { minBytes: 1, pieceBytes, workerScript: join(ROOT, 'dist/cli/parallel/worker.js') });
  closeSync(fd);
  return { csv: readFileSync(out, 'utf8'), stats };
}

const quiet = sample('kernel-6.18/unconnected-leak/timeline-date.log');
const racing = sample('kernel-6.18/timewait-storm/timeline-date.log');

describe('one file on several threads', () => {
  const cases: [string, () => string, number][] = [
    ['a generated log (every block fast)', () => gen('2M', 3), 64 << 10],
    ['real captures, quiet and racing, with garbage and a same-second snmp block between', () =>
      [quiet, 'garbage line\n', racing, 'Wed Nov 25 01:00:42 UTC 2026\nTcp: RtoAlgorithm CurrEstab\nTcp: 1 3\n', quiet, racing].join('').repeat(6), 20 << 10],
    ['a prompt half way (its host names the lines after it: no cut after it)', () => gen('1M', 4) + 'root@db7:~# ss -s\n' + gen('1M', 5), 48 << 10],
  ];
  for (const [name, make, pieceBytes] of cases) {
    it(name, async () => {
      const file = join(dir, `${name.length}.log`);
      writeFileSync(file, make());
      const a = await serial(file);
      const b = await parallel(file, pieceBytes);
      expect(b.csv.length).toBe(a.csv.length);
      expect(b.csv === a.csv).toBe(true);
      expect(b.stats).toEqual(a.stats);
      expect(a.stats.snapshots).toBeGreaterThan(100);
    });
  }

  it('pieces cover the file, start at `date` lines and know the lines before them', async () => {
    const text = gen('2M', 6) + 'root@db7:~# ss -s\n' + gen('1M', 8);
    const file = join(dir, 'pieces.log');
    writeFileSync(file, text);
    const buf = Buffer.from(text);
    const pieces = [];
    for await (const p of planPieces(file, buf.length, 100_000)) pieces.push(p);
    expect(pieces.length).toBeGreaterThan(15);
    expect(pieces[0]!.start).toBe(0);
    expect(pieces[pieces.length - 1]!.end).toBe(buf.length);
    const prompt = buf.indexOf('root@db7');
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!;
      if (i > 0) {
        expect(p.start).toBe(pieces[i - 1]!.end);
        expect(buf.toString('latin1', p.start, p.start + 30)).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \w{3} [ \d]\d \d\d:\d\d:\d\d UTC \d{4}\n/);
        expect(p.start).toBeLessThan(prompt); // no cut after the prompt
      }
      let lines = 0;
      for (let k = buf.indexOf(10); k >= 0 && k < p.start; k = buf.indexOf(10, k + 1)) lines++;
      expect(p.linesBefore).toBe(lines);
    }
  });

  it('newlines are counted four bytes at a time as one by one: a real capture, every byte value, any alignment', () => {
    const every = Buffer.from(Array.from({ length: 256 * 3 }, (_, i) => (i * 7) % 256));
    const text = Buffer.concat([Buffer.from(quiet), every, Buffer.from(racing)]);
    const naive = (b: Buffer, end: number) => {
      let n = 0;
      for (let i = 0; i < end; i++) if (b[i] === 10) n++;
      return n;
    };
    for (const off of [0, 1, 2, 3, 4]) {
      const b = text.subarray(off);
      for (const end of [0, 1, 5, 4096, b.length - 3, b.length]) expect([off, end, countNewlines(b, end)]).toEqual([off, end, naive(b, end)]);
    }
    expect(countNewlines(text, text.length)).toBe(quiet.split('\n').length - 1 + 3 + racing.split('\n').length - 1);
  });

  it('a gzip named .log is not cut', async () => {
    const { gzipSync } = await import('node:zlib');
    const file = join(dir, 'packed.log');
    writeFileSync(file, gzipSync(gen('1M', 9)));
    const pieces = [];
    for await (const p of planPieces(file, readFileSync(file).length, 10_000)) pieces.push(p);
    expect(pieces).toHaveLength(1);
  });
});

describe('a unit of a parallel export writes in its turn', async () => {
  const { HoldBudget, TurnOut } = await import('../src/cli/parallel/job.js');
  const sink = () => {
    const got: string[] = [];
    return { got, out: { writeNow: (b: Uint8Array) => (got.push(Buffer.from(b).toString()), true), ready: () => undefined, flushed: () => Promise.resolve() } };
  };

  it('holds rows until go(), then writes them in order before the ones after', () => {
    const { got, out } = sink();
    const t = new TurnOut(out);
    t.write(Buffer.from('a'));
    t.write(Buffer.from(''));
    t.write(Buffer.from('b'));
    expect(got).toEqual([]);
    t.go();
    t.write(Buffer.from('c'));
    expect(got).toEqual(['a', 'b', 'c']);
  });

  it('past the hold limit, the reader waits until go()', async () => {
    const { got, out } = sink();
    const t = new TurnOut(out, new HoldBudget(3));
    expect(t.write(Buffer.from('ab'))).toBeUndefined();
    const wait = t.write(Buffer.from('cd'));
    expect(wait).toBeInstanceOf(Promise);
    let woke = false;
    void (wait as Promise<void>).then(() => (woke = true));
    await Promise.resolve();
    expect(woke).toBe(false);
    t.go();
    await wait;
    expect(woke).toBe(true);
    expect(got).toEqual(['ab', 'cd']);
  });

  it('units of one process share the hold budget: a later unit over it reads on when an earlier one is written', async () => {
    const { got, out } = sink();
    const budget = new HoldBudget(3);
    const first = new TurnOut(out, budget);
    const second = new TurnOut(out, budget);
    expect(first.write(Buffer.from('ab'))).toBeUndefined(); // 2 held: within 3
    const wait = second.write(Buffer.from('cd')); // 4 held by the process: the later unit waits
    expect(wait).toBeInstanceOf(Promise);
    let woke = false;
    void (wait as Promise<void>).then(() => (woke = true));
    await Promise.resolve();
    expect(woke).toBe(false);
    first.go(); // its 2 bytes leave: 2 held, room again
    await wait;
    expect(woke).toBe(true);
    expect(budget.used).toBe(2);
    expect(got).toEqual(['ab']); // the second unit's rows still wait for its turn
    second.go();
    expect(got).toEqual(['ab', 'cd']);
    expect(budget.used).toBe(0);
  });
});
