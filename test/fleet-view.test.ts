import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostFileName } from '../src/report/per-host.js';
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

describe('analyze --output-dir', () => {
  const tmp = () => mkdtempSync(join(tmpdir(), 'sockscope-outdir-'));
  const two = ['samples/kernel-6.18/unconnected-leak/timeline-date.log', 'samples/kernel-6.18/idle/timeline-date.log'];

  it('writes one markdown report per host, worst first, and an index that links to each', async () => {
    const dir = join(tmp(), 'reports');
    const r = await cli(['analyze', '-q', '--output-dir', dir, ...two]);
    expect([r.code, r.out]).toEqual([0, '']);
    const names = readdirSync(dir).sort();
    expect(names).toEqual([expect.stringMatching(/^001-unnamed_host_samples_kernel-6\.18_unconnected-leak-[0-9a-f]{8}\.md$/), expect.stringMatching(/^002-unnamed_host_samples_kernel-6\.18_idle-[0-9a-f]{8}\.md$/), 'index.md']);
    const index = readFileSync(join(dir, 'index.md'), 'utf8');
    expect([...index.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1])).toEqual(names.slice(0, 2));
    expect(index).toContain('| critical tcp-unhashed-sockets from 2026-11-25T00:55:50Z (critical since 2026-11-25T00:56:09Z) |');
    const leak = readFileSync(join(dir, names[0]!), 'utf8');
    expect(leak).toMatch(/^## sockscope findings/);
    expect(leak).toContain('`tcp-unhashed-sockets`');
    expect(leak).not.toContain('kernel-6.18/idle)');
    const idle = readFileSync(join(dir, names[1]!), 'utf8');
    expect(idle).not.toContain('tcp-unhashed-sockets`');
    expect(idle).toContain('kernel-6.18/idle');
  });

  it('html and json: reports per host and index.html / index.json', async () => {
    const dir = tmp();
    expect((await cli(['analyze', '-q', '--output-dir', dir, '--format', 'html', ...two])).code).toBe(0);
    const index = readFileSync(join(dir, 'index.html'), 'utf8');
    const links = [...index.matchAll(/<a href="([^"]+)">/g)].map((m) => m[1]);
    expect(links).toHaveLength(2);
    for (const l of links) expect(readFileSync(join(dir, l!), 'utf8')).toMatch(/^<!doctype html>/);
    const jdir = tmp();
    expect((await cli(['analyze', '-q', '--output-dir', jdir, '--format', 'json', ...two])).code).toBe(0);
    const j = JSON.parse(readFileSync(join(jdir, 'index.json'), 'utf8')) as { hosts: { file: string; critical: number; top_finding: { rule: string } | null }[] };
    expect(j.hosts.map((h) => [h.critical, h.top_finding?.rule ?? null])).toEqual([[1, 'tcp-unhashed-sockets'], [0, null]]);
    const host = JSON.parse(readFileSync(join(jdir, j.hosts[0]!.file), 'utf8')) as { hosts: unknown[]; findings: { rule: string }[] };
    expect([host.hosts.length, host.findings.map((f) => f.rule)]).toEqual([1, ['tcp-unhashed-sockets', 'tcp-unhashed-growth']]);
  });

  it('names files safely whatever the host name holds, and keeps the name as text in the index', async () => {
    const dir = tmp();
    const evil = '../../x/<b>evil` | rm -rf';
    expect((await cli(['analyze', '-q', '--output-dir', dir, '--format', 'html', '--host', evil, two[0]!])).code).toBe(0);
    const names = readdirSync(dir).sort();
    expect(names).toEqual([expect.stringMatching(/^001-x_b_evil_rm_-rf-[0-9a-f]{8}\.html$/), 'index.html']);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('>../../x/&#60;b&#62;evil` | rm -rf</a>');
    expect(hostFileName(1, 1, 'a/b', 'md')).not.toBe(hostFileName(1, 1, 'a?b', 'md'));
    expect(hostFileName(7, 1200, '..', 'md')).toMatch(/^0007-host-[0-9a-f]{8}\.md$/);
    expect(hostFileName(1, 1, `-${'x'.repeat(100)}`, 'md')).toMatch(/^001-x{60}-[0-9a-f]{8}\.md$/);
  });

  it('refuses a folder that is not empty, -o with it, and formats that are not reports per host', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'old.md'), 'old');
    const full = await cli(['analyze', '--output-dir', dir, two[0]!]);
    expect([full.code, full.err]).toEqual([2, expect.stringMatching(/--output-dir .*: not an empty folder/)]);
    const both = await cli(['analyze', '--output-dir', join(dir, 'new'), '-o', 'x.md', two[0]!]);
    expect([both.code, both.err]).toEqual([2, expect.stringMatching(/give -o FILE or --output-dir DIR, not both/)]);
    const csv = await cli(['analyze', '--output-dir', join(dir, 'new'), '--format', 'csv', two[0]!]);
    expect([csv.code, csv.err]).toEqual([2, expect.stringMatching(/--output-dir writes markdown, html, json or text reports, not csv/)]);
    expect(readdirSync(dir)).toEqual(['old.md']);
  });

  it('names an input that failed in the index and in each report, and exits 2', async () => {
    const dir = tmp();
    const r = await cli(['analyze', '-q', '--output-dir', dir, two[0]!, 'no-such-file.log']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no-such-file.log');
    for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f), 'utf8'), f).toContain('no-such-file.log');
  });
});
