import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, samplePath } from './helpers.js';
import { cli } from './cli-run.js';

/** Issue 18: outputs never destroy inputs, never end as half files; errors and exit codes survive pipes and full disks. */
const BIN = join(ROOT, 'dist/cli/main.js');
const idle = samplePath('kernel-6.18/idle/timeline-date.log');
const leak = samplePath('kernel-6.18/unconnected-leak/timeline-date.log');

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'cli-out-'));
}

describe('-o never names an input (issue 18.1, 18.2)', () => {
  it.each(['export', 'explain', 'analyze'])('%s v.log -o v.log: usage error, the input untouched', async (cmd) => {
    const d = tmp();
    const v = join(d, 'v.log');
    copyFileSync(idle, v);
    const before = readFileSync(v);
    const r = await cli([cmd, v, '-o', v]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/-o .*v\.log.* is one of the inputs/);
    expect(readFileSync(v)).toEqual(before);
  });

  it('the same file by another name (a symbolic link, ./, ..) is refused too', async () => {
    const d = tmp();
    const v = join(d, 'v.log');
    copyFileSync(idle, v);
    symlinkSync(v, join(d, 'link.log'));
    expect((await cli(['export', join(d, 'link.log'), '-o', v])).code).toBe(2);
    expect((await cli(['export', v, '-o', join(d, '.', 'sub', '..', 'v.log')])).code).toBe(2);
    expect(readFileSync(v)).toEqual(readFileSync(idle));
  });

  it('explain DIR -o DIR/z.txt (or deeper): usage error, nothing written', async () => {
    const d = tmp();
    mkdirSync(join(d, 'sub'));
    copyFileSync(idle, join(d, 'sub', 'a.log'));
    for (const out of [join(d, 'z.txt'), join(d, 'sub', 'deep', 'z.txt')]) {
      const r = await cli(['explain', d, '-o', out]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/lies under the input/);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('an output beside the inputs is fine, and an old file there is replaced whole', async () => {
    const d = tmp();
    const out = join(d, 'out.csv');
    writeFileSync(out, 'x'.repeat(100_000));
    const r = await cli(['export', '-q', idle, '-o', out]);
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^host,time,[^]*\n$/);
    expect(readFileSync(out, 'utf8')).not.toContain('xxx');
    expect(readdirSync(d)).toEqual(['out.csv']); // no temporary file left
  });

  it('a run that fails after opening -o leaves the old file as it was and no temporary file', async () => {
    const d = tmp();
    const out = join(d, 'report.md');
    writeFileSync(out, 'old report\n');
    // A rule folder that does not load fails the run after the inputs are named.
    const r = await cli(['analyze', '-q', idle, '--rules', join(ROOT, 'test/fixtures/rules-broken'), '-o', out]);
    expect(r.code).toBe(2);
    expect(readFileSync(out, 'utf8')).toBe('old report\n');
    expect(readdirSync(d)).toEqual(['report.md']);
  });

  it('SIGINT during an export: the old -o file stays whole, no temporary file is left', async () => {
    const d = tmp();
    const big = join(d, 'big.log');
    expect(spawnSync(process.execPath, [join(ROOT, 'bench/gen.mjs'), '--size', '12M', '--out', big, '--seed', '3']).status).toBe(0);
    const outDir = join(d, 'out');
    mkdirSync(outDir);
    const out = join(outDir, 'rows.csv');
    writeFileSync(out, 'previous rows\n');
    const child = spawn(process.execPath, [BIN, 'export', '-q', '-j', '1', big, '-o', out], { stdio: 'ignore' });
    // Interrupt once the temporary file has grown.
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (readdirSync(outDir).length > 1) {
          clearInterval(t);
          resolve();
        }
      }, 20);
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c, sig) => r(c ?? (sig ? 128 + 2 : null))));
    expect(code).toBe(130);
    expect(readFileSync(out, 'utf8')).toBe('previous rows\n');
    expect(readdirSync(outDir)).toEqual(['rows.csv']);
  }, 90_000);
});

describe('full disks, closed pipes, exit codes (issue 18.4, 18.10, 18.11)', () => {
  it('analyze > /dev/full: one line on stderr, exit 2', () => {
    const r = spawnSync('bash', ['-c', `'${process.execPath}' '${BIN}' analyze '${leak}' > /dev/full`], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^sockscope: cannot write to stdout: ENOSPC[^\n]*\n$/);
  });

  it('export -o /dev/full on two cores: every process ends, exit 2, one error', () => {
    const r = spawnSync(process.execPath, [BIN, 'export', '-j', '2', '--jobs-min-bytes', '1', leak, idle, '-o', '/dev/full'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/ENOSPC/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('export -o /dev/full on one core: exit 2', () => {
    const r = spawnSync(process.execPath, [BIN, 'export', leak, '-o', '/dev/full'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^sockscope: cannot write to \/dev\/full: ENOSPC/);
  });

  it('analyze samples/ --fail-on info | head -1: the exit code is still 1', () => {
    const r = spawnSync('bash', ['-c', `set -o pipefail; '${process.execPath}' '${BIN}' analyze '${samplePath('')}' --fail-on info -q | head -1 >/dev/null`], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
  });
});

describe('hostile options (issue 18.16, 18.19)', () => {
  it('--param __proto__.x=1 and constructor.x=5: usage errors, Object.prototype untouched', async () => {
    for (const p of ['__proto__.x=1', 'constructor.x=5', 'tcp-orphans-high.constructor=5', 'tcp-orphans-high.__proto__=5', 'tcp-orphans-high.toString=5']) {
      const r = await cli(['analyze', '-q', '--param', p, idle]);
      expect([p, r.code]).toEqual([p, 2]);
      expect(r.err).toMatch(/no such rule|has no param/);
    }
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('--since later than --until: usage error', async () => {
    const r = await cli(['export', '--since', '2026-11-25T01:00:00Z', '--until', '2026-11-25T00:00:00Z', idle]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--since .* is later than --until/);
  });

  it('export -- -file.txt reads the file', async () => {
    const d = tmp();
    copyFileSync(idle, join(d, '-file.txt'));
    const r = spawnSync(process.execPath, [BIN, 'export', '-q', '--', '-file.txt'], { cwd: d, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n').length).toBe(33);
  });
});
