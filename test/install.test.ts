import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

/**
 * The package as users get it (issue 14.11): `npm pack`, then a global install of the tarball
 * into a temporary prefix, then the installed bin and the library entry. The bundle holds every
 * library, so the install is the package alone; these bounds fail if a runtime dependency
 * (zod alone is 8 MB) or an unbundled file comes back.
 */
const MAX_INSTALLED_KIB = 5 * 1024;
const MAX_TARBALL_BYTES = 1024 * 1024;

let dir: string;
let tarball: string;
let pkgDir: string;
let bin: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sockscope-install-'));
  // global-setup has just built dist/: packing without scripts does not build it a second time.
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
  ) as { filename: string; size: number; unpackedSize: number; files: { path: string }[] }[];
  tarball = join(dir, packed[0]!.filename);
  const prefix = join(dir, 'prefix');
  execFileSync('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  pkgDir = join(prefix, 'lib', 'node_modules', 'sockscope');
  bin = join(prefix, 'bin', 'sockscope');
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const run = (args: string[], cwd = ROOT) => spawnSync(bin, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 1 << 26 });

describe('the installed package', () => {
  it(`installs globally in at most ${MAX_INSTALLED_KIB / 1024} MB, with no runtime dependency and no source map`, () => {
    const kib = Number(execFileSync('du', ['-sk', join(dir, 'prefix')], { encoding: 'utf8' }).split('\t')[0]);
    expect(kib).toBeGreaterThan(100);
    expect(kib).toBeLessThanOrEqual(MAX_INSTALLED_KIB);
    expect(readFileSync(tarball).length).toBeLessThanOrEqual(MAX_TARBALL_BYTES);
    const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { dependencies?: object };
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(readdirSync(pkgDir)).not.toContain('node_modules');
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    // Only the bundles run: tsc's per-stage .js files (which import the libraries) stay out.
    expect(files.filter((f) => f.endsWith('.js') && !/^package\/dist\/(index\.js|cli\/main\.js|cli\/parallel\/(analyze-)?worker\.js|chunks\/)/.test(f))).toEqual([]);
  });

  it('the installed bin prints its version and analyzes a sample', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const v = run(['--version']);
    expect([v.status, v.stdout.trim()]).toEqual([0, pkg.version]);
    const r = run(['analyze', '-q', 'samples/kernel-6.18/unconnected-leak/timeline-date.log']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^CRITICAL tcp-unhashed-sockets: /m);
    // analyze -j forks its workers from the installed package (they were left out of it once).
    const two = ['samples/kernel-6.18/idle/timeline-date.log', 'samples/kernel-6.18/orphans/timeline-date.log'];
    const j2 = run(['analyze', '-q', '-j', '2', '--format', 'json', ...two]);
    const j1 = run(['analyze', '-q', '-j', '1', '--format', 'json', ...two]);
    expect([j2.status, j2.stderr]).toEqual([0, '']);
    expect(j2.stdout).toBe(j1.stdout);
    // The built-in rules resolve inside the installed package, from another directory too.
    const list = run(['rules', 'list'], dir);
    expect(list.stdout).toMatch(/^tcp-unhashed-sockets +warning +snapshot /m);
  });

  it('exports from an archive, as JSON Lines, with -j 2 and as Parquet', () => {
    const r = run(['export', '-q', '-j', '2', '--format', 'jsonl', 'samples/bundles/sosreport-vm-2026-11-25-corpus.tar.xz', 'samples/kernel-6.18/idle/timeline-date.log']);
    expect(r.status).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { host: string | null });
    expect(rows.length).toBeGreaterThan(10);
    const p = run(['export', '-q', 'samples/kernel-6.18/idle/timeline-date.log', '-o', join(dir, 'idle.parquet')]);
    expect(p.status).toBe(0);
    expect(readFileSync(join(dir, 'idle.parquet')).subarray(0, 4).toString()).toBe('PAR1');
  });

  it("the library entry imports as 'sockscope' and finds what the CLI finds", () => {
    const proj = join(dir, 'proj');
    mkdirSync(proj, { recursive: true });
    symlinkSync(join(dir, 'prefix', 'lib', 'node_modules'), join(proj, 'node_modules'));
    const code = `import { analyze, VERSION } from 'sockscope';
const r = await analyze([${JSON.stringify(join(ROOT, 'samples/kernel-6.18/unconnected-leak/timeline-date.log'))}]);
console.log(VERSION, r.findings.map((f) => f.rule).join(','));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: proj, encoding: 'utf8' });
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+ tcp-unhashed-sockets,tcp-unhashed-growth$/);
  });
});
