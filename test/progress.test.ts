import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Progress } from '../src/cli/progress.js';
import { ROOT } from './helpers.js';

describe('progress on stderr', () => {
  it('draws files, bytes, rate and ETA on a terminal, and clears its line', () => {
    const out: string[] = [];
    let t = 0;
    const p = new Progress({ isTTY: true, columns: 120, write: (s) => out.push(s) > 0 }, 100 * 1048576, () => t);
    t = 2000;
    p.addBytes(50 * 1048576);
    p.fileDone();
    expect(out[0]).toBe('\r[##########..........] 50% 0 file(s), 50 MB of 100 MB, 25 MB/s ETA 0:02\u001b[K');
    t = 4000;
    p.fileDone();
    expect(out[1]).toBe('\r[##########..........] 50% 2 file(s), 50 MB of 100 MB, 13 MB/s ETA 0:04\u001b[K');
    p.done();
    expect(out[out.length - 1]).toBe('\r\u001b[K');
  });

  it('a terminal that reports no width (columns 0) still gets the whole line', () => {
    const out: string[] = [];
    let t = 0;
    const p = new Progress({ isTTY: true, columns: 0, write: (s) => out.push(s) > 0 }, 100 * 1048576, () => t);
    t = 2000;
    p.addBytes(50 * 1048576);
    expect(out[0]).toBe('\r[##########..........] 50% 0 file(s), 50 MB of 100 MB, 25 MB/s ETA 0:02\u001b[K');
  });

  it('only on a TTY, and never with --quiet or --no-progress', () => {
    expect(Progress.enabled({ isTTY: true, write: () => true }, false, true)).toBe(true);
    expect(Progress.enabled({ isTTY: false, write: () => true }, false, true)).toBe(false);
    expect(Progress.enabled({ isTTY: true, write: () => true }, true, true)).toBe(false);
    expect(Progress.enabled({ isTTY: true, write: () => true }, false, false)).toBe(false);
  });

  it('piped: nothing of it on stderr or stdout', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'export', 'samples/kernel-6.18/idle/timeline-date.log'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/\r|\u001b\[K/);
    expect(r.stdout).not.toMatch(/\r|\u001b\[K|MB\/s/);
  });
});
