import { describe, expect, it } from 'vitest';
import { cli } from './cli-run.js';

/** One screen for a fleet (issue 14.9): `sockscope summary`, and `analyze --output-dir`. */
describe('sockscope summary', () => {
  it('is analyze --format summary under its own name: hosts worst first, one line each, with the top finding', async () => {
    const inputs = ['samples/kernel-6.18/unconnected-leak/timeline-date.log', 'samples/kernel-6.18/idle/timeline-date.log'];
    const s = await cli(['summary', '-q', ...inputs]);
    const a = await cli(['analyze', '--format', 'summary', '-q', ...inputs]);
    expect(s.code).toBe(0);
    expect(s.out).toBe(a.out);
    const lines = s.out.split('\n');
    expect(lines[0]).toMatch(/^host +snapshots +crit +warn +info +top finding$/);
    expect(lines[1]).toMatch(/^\(unnamed host: samples\/kernel-6\.18\/unco… +36 +1 +1 +0 +critical tcp-unhashed-sockets from 2026-11-25T00:55:50Z \(critical since 2026-11-25T00:56:09Z\): 1500 TCP sockets/);
    expect(lines[2]).toMatch(/^\(unnamed host: samples\/kernel-6\.18\/idle\) +32 +0 +0 +0 +-$/);
    expect(lines.slice(3)).toEqual(['', '2 host(s), 2 finding(s); 2 file(s), 68 snapshot(s), 0 skipped', '']);
  });

  it('takes the rule options and --fail-on, and no report format', async () => {
    const s = await cli(['summary', '-q', '--disable', 'tcp-unhashed-sockets', '--fail-on', 'warning', 'samples/kernel-6.18/unconnected-leak/timeline-date.log']);
    expect(s.code).toBe(1);
    expect(s.out).toMatch(/ +0 +1 +0 +warning tcp-unhashed-growth from /);
    const f = await cli(['summary', '--format', 'html', 'samples/kernel-6.18/idle/timeline-date.log']);
    expect([f.code, f.err]).toEqual([2, expect.stringMatching(/Unknown argument: format/)]);
  });
});
