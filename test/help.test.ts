import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/cli.js';
import { manPage } from '../src/cli/man.js';
import { ROOT } from './helpers.js';
import { collector } from './cli-run.js';

/** The help of one command at a given width, as a terminal of that many columns shows it. */
async function help(words: string[], width: number | null = 80): Promise<string> {
  const stdout = collector();
  const stderr = collector();
  const code = await main([...words, '--help'], { stdout, stderr, stdin: Readable.from([]), env: { NO_COLOR: '1' }, helpWidth: width });
  expect([code, stderr.text()]).toEqual([0, '']);
  return stdout.text();
}

const COMMANDS = [[], ['analyze'], ['summary'], ['export'], ['explain'], ['capture-script'], ['rules'], ['rules', 'list'], ['rules', 'show'], ['rules', 'lint'], ['rules', 'test']];

describe('help (issue 14.4)', () => {
  it('lists archives, sosreports, supportconfigs and sar among the inputs, at the top and for each command that reads inputs', async () => {
    for (const words of [[], ['analyze'], ['summary'], ['export'], ['explain']]) {
      const flat = (await help(words, null)).replace(/\s+/g, ' ');
      for (const kind of ['archives (.tar, .tar.gz, .tar.xz, .zip, .gz, .xz)', 'sosreports', 'supportconfigs', 'sar']) {
        expect(flat, `${words.join(' ')}: ${kind}`).toContain(kind);
      }
    }
  });

  it('shows no [required] [default: []] for positionals', async () => {
    for (const words of COMMANDS) {
      const h = await help(words);
      expect(h, words.join(' ')).not.toMatch(/\[required\]|\[default: \[\]\]/);
    }
    expect(await help(['analyze'])).toMatch(/^ {2}inputs {2}capture logs and files, /m);
    expect(await help(['analyze'], null)).toMatch(/^ {2}inputs {2}capture logs and files, .*stdin +\[array\]$/m);
  });

  it('writes each example whole on one line of at most 80 columns, its description below, at 80 columns', async () => {
    let examples = 0;
    for (const words of COMMANDS) {
      const h = await help(words, 80);
      expect(h.split('\n').filter((l) => l.length > 80), words.join(' ')).toEqual([]);
      const section = /\nExamples:\n([\s\S]*?)(\n\n|$)/.exec(h)?.[1];
      expect(section, `${words.join(' ')} has examples`).toBeDefined();
      for (const line of section!.trimEnd().split('\n')) {
        // A command line, or its description indented below it: never a command's continuation.
        expect(line, words.join(' ')).toMatch(/^( {2}sockscope .*\S| {6}\S.*| {2}cat \S+ \| sockscope .*)$/);
        if (/^ {2}\S/.test(line)) examples++;
      }
    }
    expect(examples).toBeGreaterThanOrEqual(20);
    // The one that used to wrap in the middle: its command is one line.
    expect(await help(['analyze'], 80)).toContain('\n  sockscope analyze --param tcp-orphans-high.min_orphans=200 logs/\n');
  });

  it('ends the top-level help with the exit codes', async () => {
    expect(await help([])).toMatch(/\nExit codes: 0 done; 1 a finding at or above --fail-on; 2 usage error/);
  });
});

describe('man page (issue 14.4)', () => {
  it('man/sockscope.1 is the help of every command (npm run build writes it)', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; man: string[]; files: string[] };
    expect(pkg.man).toEqual(['./man/sockscope.1']);
    expect(pkg.files).toContain('man');
    const made = await manPage(main, pkg.version);
    expect(readFileSync(join(ROOT, 'man/sockscope.1'), 'utf8')).toBe(made);
    for (const head of ['.SH "SOCKSCOPE ANALYZE"', '.SH "SOCKSCOPE SUMMARY"', '.SH "SOCKSCOPE EXPORT"', '.SH "SOCKSCOPE RULES SHOW"', '.SH "EXIT STATUS"']) {
      expect(made).toContain(head);
    }
    expect(made).toContain('\\fBsockscope analyze \\-o report.html sosreport.tar.xz\\fR\na report with charts to attach to a ticket\n');
  });

  it.skipIf(!existsSync('/usr/bin/groff'))('groff formats it without a warning', () => {
    const r = execFileSync('groff', ['-man', '-Tutf8', '-ww', '-z', join(ROOT, 'man/sockscope.1')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(r).toBe('');
  });
});
