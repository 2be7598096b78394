/**
 * sar text inside support bundles: read in the bundle's own time zone (sar prints local time
 * with no zone), and supportconfig's sar/ folder (text reports `sarDD`, `sarYYYYMMDD`, kept
 * xz-compressed once old). Bundles built from the real captures of samples/.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectSnapshots } from '../src/pipeline.js';
import { samplePath } from './helpers.js';

const SAR_A = samplePath('captures/sar-all/sar-A-C.txt');
/** The moments of sar-A-C.txt in Europe/Berlin, where it was made (test/sar.test.ts). */
const MOMENTS = ['2026-12-02T13:43:14Z', '2026-12-02T13:43:15Z', '2026-12-02T13:43:16Z', '2026-12-02T13:43:17Z', '2026-12-02T13:43:18Z'];
const TIMEDATECTL = '               Local time: Wed 2026-11-25 05:17:50 CET\n                Time zone: Europe/Berlin (CET, +0100)\n';

describe('sar text in support bundles', () => {
  it('sosreport: sos_commands/sar/sarDD in the zone timedatectl names, with no --tz', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'sockscope-bundle-sar-'));
    cpSync(samplePath('captures/sosreport-node3'), tmp, { recursive: true });
    const root = join(tmp, readdirSync(tmp).find((n) => n.startsWith('sosreport-'))!);
    mkdirSync(join(root, 'sos_commands/sar'), { recursive: true });
    cpSync(SAR_A, join(root, 'sos_commands/sar/sar02'));
    writeFileSync(join(root, 'sos_commands/date/timedatectl'), TIMEDATECTL);
    const r = await collectSnapshots([root]);
    const sar = r.snapshots.filter((s) => s.formats.includes('sar-sock'));
    expect(sar.map((s) => [s.host, s.time])).toEqual(MOMENTS.map((m) => ['node3', m]));
    expect(sar.flatMap((s) => s.diagnostics.filter((d) => /read as UTC/.test(d.message)))).toEqual([]);
  });

  it('sosreport with only etc/localtime (no timedatectl, no etc/timezone): sar times read with its POSIX TZ rule', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'sockscope-bundle-sar-'));
    cpSync(samplePath('captures/sosreport-node3'), tmp, { recursive: true });
    const root = join(tmp, readdirSync(tmp).find((n) => n.startsWith('sosreport-'))!);
    mkdirSync(join(root, 'sos_commands/sar'), { recursive: true });
    cpSync(SAR_A, join(root, 'sos_commands/sar/sar02'));
    mkdirSync(join(root, 'etc'), { recursive: true });
    // A TZif file as tzdata writes it: v2 header and data, then the rule as a footer line.
    writeFileSync(join(root, 'etc/localtime'), Buffer.concat([Buffer.from('TZif2'), Buffer.alloc(50), Buffer.from('\nCET-1CEST,M3.5.0,M10.5.0/3\n')]));
    const r = await collectSnapshots([root]);
    const sar = r.snapshots.filter((s) => s.formats.includes('sar-sock'));
    expect(sar.map((s) => [s.host, s.time])).toEqual(MOMENTS.map((m) => ['node3', m]));
    expect(sar.flatMap((s) => s.diagnostics.filter((d) => /read as UTC/.test(d.message)))).toEqual([]);
  });

  it('supportconfig: sar/sarYYYYMMDD.xz is read (binary saYYYYMMDD passed over), in the zone basic-environment.txt names', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'sockscope-bundle-sar-'));
    cpSync(samplePath('captures/supportconfig'), tmp, { recursive: true });
    const root = join(tmp, 'scc_node2_261125_0412');
    mkdirSync(join(root, 'sar'));
    cpSync(SAR_A, join(root, 'sar/sar20261202'));
    const xz = spawnSync('xz', ['-z', join(root, 'sar/sar20261202')]);
    if (xz.status !== 0) cpSync(SAR_A, join(root, 'sar/sar20261202'));
    writeFileSync(join(root, 'sar/sa20261202'), Buffer.from([0x96, 0xd5, 0x71, 0x21, 0, 0, 0, 1, 0, 0]));
    const env = join(root, 'basic-environment.txt');
    writeFileSync(env, `${readFileSyncUtf8(env)}\n#==[ Command ]======================================#\n# /usr/bin/timedatectl\n${TIMEDATECTL}`);
    const r = await collectSnapshots([root]);
    const sar = r.snapshots.filter((s) => s.formats.includes('sar-sock'));
    expect(sar.map((s) => [s.host, s.time, s.source.replace(/^.*\/scc_node2_261125_0412\//, '').replace(/:\d+$/, '')])).toEqual(
      MOMENTS.map((m) => ['node2', m, xz.status === 0 ? 'sar/sar20261202.xz' : 'sar/sar20261202']),
    );
    expect(r.stats.inputProblems.filter((p) => /binary/.test(p.reason))).toEqual([]);
  });
});

function readFileSyncUtf8(f: string): string {
  return spawnSync('cat', [f], { encoding: 'utf8' }).stdout;
}
