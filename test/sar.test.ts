import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectSnapshots } from '../src/pipeline.js';
import { samplePath } from './helpers.js';

/**
 * sysstat outputs: `sadf -d`, `sadf -j` and plain `sar` text, on real files
 * (samples/captures/sar-all/make.sh made them with Debian's sysstat 12.6.1;
 * test/fixtures/world/sysstat/ holds outputs from sysstat's own test suite).
 */
const ALL = (f: string) => samplePath(`captures/sar-all/${f}`);
const tmp = mkdtempSync(join(tmpdir(), 'sockscope-sar-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The five moments of samples/captures/sar-all (sar -A 1 5, host vm, Europe/Berlin = UTC+1). */
const MOMENTS = ['2026-12-02T13:43:14Z', '2026-12-02T13:43:15Z', '2026-12-02T13:43:16Z', '2026-12-02T13:43:17Z', '2026-12-02T13:43:18Z'];
const TOTSCK = [37, 37, 31, 31, 31];

describe('sadf -d over all activities (sadf -d -- -A)', () => {
  it('takes the SOCK and SOCK6 rows, one snapshot a moment; the other activities are outside lines', async () => {
    const r = await collectSnapshots([ALL('sadf-d-A.txt')]);
    expect(r.snapshots.map((s) => s.time)).toEqual(MOMENTS);
    expect(r.snapshots.map((s) => s.values.sockets_used)).toEqual(TOTSCK);
    expect(r.snapshots[0]).toMatchObject({ host: 'vm', formats: ['sar-sock', 'sar-sock6'], source: `${ALL('sadf-d-A.txt')}:314` });
    expect(r.snapshots[0]!.values).toEqual({
      sockets_used: 37, tcp4_inuse: 1, udp4_inuse: 0, raw4_inuse: 0, frag4_inuse: 0, tcp_tw: 0,
      tcp6_inuse: 0, udp6_inuse: 0, raw6_inuse: 0, frag6_inuse: 0,
    });
    expect(r.stats.blocks).toBe(10);
    expect(r.stats.skipped).toEqual([]);
    // 452 lines: 2 SOCK/SOCK6 headers and their 10 rows are read, the other 35 headers and 405 rows are outside.
    expect(r.stats.lines).toBe(452);
    expect(r.stats.outsideLines).toBe(440);
  });

  it('a ragged row (a file cut short, a field lost) is a skip with its file:line, never read', async () => {
    const lines = readFileSync(ALL('sadf-d-A.txt'), 'utf8').split('\n');
    lines[315 - 1] = 'vm;1;2026-12-02 13:43:15 UTC;37;1;0;0;0'; // tcp-tw lost
    lines[363 - 1] = 'vm;1;2026-12-02 13:43:15 UTC;0;0;0;0;0'; // one field too many
    const cut = join(tmp, 'sadf-d-ragged.txt');
    writeFileSync(cut, lines.slice(0, 366).join('\n') + '\nvm;1;2026-12-02 13:4');
    const r = await collectSnapshots([cut]);
    expect(r.stats.skipped).toEqual([
      { source: `${cut}:315`, reason: 'sar -n SOCK: row has 8 field(s) where its header (line 313) has 9; not read' },
      { source: `${cut}:363`, reason: 'sar -n SOCK6: row has 8 field(s) where its header (line 361) has 7; not read' },
      { source: `${cut}:367`, reason: 'sar -n SOCK6: row has 3 field(s) where its header (line 361) has 7; not read' },
    ]);
    // 13:43:15 has neither row; the other four moments are whole.
    expect(r.snapshots.map((s) => s.time)).toEqual(MOMENTS.filter((_, i) => i !== 1));
    expect(r.snapshots.every((s) => s.formats.length === 2)).toBe(true);
  });

  it('a negative or unsafe count is a diagnostic and not used', async () => {
    const lines = readFileSync(ALL('sadf-d-A.txt'), 'utf8').split('\n');
    lines[314 - 1] = 'vm;1;2026-12-02 13:43:14 UTC;-37;1;0;0;0;99999999999999999999';
    const bad = join(tmp, 'sadf-d-bad.txt');
    writeFileSync(bad, lines.join('\n'));
    const s = (await collectSnapshots([bad])).snapshots[0]!;
    expect(s.values.sockets_used).toBeUndefined();
    expect(s.values.tcp_tw).toBeUndefined();
    expect(s.values.tcp4_inuse).toBe(1);
    expect(s.diagnostics.map((d) => `${d.source} ${d.message}`)).toEqual([
      `${bad}:314 sar totsck: not a socket count: "-37"; not used`,
      `${bad}:314 sar tcp-tw: not a socket count: "99999999999999999999"; not used`,
    ]);
  });
});
