import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { collectSnapshots } from '../src/pipeline.js';
import { sample, samplePath } from './helpers.js';

// Hostile and broken archives, built here around a real capture. Each must give a clear
// message naming the archive and member, stay bounded, write nothing, and let the rest be read.
const tmp = mkdtempSync(join(tmpdir(), 'sockscope-hostile-'));
const REAL = sample('kernel-6.18/unconnected-leak/combined.txt');

type Entry = { name: string; body?: string | Buffer; type?: tar.Headers['type']; linkname?: string };
async function tarOf(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((r) => pack.on('end', r));
  for (const e of entries) {
    const body = e.body === undefined ? undefined : Buffer.from(e.body);
    await new Promise<void>((res, rej) =>
      pack.entry({ name: e.name, type: e.type ?? 'file', ...(e.linkname ? { linkname: e.linkname } : {}), ...(body ? { size: body.length } : { size: 0 }) }, body ?? undefined, (err) => (err ? rej(err) : res())),
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

function write(name: string, data: Buffer | string): string {
  const p = join(tmp, name);
  writeFileSync(p, data);
  return p;
}

const reasons = (r: Awaited<ReturnType<typeof collectSnapshots>>) => r.stats.inputProblems.map((p) => `${p.source.replace(tmp + '/', '')}: ${p.reason}`);

describe('hostile archives', () => {
  it('../ and absolute member names, links and devices are reported, not read; the real capture beside them is', async () => {
    const p = write('evil.tar', await tarOf([
      { name: '../../x', body: REAL },
      { name: '/etc/x', body: REAL },
      { name: 'ok/combined.txt', body: REAL },
      { name: 'link', type: 'symlink', linkname: '/etc/passwd' },
      { name: 'hard', type: 'link', linkname: 'ok/combined.txt' },
      { name: 'dev', type: 'character-device' },
    ]));
    const before = readdirSync(tmp).sort();
    const r = await collectSnapshots([p]);
    expect(r.snapshots.map((s) => s.source.replace(tmp + '/', ''))).toEqual(['evil.tar!ok/combined.txt:1']);
    expect(reasons(r)).toEqual([
      'evil.tar!../../x: member path escapes the archive (..); not read',
      'evil.tar!/etc/x: absolute member path; not read',
      'evil.tar!link: symlink member not followed',
      'evil.tar!hard: link member not followed',
      'evil.tar!dev: character-device member not followed',
    ]);
    expect(readdirSync(tmp).sort()).toEqual(before); // nothing written
    expect(existsSync('/etc/x')).toBe(false);
  });

  it('a decompression bomb (over 1000:1) is stopped with a message, and the next input is still read', async () => {
    const bomb = write('bomb.tar.gz', gzipSync(await tarOf([{ name: 'zeros.log', body: Buffer.alloc(24 << 20, 0x61) }]), { level: 9 }));
    const ratio = (24 << 20) / readFileSync(bomb).length;
    expect(ratio).toBeGreaterThan(1000);
    const r = await collectSnapshots([bomb, samplePath('kernel-6.18/idle/combined.txt')], { archiveLimits: { bombFloor: 4 << 20 } });
    expect(r.snapshots).toHaveLength(1);
    expect(reasons(r).join('\n')).toMatch(/^bomb\.tar\.gz: archive unreadable: decompression bomb: \d+ bytes out of \d+ compressed \(over 1000:1\); not read further/m);
  });

  it('archives nested ten deep stop at the depth limit with a message', async () => {
    let inner: Buffer = await tarOf([{ name: 'combined.txt', body: REAL }]);
    for (let i = 9; i >= 1; i--) inner = gzipSync(await tarOf([{ name: `level${i + 1}.tar.gz`, body: i === 9 ? gzipSync(inner) : inner }]));
    const p = write('deep.tar.gz', inner);
    const r = await collectSnapshots([p]);
    expect(r.snapshots).toHaveLength(0);
    expect(reasons(r)).toHaveLength(1);
    expect(reasons(r)[0]).toMatch(/!level9\.tar\.gz: archive nested more than 8 deep; not read$/);
  });

  it('item 6b: hidden members of nested archives are passed over by size, never held (3 levels, 4 hidden 2 MiB members each, a 1 MiB budget)', async () => {
    const zeros = Buffer.alloc(2 << 20);
    let inner: Buffer = await tarOf([...Array.from({ length: 4 }, (_, i) => ({ name: `.h${i}`, body: zeros })), { name: 'combined.txt', body: REAL }]);
    for (let level = 2; level >= 1; level--) {
      inner = await tarOf([...Array.from({ length: 4 }, (_, i) => ({ name: `.h${i}`, body: zeros })), { name: `level${level + 1}.tar.gz`, body: gzipSync(inner) }]);
    }
    const p = write('hidden-nested.tar.gz', gzipSync(inner));
    const r = await collectSnapshots([p], { archiveLimits: { maxBuffered: 1 << 20, smallMember: 1 << 20 } });
    expect(reasons(r)).toEqual([]);
    expect(r.snapshots.map((s) => s.source.slice(s.source.indexOf('hidden-nested')))).toEqual(['hidden-nested.tar.gz!level2.tar.gz!level3.tar.gz!combined.txt:1']);
  });

  it('more members than the limit: the rest are reported, the first are read', async () => {
    const entries: Entry[] = Array.from({ length: 1500 }, (_, i) => ({ name: `m/${String(i).padStart(5, '0')}.txt`, body: i === 0 ? REAL : '' }));
    const p = write('many.tar', await tarOf(entries));
    const r = await collectSnapshots([p], { archiveLimits: { maxEntries: 1000 } });
    expect(r.snapshots).toHaveLength(1);
    expect(reasons(r)).toEqual(['many.tar: more than 1000 members; the rest are not read']);
  });

  it('100,000 members are read in bounded time', async () => {
    const entries: Entry[] = Array.from({ length: 100_000 }, (_, i) => ({ name: `e/${i}`, body: i === 99_999 ? REAL : '' }));
    const p = write('100k.tgz', gzipSync(await tarOf(entries)));
    const t0 = Date.now();
    const r = await collectSnapshots([p]);
    expect(r.snapshots).toHaveLength(1);
    expect(Date.now() - t0).toBeLessThan(60_000);
  }, 120_000);

  it('truncated and corrupt archives are reported with their name; other inputs still count', async () => {
    const good = gzipSync(await tarOf([{ name: 'a/combined.txt', body: REAL }, { name: 'b/big.log', body: sample('kernel-6.18/orphans/timeline-date.log') }]));
    const cut = write('cut.tar.gz', good.subarray(0, Math.floor(good.length * 0.6)));
    const junk = write('junk.zip', Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(100, 7)]));
    const r = await collectSnapshots([cut, junk, samplePath('kernel-6.18/idle/combined.txt')]);
    expect(r.snapshots.map((s) => s.source.replace(tmp + '/', '')).pop()).toMatch(/idle\/combined\.txt:1$/);
    const rs = reasons(r).join('\n');
    expect(rs).toMatch(/^cut\.tar\.gz.*: (archive unreadable: |read failed: |archive cut short)/m);
    expect(rs).toMatch(/^junk\.zip: zip unreadable: /m);
  });

  it('a wrong extension: the content decides', async () => {
    const gzAsTxt = write('capture.txt', gzipSync(REAL));
    const textAsGz = write('capture2.gz', REAL);
    const r = await collectSnapshots([gzAsTxt, textAsGz]);
    expect(r.snapshots).toHaveLength(2);
    expect(reasons(r)).toEqual([
      'capture.txt: read as gz by its content (the name says plain text)',
      'capture2.gz: named as gz but its content is not; read as plain text',
    ]);
  });
});

describe('bad input never loses data', () => {
  it('a symlink loop in a directory, an unreadable-by-design binary and non-UTF-8 bytes: reported, the rest read', async () => {
    const d = join(tmp, 'dir');
    mkdirSync(d);
    symlinkSync(join(d, 'loop'), join(d, 'loop'));
    writeFileSync(join(d, 'bin.dat'), Buffer.from([0, 1, 2, 3, 0, 0]));
    writeFileSync(join(d, 'latin1.log'), Buffer.concat([Buffer.from('caf\u00e9 \xff\xfe garbage\n', 'latin1'), Buffer.from(REAL)]));
    const r = await collectSnapshots([d]);
    expect(r.snapshots).toHaveLength(1);
    expect(r.snapshots[0]!.values.tcp_unhashed).toBe(1500);
    expect(reasons(r)).toEqual(['dir/bin.dat: binary file (100% of its first bytes are control or NUL bytes); not a text capture', 'dir/loop: cannot read: ELOOP']);
  });

  it('a line over 1 MiB is cut, reported, and the blocks around it are read', async () => {
    const p = write('long.log', `Wed Nov 25 00:55:46 UTC 2026\n${REAL}${'x'.repeat(3 << 20)}\nWed Nov 25 00:55:47 UTC 2026\n${REAL}`);
    const r = await collectSnapshots([p]);
    expect(r.snapshots.map((s) => s.time)).toEqual(['2026-11-25T00:55:46Z', '2026-11-25T00:55:47Z']);
    expect(reasons(r)).toEqual(['long.log: 1 line(s) longer than 1 MiB cut to their first 1 MiB']);
  });
});

describe('rule expressions cannot reach JavaScript', () => {
  const rule = (when: string) => `id: x\ntitle: t\nseverity: info\nscope: snapshot\nwhen: ${JSON.stringify(when)}\nmessage: m\nexplain: e\nremediation: r\n`;
  it('globals, prototypes and `this` are unknown names, refused at load time with file:line', async () => {
    const { compileRule } = await import('../src/rules/load.js');
    for (const [expr, name] of [
      ['this.process', 'this.process'],
      ['constructor.constructor > 0', 'constructor.constructor'],
      ['__proto__.polluted == 1', '__proto__.polluted'],
      ['globalThis > 0', 'globalThis'],
      ['tcp_tw.constructor > 0', 'tcp_tw.constructor'],
    ] as const) {
      const r = compileRule(rule(expr), 'x.yaml');
      expect(r.rule).toBeUndefined();
      expect(r.issues).toEqual([{ source: 'x.yaml:5', reason: `unknown field "${name}" in when`, severity: 'error' }]);
    }
    const call = compileRule(rule('eval("1") > 0'), 'x.yaml');
    expect(call.issues[0]!.reason).toMatch(/^unknown function "eval" in when/);
  });

  it('very long and very deep expressions are handled without running out of stack', async () => {
    const { compileRule } = await import('../src/rules/load.js');
    const ok = Array.from({ length: 150 }, () => 'tcp_tw').join(' + ') + ' > 0';
    expect(compileRule(rule(ok), 'x.yaml').rule).toBeDefined();
    const long = Array.from({ length: 20_000 }, () => 'tcp_tw').join(' + ') + ' > 0';
    expect(compileRule(rule(long), 'x.yaml').issues[0]!.reason).toMatch(/nested too deeply/);
    const deep = '('.repeat(5000) + 'tcp_tw' + ')'.repeat(5000) + ' > 0';
    expect(compileRule(rule(deep), 'x.yaml').issues[0]!.reason).toMatch(/nested too deeply/);
  });
});

describe('hostile rule files (issue 18 item 19)', () => {
  const rule = (when: string, id = 'x') => `id: ${id}\ntitle: t\nseverity: info\nscope: snapshot\nwhen: ${JSON.stringify(when)}\nmessage: m\nexplain: e\nremediation: r\n`;
  // Nine levels of aliases, each nine times the one before: 9^9 nodes once expanded.
  const laughs = ['id: lol', 'title: t', 'severity: info', 'scope: snapshot', 'when: tcp_tw > 0', 'message: m', 'explain: e', 'remediation: r', 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (const c of 'bcdefghi') {
    const p = String.fromCharCode(c.charCodeAt(0) - 1);
    laughs.push(`${c}: &${c} [${Array.from({ length: 9 }, () => `*${p}`).join(',')}]`);
  }

  it('a billion-laughs rule file is one lint error at its first alias; the other files of the folder are still checked', async () => {
    const { cli } = await import('./cli-run.js');
    const dir = join(tmp, 'laughs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a-good.yaml'), rule('tcp_tw > 0', 'good'));
    writeFileSync(join(dir, 'b-lol.yaml'), laughs.join('\n') + '\n');
    writeFileSync(join(dir, 'c-bad.yaml'), rule('no_such_field > 0', 'bad'));
    const r = await cli(['rules', 'lint', dir]);
    expect(r.code).toBe(2);
    expect(r.out.replaceAll(dir + '/', '')).toBe(
      'b-lol.yaml:10: YAML: Excessive alias count indicates a resource exhaustion attack\n' +
        'c-bad.yaml:5: unknown field "no_such_field" in when\n' +
        '2 problem(s) in 3 file(s)\n',
    );
    // analyze --rules DIR: the broken files are named, nothing is thrown.
    const a = await cli(['analyze', '--rules', dir, samplePath('kernel-6.18/idle/combined.txt')]);
    expect(a.code).toBe(2);
    expect(a.err).toContain('b-lol.yaml:10: YAML: Excessive alias count');
  });

  it('20,000 unknown names are linted in linear work: the rule text is scanned a bounded number of times, not once per name', async () => {
    const { compileRule } = await import('../src/rules/load.js');
    // Count the characters String.prototype.indexOf may scan while linting (its text from
    // where it starts): one scan of the whole rule per unknown name is quadratic.
    const scanned = (n: number) => {
      const text = rule(`max(${Array.from({ length: n }, (_, i) => `u${i}`).join(', ')}) > 0`);
      const orig = String.prototype.indexOf;
      let chars = 0;
      String.prototype.indexOf = function (this: string, s: string, from?: number) {
        chars += this.length - Math.max(0, from ?? 0);
        return orig.call(this, s, from);
      };
      let r;
      try {
        r = compileRule(text, 'x.yaml');
      } finally {
        String.prototype.indexOf = orig;
      }
      expect(r.issues.filter((i) => i.reason.startsWith('unknown field'))).toHaveLength(n);
      expect(r.issues[n - 1]).toEqual({ source: 'x.yaml:5', reason: `unknown field "u${n - 1}" in when`, severity: 'error' });
      return { chars, length: text.length };
    };
    const big = scanned(20_000);
    expect(big.chars).toBeLessThan(20 * big.length);
  });

  it('unknown names are still placed on their own line in a folded block', async () => {
    const { compileRule } = await import('../src/rules/load.js');
    const text = 'id: x\ntitle: t\nseverity: info\nscope: snapshot\nwhen: >-\n  tcp_tw > 0 &&\n  nope1 > 0 &&\n  tcp_tw > 1 && nope2 > 0\nmessage: m\nexplain: e\nremediation: r\n';
    expect(compileRule(text, 'x.yaml').issues).toEqual([
      { source: 'x.yaml:7', reason: 'unknown field "nope1" in when', severity: 'error' },
      { source: 'x.yaml:8', reason: 'unknown field "nope2" in when', severity: 'error' },
    ]);
  });
});

describe('memory bounded by the data kept (issue 18 item 6c)', () => {
  const LEAK = sample('kernel-6.18/unconnected-leak/combined.txt');
  const IDLE = sample('kernel-6.18/idle/combined.txt');

  it('past the series budget every series keeps one snapshot in 2, 4, ...: the first kept, said in a notice', async () => {
    const { analyze } = await import('../src/analyze.js');
    // 5,000 one-line snapshots (no time: they keep the order read); the value counts up, so the kept rows can be told apart.
    const p = write('many.log', Array.from({ length: 5000 }, (_, i) => `TCP: inuse 1 orphan 0 tw ${i} alloc 1 mem 0\n`).join(''));
    const r = await analyze([p], { maxSeriesRows: 1024 });
    expect(r.inputs.snapshots).toBe(5000);
    // 5,000 > 1,024 > 5,000/8: one in 8 kept, the 0th, 8th, 16th... read.
    expect(r.hosts.map((h) => h.snapshots)).toEqual([625]);
    expect(r.notices).toContain(
      '5000 snapshots read, more than the 1024 rows the series keep: each host\'s series keeps one snapshot in 8 (in the order read, the first included), and the rules and charts see those; export writes every snapshot',
    );
    const { analyzeWithSeries } = await import('../src/analyze.js');
    const { series } = await analyzeWithSeries([p], { maxSeriesRows: 1024 });
    const tw = series[0]!.col('tcp_tw');
    expect([tw[0], tw[1], tw[2], tw[624]]).toEqual([0, 8, 16, 4992]);
    expect(series[0]!.source(1)).toBe(`${p}:9`);
  });

  it('many one-row series are all kept whatever the budget (each is a line of input)', async () => {
    const { SeriesBuilder } = await import('../src/series/series.js');
    const { SnapshotRecord } = await import('../src/normalize/record.js');
    const b = new SeriesBuilder(16, undefined, 8);
    for (let i = 0; i < 100; i++) b.add(SnapshotRecord.of({ source: `f:${i + 1}`, host: `h${i}`, sources: [], formats: [], values: { tcp_tw: i }, otherKeys: {}, diagnostics: [] }));
    for (let i = 0; i < 100; i++) b.add(SnapshotRecord.of({ source: `f:${i + 101}`, host: 'h0', sources: [], formats: [], values: { tcp_tw: 1000 + i }, otherKeys: {}, diagnostics: [] }));
    const s = b.build();
    expect(s).toHaveLength(100);
    expect(s.filter((x) => x.length === 1)).toHaveLength(99);
    expect(s.find((x) => x.host === 'h0')!.length).toBeLessThan(101);
  });

  it('a rule that holds on every other snapshot makes at most 100 findings per series; the other runs are counted in a notice', async () => {
    const { analyze } = await import('../src/analyze.js');
    const p = write('alternate.log', (LEAK + IDLE).repeat(150));
    const r = await analyze([p]);
    expect(r.findings.filter((f) => f.rule === 'tcp-unhashed-sockets')).toHaveLength(100);
    expect(r.notices.find((n) => n.startsWith('rule tcp-unhashed-sockets'))).toMatch(
      /^rule tcp-unhashed-sockets on \(unnamed host: .*\): 50 more run\(s\) of snapshots where it holds, the last ending at .*alternate\.log:\d+, are not listed \(at most 100 findings per rule and series\)$/,
    );
  });

  it('sadf -d rows held for the activities of their moment are bounded: past the bound the first moment goes out, said once', async () => {
    const { Segmenter } = await import('../src/segment/segmenter.js');
    const blocks: { line: number; parts: number }[] = [];
    const problems: string[] = [];
    const seg = new Segmenter('s.txt', { maxSadfPending: 100, onProblem: (p) => problems.push(`${p.source}: ${p.reason} (${p.severity})`) }, (b) => blocks.push({ line: b.line, parts: b.parts }));
    seg.push('# hostname;interval;timestamp;totsck;tcpsck;udpsck;rawsck;ip-frag;tcp-tw');
    for (let i = 0; i < 1000; i++) seg.push(`h;60;2026-11-25 04:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')} UTC;11;1;0;0;0;2`);
    // Before the end of the file, all but the last 100 moments are out already.
    expect(blocks).toHaveLength(900);
    seg.end();
    expect(blocks).toHaveLength(1000);
    expect(blocks[0]).toEqual({ line: 2, parts: 1 });
    expect(problems).toEqual([
      's.txt: sadf -d rows of more than 100 moments: 900 moment(s) were let go before the end of the file to bound memory; an activity of those moments met after that (SOCK6 after SOCK) is a row of its own (warning)',
    ]);
  });

  it('the moment index holds at most its bound; the timed snapshots past it are counted per file', async () => {
    const { MomentIndex } = await import('../src/normalize/moments.js');
    const m = new MomentIndex(2);
    const v = [1, 2, 3];
    expect(m.check('h', undefined, 1000, v, 'a', 1)).toBeUndefined();
    expect(m.check('h', undefined, 2000, v, 'a', 2)).toBeUndefined();
    expect(m.check('h', undefined, 3000, v, 'a', 3)).toBeUndefined();
    expect(m.unindexed).toEqual(new Map([['a', 1]]));
    // From another file: the indexed moments still merge, the one not indexed is new.
    expect(m.check('h', undefined, 1000, v, 'b', 1)).toEqual({ agree: 'a:1' });
    expect(m.check('h', undefined, 3000, v, 'b', 3)).toBeUndefined();
  });
});
