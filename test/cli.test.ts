import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { COLUMNS } from '../src/normalize/fields.js';
import { preforkCount } from '../src/cli/parallel/prefork.js';
import { ROOT, SCENARIOS, sample, samplePath } from './helpers.js';
import { cli } from './cli-run.js';

const BIN = join(ROOT, 'dist/cli/main.js');

/** The built bin in a process of its own: for what only a process shows (workers, pipes, exit). */
function runBin(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The CLI in this process (main(argv, io)): most tests. */
const run = (args: string[], input?: string) => cli(args, input === undefined ? {} : { input });

describe('explain --as ss', () => {
  it.each(SCENARIOS)('%s/combined.txt: byte for byte what ss -s printed', async (sc) => {
    const text = sample(`kernel-6.18/${sc}/combined.txt`);
    const realSs = text.slice(text.indexOf('Total:'));
    const r = await run(['explain', '--as', 'ss', samplePath(`kernel-6.18/${sc}/combined.txt`)]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(realSs);
  });

  it('a whole timeline: every block of ss -s rebuilt from sockstat alone (timeline-epoch + snmp absent → estab 0 noted)', async () => {
    const r = await run(['explain', '--as', 'ss', samplePath('kernel-6.18/idle/timeline-epoch.log')]);
    expect(r.code).toBe(0);
    const blocks = r.out.split('Total: ').length - 1;
    expect(blocks).toBe(32);
    expect(r.err).toMatch(/absent, printed as 0 as ss does: tcp_estab/);
  });
});

describe('explain', () => {
  it('works the seed arithmetic and separates host-wide counters', async () => {
    const r = await run(['explain', samplePath('public/adil-combined.txt')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('closed = alloc - (inuse4 + inuse6 - tw) = 247 - (143 + 4 - 38) = 138');
    expect(r.out).toContain('of which 38 TIME_WAIT and 100 allocated but unhashed (TCP_CLOSE');
    expect(r.out).toMatch(/host-wide counters.*\n\s+TCP alloc 247, orphan 1, TCP mem 86 pages/);
  });
});

describe('export', () => {
  it('CSV: the columns of docs/formats.md in order, absent values empty', async () => {
    const r = await run(['export', samplePath('kernel-6.18/unconnected-leak/timeline-iso.log')]);
    expect(r.code).toBe(0);
    const parsed = Papa.parse<string[]>(r.out.trim());
    expect(parsed.data[0]).toEqual([...COLUMNS]);
    expect(parsed.data[0]!.slice(0, 25)).toEqual(
      'host, time, source, formats, sockets_used, tcp_alloc, tcp4_inuse, tcp6_inuse, tcp_orphan, tcp_tw, tcp_closed, tcp_unhashed, tcp_estab, tcp_mem_pages, udp4_inuse, udp6_inuse, udp_mem_pages, udplite4_inuse, udplite6_inuse, raw4_inuse, raw6_inuse, frag4_inuse, frag4_memory, frag6_inuse, frag6_memory'.split(', '),
    );
    expect(parsed.data).toHaveLength(37);
    const last = Object.fromEntries(parsed.data[0]!.map((k, i) => [k, parsed.data[36]![i]]));
    expect(last).toMatchObject({ time: '2026-11-25T00:56:22Z', formats: 'ss', tcp_alloc: '1501', tcp_closed: '1500', tcp_unhashed: '1500', tcp_mem_pages: '', udp_mem_pages: '' });
    expect(r.err).toMatch(/36 block\(s\) → 36 snapshot\(s\)/);
  });

  it('JSON Lines: absent is null, never 0', async () => {
    const r = await run(['export', '--format', 'jsonl', samplePath('kernel-6.18/orphans/timeline-epoch.log')]);
    const rows = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(36);
    expect(rows[35]).toMatchObject({ tcp_orphan: 750, tcp_estab: null, formats: 'sockstat+sockstat6' });
  });

  it('reads stdin with -', async () => {
    const r = await run(['export', '-', '--quiet'], sample('kernel-6.18/idle/combined.txt'));
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out.split('\n')[1]).toMatch(/^,,"'-:1",sockstat\+sockstat6\+ss,11,1,1,0,0,0,0,0,0,210,/); // a cell starting with - is neutralized (OWASP)
  });

  it('no usable input is exit 2, a usage error too', async () => {
    expect((await run(['export', '/nonexistent'])).code).toBe(2);
    expect((await run(['export', '--format', 'xml', samplePath('public')])).code).toBe(2);
    expect((await run(['export', '--tz', 'Mars/Olympus', samplePath('public')])).err).toMatch(/unknown time zone/);
  });

  it('--help shows examples', async () => {
    const r = await run(['export', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Examples:/);
    expect(r.out).toContain('sockscope export samples/ -o snapshots.csv');
  });
});

describe('export on several cores', () => {
  it('two files with -j 2 give the same bytes as -j 1 (input order kept)', () => {
    const files = [samplePath('kernel-6.18/orphans/timeline-date.log'), samplePath('kernel-6.18/idle/timeline-date.log'), samplePath('kernel-6.18/timewait-storm/timeline-epoch.log')];
    const par = runBin(['export', '-j', '2', '--jobs-min-bytes', '1', ...files]);
    const ser = runBin(['export', '-j', '1', ...files]);
    expect(par.code).toBe(0);
    expect(par.out).toBe(ser.out);
    expect(par.err).toBe(ser.err);
    expect(par.out.split('\n').length).toBe(1 + 36 + 32 + 36 + 1);
  });

  it('five inputs on three cores (this process and two workers taking inputs in turn), one not a capture: the bytes and report of -j 1', () => {
    const files = [
      samplePath('kernel-6.18/orphans/timeline-date.log'),
      samplePath('kernel-6.18/idle/timeline-date.log'),
      samplePath('README.md'),
      samplePath('kernel-6.18/timewait-storm/timeline-epoch.log'),
      samplePath('kernel-6.18/unconnected-leak/timeline-date.log'),
    ];
    const par = runBin(['export', '-j', '3', '--jobs-min-bytes', '1', ...files]);
    const ser = runBin(['export', '-j', '1', ...files]);
    expect(par.out).toBe(ser.out);
    expect(par.err).toBe(ser.err);
    expect(par.err).toMatch(/: 5 file\(s\), /);
    expect(par.code).toBe(0);
    expect(par.out.split('\n').length).toBeGreaterThan(1 + 36 + 32 + 36);
  });

  it('-o FILE on two cores: a worker started before the file was opened appends to it in turn; a longer old file is cut', () => {
    const files = [samplePath('kernel-6.18/orphans/timeline-date.log'), samplePath('kernel-6.18/idle/timeline-date.log'), samplePath('kernel-6.18/timewait-storm/timeline-epoch.log')];
    const dir = mkdtempSync(join(tmpdir(), 'cli-o-'));
    const out = join(dir, 'all.csv');
    writeFileSync(out, 'x'.repeat(200_000)); // longer than the export: must not survive past its end
    const argv = ['export', '-j', '3', '--jobs-min-bytes', '1', ...files, '-o', out];
    expect(preforkCount(argv)).toBe(2); // the workers are started before the CLI opens the file
    const par = runBin(argv);
    const ser = runBin(['export', '-j', '1', ...files]);
    expect(par.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(ser.out);
  });

  it('workers started for an export that then fails on its options are ended: the run exits with the usage error', () => {
    const files = [samplePath('kernel-6.18/orphans/timeline-date.log'), samplePath('kernel-6.18/idle/timeline-date.log')];
    const argv = ['export', '-j', '2', '--jobs-min-bytes', '1', ...files, '--format', 'xml'];
    expect(preforkCount(argv)).toBe(1);
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [BIN, ...argv], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
    expect(r.signal).toBeNull(); // not killed by the timeout: nothing kept it alive
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Invalid values:[\s\S]*format/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('prefork reads the command line as yargs will: export, -j, big files only, values of options are not inputs', () => {
    const a = samplePath('kernel-6.18/orphans/timeline-date.log');
    const b = samplePath('kernel-6.18/idle/timeline-date.log');
    const size = statSync(a).size;
    const min = ['--jobs-min-bytes', '1'];
    expect(preforkCount(['export', '-j', '3', ...min, a, b])).toBe(1); // no more processes than files
    expect(preforkCount(['export', '-j3', ...min, a, b, a])).toBe(2);
    expect(preforkCount(['export', '--jobs=4', ...min, a, b, a, b])).toBe(3);
    expect(preforkCount(['export', '-j', '1', ...min, a, b])).toBe(0);
    expect(preforkCount(['export', '-j', '2', a, b])).toBe(0); // under 16 MiB: read on one core
    expect(preforkCount(['export', '-j', '2', '--jobs-min-bytes', String(size + 1), a, b])).toBe(0);
    expect(preforkCount(['export', '-j', '2', ...min, a, samplePath('kernel-6.18')])).toBe(0); // a directory stays on one reader
    expect(preforkCount(['export', '-j', '2', ...min, '-o', b, a])).toBe(0); // -o's value is not an input
    expect(preforkCount(['export', '-j', '2', ...min, '--tz', 'UTC', a, b])).toBe(1);
    expect(preforkCount(['export', '-j', '2', ...min, a])).toBe(0); // one file: one process
    expect(preforkCount(['analyze', '-j', '2', ...min, a, b])).toBe(0);
    expect(preforkCount(['--debug', 'export', '-j', '2', ...min, a, b])).toBe(0); // options first: left to the CLI
  });

  it('output closed early (| head): the workers end quietly, as this process does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-head-'));
    const logs = [1, 2].map((seed) => {
      const f = join(dir, `gen-${seed}.log`);
      expect(spawnSync(process.execPath, [join(ROOT, 'bench/gen.mjs'), '--size', '4M', '--out', f, '--seed', String(seed)]).status).toBe(0);
      return f;
    });
    const err = join(dir, 'err.txt');
    // The worker outlives this process (it is reading the second log when the pipe closes): wait for it.
    const r = spawnSync('bash', ['-c', `'${process.execPath}' '${BIN}' export -j 2 --jobs-min-bytes 1 '${logs[0]}' '${logs[1]}' 2>'${err}' | head -c 100 >/dev/null; sleep 2`], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(readFileSync(err, 'utf8')).toBe('');
  });

  it('small files given one by one stay on one reader, so the files of one moment still merge', () => {
    const dir = samplePath('captures/per-minute-files/snapshots');
    const files = readdirSync(dir).sort().map((f) => join(dir, f));
    const r = runBin(['export', '-j', '2', ...files]);
    expect(r.out.trim().split('\n')).toHaveLength(1 + 3);
  });
});

describe('library entry', () => {
  it("import { analyze, exportSnapshots } from 'sockscope' (the built package)", async () => {
    const lib = (await import(join(ROOT, 'dist/index.js'))) as typeof import('../src/index.js');
    const r = await lib.analyze([samplePath('kernel-6.18/unconnected-leak/combined.txt')]);
    expect(r.findings.map((f) => f.rule)).toEqual(['tcp-unhashed-sockets']);
    let csv = '';
    const stats = await lib.exportSnapshots([samplePath('kernel-6.18/idle/combined.txt')], { format: 'csv' }, (t) => {
      csv += t;
    });
    expect(stats.snapshots).toBe(1);
    expect(csv.split('\n')[0]).toBe(lib.COLUMNS.join(','));
  });
});

describe('options and inputs (issue 14)', () => {
  const leak = 'samples/kernel-6.18/unconnected-leak/combined.txt';
  it.each([
    [['--disable', 'tcp-orphans-high']],
    [['--disable=tcp-orphans-high']],
    [['--param', 'tcp-unhashed-sockets.min_unhashed=500']],
    [['--param=tcp-unhashed-sockets.min_unhashed=500']],
    [['--limit', 'tcp_max_orphans=65536']],
    [['--limit=tcp_max_orphans=65536']],
    [['--rules', 'test/fixtures/rules-custom']],
    [['--rules=test/fixtures/rules-custom']],
  ])('a repeatable option %j takes one value; the input after it stays an input', async (opt) => {
    const r = await run(['analyze', '--format', 'json', '-q', ...opt, leak]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out) as { inputs: { files: number } };
    expect(rep.inputs.files).toBe(1);
  });

  it('repeated twice, both values count', async () => {
    const r = await run(['analyze', '--format', 'json', '-q', '--disable', 'tcp-orphans-high', '--disable=capture-gap', leak]);
    const rep = JSON.parse(r.out) as { rules: string[]; inputs: { files: number } };
    expect(rep.inputs.files).toBe(1);
    expect(rep.rules).not.toContain('tcp-orphans-high');
    expect(rep.rules).not.toContain('capture-gap');
    expect(rep.rules).toContain('tcp-unhashed-sockets');
  });

  it('rules show --rules DIR ID: the id after it stays the id', async () => {
    const r = await run(['rules', 'show', '--rules', 'test/fixtures/rules-custom', 'estab-drop']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('estab-drop');
  });
});

describe('inputs that cannot be read (issue 14.2)', () => {
  const idle = 'samples/kernel-6.18/idle/combined.txt';
  const leak = 'samples/kernel-6.18/unconnected-leak/combined.txt';

  it('analyze nope.log: said on stderr, exit 2', async () => {
    const r = await run(['analyze', 'nope.log']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('sockscope: nope.log: cannot read: ENOENT');
  });

  it.each(['text', 'markdown', 'html', 'json'])('%s: a failed input is named at the top, before the findings or "No findings"; what could be read is written; exit 2', async (fmt) => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-fail-'));
    const out = join(dir, `ticket.${fmt === 'markdown' ? 'md' : fmt === 'text' ? 'txt' : fmt}`);
    const r = await run(['analyze', '--format', fmt, '-o', out, idle, 'nope.log', leak]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('sockscope: nope.log: cannot read: ENOENT');
    const t = readFileSync(out, 'utf8');
    if (fmt === 'json') {
      expect((JSON.parse(t) as { inputs: { failed: unknown } }).inputs.failed).toEqual([{ source: 'nope.log', reason: 'cannot read: ENOENT', severity: 'error' }]);
      return;
    }
    const at = t.indexOf('nope.log');
    expect(at).toBeGreaterThan(-1);
    expect(at).toBeLessThan(t.indexOf('tcp-unhashed-sockets'));
  });

  it('never "No findings" without the failed inputs', async () => {
    for (const fmt of ['text', 'markdown']) {
      const r = await run(['analyze', '--format', fmt, idle, 'nope.log']);
      expect(r.code).toBe(2);
      const at = r.out.indexOf('nope.log');
      expect(at).toBeGreaterThan(-1);
      expect(at).toBeLessThan(r.out.search(fmt === 'text' ? /findings in what could be read: 0 critical/ : /No findings in what could be read \(1 input\(s\) not read, above\)/));
    }
  });

  it('a named binary file is an input that failed; a file read in a folder with a note is not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-bin-'));
    writeFileSync(join(dir, 'bin.dat'), Buffer.from([0, 1, 2, 0]));
    const r = await run(['analyze', '-q', '--format', 'json', join(dir, 'bin.dat'), idle]);
    expect(r.code).toBe(2);
    expect((JSON.parse(r.out) as { inputs: { failed: { source: string }[] } }).inputs.failed.map((f) => f.source)).toEqual([join(dir, 'bin.dat')]);
    const ok = await run(['analyze', '-q', '--format', 'json', dir, idle]);
    expect(ok.code).toBe(0); // a folder is named; a file in it that is not a capture is a problem, not a failed input
  });

  it('export and explain: the rows of what could be read, then exit 2', async () => {
    const e = await run(['export', idle, 'nope.log']);
    expect(e.code).toBe(2);
    expect(e.out.trim().split('\n')).toHaveLength(2);
    expect(e.err).toContain('sockscope: nope.log: cannot read: ENOENT');
    const x = await run(['explain', 'nope.log', idle]);
    expect(x.code).toBe(2);
    expect(x.out).toContain('closed = alloc');
  });

  it('even with --quiet, a failed input is said on stderr', async () => {
    const r = await run(['export', '-q', idle, 'nope.log']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('sockscope: nope.log: cannot read: ENOENT\n');
  });
});

describe('-o FILE: the format from its extension (issue 14.3)', () => {
  const leak = 'samples/kernel-6.18/unconnected-leak/combined.txt';
  const dir = mkdtempSync(join(tmpdir(), 'cli-ext-'));
  it.each([
    ['report.html', /^<!doctype html>/i],
    ['REPORT.HTM', /^<!doctype html>/i],
    ['ticket.md', /^## sockscope findings/],
    ['ticket.markdown', /^## sockscope findings/],
    ['report.json', /^\{\n {2}"tool"/],
    ['report.txt', /^sockscope \d/],
    ['report.log', /^sockscope \d/],
  ])('analyze -o %s', async (name, re) => {
    const r = await run(['analyze', '-q', leak, '-o', join(dir, name)]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, name), 'utf8')).toMatch(re);
  });

  it('--format overrides the extension', async () => {
    await run(['analyze', '-q', '--format', 'json', leak, '-o', join(dir, 'x.html')]);
    expect(readFileSync(join(dir, 'x.html'), 'utf8')).toMatch(/^\{/);
  });

  it('export -o x.jsonl writes JSON Lines, -o x.csv CSV, --format wins', async () => {
    await run(['export', '-q', leak, '-o', join(dir, 'x.jsonl')]);
    expect(readFileSync(join(dir, 'x.jsonl'), 'utf8')).toMatch(/^\{"host"/);
    await run(['export', '-q', leak, '-o', join(dir, 'x.csv')]);
    expect(readFileSync(join(dir, 'x.csv'), 'utf8')).toMatch(/^host,time,/);
    await run(['export', '-q', '--format', 'csv', leak, '-o', join(dir, 'y.jsonl')]);
    expect(readFileSync(join(dir, 'y.jsonl'), 'utf8')).toMatch(/^host,time,/);
  });
});

describe('conventions (issue 14.4)', () => {
  const leak = 'samples/kernel-6.18/unconnected-leak/combined.txt';
  it('a mistyped command gets "did you mean"', async () => {
    const r = await run(['analyse', leak]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Did you mean analyze\?/);
  });

  it('completion prints a shell completion script', async () => {
    const r = await run(['completion']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/complete -o bashdefault -o default -F _sockscope_yargs_completions sockscope|compdef/);
  });

  it('--color and FORCE_COLOR / NO_COLOR', async () => {
    const esc = '\u001b[';
    expect((await cli(['analyze', '-q', '--color=always', leak])).out).toContain(esc);
    expect((await cli(['analyze', '-q', '--color', 'never', leak], { env: { FORCE_COLOR: '1' } })).out).not.toContain(esc);
    expect((await cli(['analyze', '-q', leak], { env: { FORCE_COLOR: '1' } })).out).toContain(esc);
    expect((await cli(['analyze', '-q', leak], { env: { NO_COLOR: '1' }, tty: true })).out).not.toContain(esc);
    expect((await cli(['analyze', '-q', leak], { env: {}, tty: true })).out).toContain(esc);
    expect((await run(['analyze', '--color', 'sometimes', leak])).code).toBe(2);
  });

  it('--version', async () => {
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
