import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { mdCode, mdText, oneLine } from '../src/report/safe-text.js';
import { ROOT, sample } from './helpers.js';

// Names from the inputs (a bundle's hostname, a sadf nodename, a file name, --host) reach
// every report. In CSV they must not become formulas, on a terminal not escape sequences,
// in markdown not HTML, links or new lines, in text not forged report lines.
const BIN = join(ROOT, 'dist/cli/main.js');
const tmp = mkdtempSync(join(tmpdir(), 'sockscope-safety-'));
const LEAK = sample('kernel-6.18/unconnected-leak/timeline-date.log');

function run(args: string[], cwd = ROOT): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd, maxBuffer: 1 << 28 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** A copy of a real capture under a hostile file name, in its own folder (the cwd of the run). */
function hostileFile(name: string): { dir: string; name: string } {
  const dir = mkdtempSync(join(tmp, 'd-'));
  writeFileSync(join(dir, name), LEAK);
  return { dir, name };
}

const FORMULA_NL = '=HYPERLINK("http://evil.example/?x",\n"click")';
const ESC = '\u001b]0;owned\u0007\u001b[2J\u009b31m';
const FORGE = 'web\nCRITICAL fake-rule: forged line\n  host web';
const HTMLISH = '<img src=x onerror=alert(1)><script>alert(2)</script>[click](http://evil.example) ![i](http://e/x.png) www.evil.example';

describe('CSV formula guard (export)', () => {
  it('a cell starting with = + - @ tab or CR gets a leading quote even when a newline follows', () => {
    for (const host of [FORMULA_NL, '+1+cmd|x\n', '-2+3\n', '@SUM(1)\nx', '\t=1\n', '\r=1\n']) {
      const r = run(['export', '-q', `--host=${host}`, 'samples/kernel-6.18/unconnected-leak/timeline-date.log']);
      expect(r.status).toBe(0);
      const rows = Papa.parse<string[]>(r.stdout, { skipEmptyLines: true }).data;
      expect(rows.length).toBe(37);
      for (const row of rows.slice(1)) expect([host, row[0]]).toEqual([host, `'${host}`]);
    }
  });

  it('a file name that starts a formula is guarded in the source column (fast and general paths)', () => {
    const f = hostileFile('=cmd|x\n.log');
    const r = run(['export', '-q', f.name], f.dir);
    expect(r.status).toBe(0);
    const rows = Papa.parse<string[]>(r.stdout, { skipEmptyLines: true }).data;
    const src = rows[0]!.indexOf('source');
    expect(rows.slice(1).map((x) => x[src]!.slice(0, 9))).toEqual(Array(36).fill("'=cmd|x\n."));
  });
});

describe('text report: no escape sequence reaches the terminal, no forged line', () => {
  it('--host with ESC, BEL, C1 CSI and newlines', () => {
    const r = run(['analyze', '-q', '--host', `${ESC}${FORGE}`, 'samples/kernel-6.18/unconnected-leak/timeline-date.log']);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('CRITICAL'))).toEqual([
      'CRITICAL tcp-unhashed-sockets: TCP sockets allocated but never connected (unhashed, TCP_CLOSE)',
    ]);
    expect(r.stdout).toContain('  host \\x1b]0;owned\\x07\\x1b[2J\\x9b31mweb\\nCRITICAL fake-rule: forged line\\n  host web, 2026-11-25T00:55:');
  });

  it('a file name with ESC and a newline, in evidence and on every line that names it', () => {
    const f = hostileFile(`a\u001b[2Jb\nCRITICAL x.log`);
    const r = run(['analyze', '-q', f.name], f.dir);
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(r.stdout).toContain('a\\x1b[2Jb\\nCRITICAL x.log:');
    expect(r.stdout.split('\n').filter((l) => l.startsWith('CRITICAL'))).toHaveLength(1);
  });

  it('notices on stderr are escaped too', () => {
    const rules = join(tmp, 'rules-notice');
    mkdirSync(rules, { recursive: true });
    const rule = sample('../rules/tcp-unhashed-sockets.yaml');
    const evilDir = join(rules, `x\u001b[31m`);
    mkdirSync(evilDir);
    writeFileSync(join(evilDir, 'tcp-unhashed-sockets.yaml'), rule);
    const r = run(['analyze', 'samples/kernel-6.18/unconnected-leak/timeline-date.log', '--rules', evilDir]);
    expect(r.stderr).toContain('x\\x1b[31m/tcp-unhashed-sockets.yaml replaces');
    expect(r.stderr).not.toContain('\u001b');
  });
});

describe('markdown report: names are text', () => {
  it('--host with HTML, links, images, autolinks and newlines', () => {
    const r = run(['analyze', '-q', '--format', 'markdown', '--host', `${HTMLISH}\n### forged\n${ESC}`, 'samples/kernel-6.18/unconnected-leak/timeline-date.log']);
    expect(r.status).toBe(0);
    const md = r.stdout;
    expect(md).not.toMatch(/<img|<script|\]\(http:\/\/evil|!\[i\]|www\.evil|http:\/\/e\/x/);
    expect(md).not.toMatch(/^### forged/m);
    expect(md).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(md).toContain('Host **&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;\\[click\\](http:\\/\\/evil.example) !\\[i\\](http:\\/\\/e/x.png) www\\.evil.example\\n### forged\\n');
  });

  it('a file name with a backtick, a pipe and <script> stays inside its code span and table cell', () => {
    const f = hostileFile('a`|<script>b`` x.log');
    const r = run(['analyze', '-q', '--format', 'markdown', f.name], f.dir);
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('| peak'));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]).toMatch(/^\| peak \| 2026-11-25T00:56:18Z \| ```a`\\\|<script>b`` x\.log:683``` \| 1501 \|/);
  });
});

describe('safe-text', () => {
  it('oneLine, mdText and mdCode', () => {
    expect(oneLine('a\u001b[0m\n\r\t\u0085\u007fz')).toBe('a\\x1b[0m\\n\\r\\t\\x85\\x7fz');
    expect(mdText('node_1 _x_ *b* `c` | $x$ <b>&amp; a@b')).toBe('node_1 \\_x\\_ \\*b\\* \\`c\\` \\| \\$x\\$ &lt;b&gt;&amp;amp; a\\@b');
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('`a')).toBe('`` `a ``');
    expect(mdCode('x|y', true)).toBe('`x\\|y`');
  });
});
