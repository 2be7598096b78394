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
      expect(r.issues).toEqual([{ file: 'x.yaml', line: 5, message: `unknown field "${name}" in when` }]);
    }
    const call = compileRule(rule('eval("1") > 0'), 'x.yaml');
    expect(call.issues[0]!.message).toMatch(/^unknown function "eval" in when/);
  });

  it('very long and very deep expressions are handled without running out of stack', async () => {
    const { compileRule } = await import('../src/rules/load.js');
    const ok = Array.from({ length: 150 }, () => 'tcp_tw').join(' + ') + ' > 0';
    expect(compileRule(rule(ok), 'x.yaml').rule).toBeDefined();
    const long = Array.from({ length: 20_000 }, () => 'tcp_tw').join(' + ') + ' > 0';
    expect(compileRule(rule(long), 'x.yaml').issues[0]!.message).toMatch(/nested too deeply/);
    const deep = '('.repeat(5000) + 'tcp_tw' + ')'.repeat(5000) + ' > 0';
    expect(compileRule(rule(deep), 'x.yaml').issues[0]!.message).toMatch(/nested too deeply/);
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
      expect(r.issues.filter((i) => i.message.startsWith('unknown field'))).toHaveLength(n);
      expect(r.issues[n - 1]).toEqual({ file: 'x.yaml', line: 5, message: `unknown field "u${n - 1}" in when` });
      return { chars, length: text.length };
    };
    const big = scanned(20_000);
    expect(big.chars).toBeLessThan(20 * big.length);
  });

  it('unknown names are still placed on their own line in a folded block', async () => {
    const { compileRule } = await import('../src/rules/load.js');
    const text = 'id: x\ntitle: t\nseverity: info\nscope: snapshot\nwhen: >-\n  tcp_tw > 0 &&\n  nope1 > 0 &&\n  tcp_tw > 1 && nope2 > 0\nmessage: m\nexplain: e\nremediation: r\n';
    expect(compileRule(text, 'x.yaml').issues).toEqual([
      { file: 'x.yaml', line: 7, message: 'unknown field "nope1" in when' },
      { file: 'x.yaml', line: 8, message: 'unknown field "nope2" in when' },
    ]);
  });
});
