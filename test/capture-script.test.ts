import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';
import { cli } from './cli-run.js';

/** The capture script (issue 14.10), really run on this machine, its output read with no option. */
describe('sockscope capture-script', () => {
  it('prints the shipped script', async () => {
    const r = await cli(['capture-script']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(readFileSync(join(ROOT, 'scripts/sockscope-capture.sh'), 'utf8'));
    expect(r.out.startsWith('#!/bin/sh\n')).toBe(true);
  });

  it('four passes a second apart, listings every second pass: analyze reads them with no option', async () => {
    const d = mkdtempSync(join(tmpdir(), 'capture-'));
    const script = join(d, 'capture.sh');
    writeFileSync(script, (await cli(['capture-script'])).out);
    const r = spawnSync('sh', [script, '-i', '1', '-n', '2', '-c', '4', '-d', join(d, 'out')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    const log = readFileSync(join(d, 'out/sockets.log'), 'utf8');
    expect(log.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/gm)).toHaveLength(4);
    expect(log.match(/^State\s+Recv-Q\s+Send-Q/gm)).toHaveLength(2); // ss -tanp on passes 1 and 3
    expect(log).toContain('TcpExt:'); // /proc/net/netstat
    const a = await cli(['analyze', '--format', 'json', '-q', join(d, 'out')]);
    expect(a.code).toBe(0);
    const rep = JSON.parse(a.out) as { inputs: { snapshots: number; skipped: unknown[]; problems: unknown[] } };
    expect(rep.inputs.snapshots).toBe(4);
    expect(rep.inputs.skipped).toEqual([]);
  }, 60_000);

  it('rotates and gzips (-r 0: every pass), sockscope reads the .gz files; SIGTERM stops it cleanly', async () => {
    const d = mkdtempSync(join(tmpdir(), 'capture-rot-'));
    const script = join(ROOT, 'scripts/sockscope-capture.sh');
    expect(spawnSync('sh', [script, '-i', '1', '-n', '0', '-c', '3', '-r', '0', '-d', d], { timeout: 60_000 }).status).toBe(0);
    const gz = readdirSync(d).filter((f) => f.endsWith('.log.gz'));
    expect(gz.length).toBeGreaterThanOrEqual(1);
    const a = await cli(['analyze', '--format', 'json', '-q', d]);
    expect((JSON.parse(a.out) as { inputs: { snapshots: number } }).inputs.snapshots).toBe(3);

    const e = mkdtempSync(join(tmpdir(), 'capture-stop-'));
    const child = spawn('sh', [script, '-i', '30', '-d', e], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = Date.now();
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000); // the 30 s sleep is cut short
    expect(readFileSync(join(e, 'sockets.log'), 'utf8').match(/^\d{4}-.*Z$/gm)).toHaveLength(1);
  }, 90_000);
});
