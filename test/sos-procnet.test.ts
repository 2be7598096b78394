/**
 * sosreport trees whose /proc/net copy sits under a process's folder (`proc/<pid>/net`, as
 * sos leaves it: /proc/net is a link to /proc/self/net): the bundle is one moment, and a
 * second process's copy is read once when it is the same, as a namespace of its own when not.
 * The trees are built from the real sosreport files of test/fixtures/world/hotsos/.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sosreportSkips } from '../src/ingest/bundles/sosreport.js';
import { collectSnapshots } from '../src/pipeline.js';
import { ROOT } from './helpers.js';

const HOTSOS = join(ROOT, 'test/fixtures/world/hotsos');

describe('sosreport /proc/net copies (proc/<pid>/net)', () => {
  it('the hotsos vault tree is one snapshot at its sos_commands/date/date, listing joined', async () => {
    const { snapshots, stats } = await collectSnapshots([join(HOTSOS, 'vault')]);
    expect(snapshots.map((s) => [s.time, s.formats.join('+')])).toEqual([['2022-02-10T09:51:32Z', 'sockstat+sockstat6+snmp+listing+netstat+netstat-s']]);
    expect(snapshots[0]!.values).toMatchObject({ sockets_used: 259, tcp_alloc: 314, tcp6_inuse: 5, tcp_estab: 20, list_time_wait: 105 });
    expect(stats.skipped).toEqual([]);
  });

  it('proc/net beside an identical proc/<pid>/net: read once, with a note', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockscope-procnet-'));
    cpSync(join(HOTSOS, 'vault'), dir, { recursive: true });
    cpSync(join(HOTSOS, 'vault/proc/282492/net'), join(dir, 'proc/net'), { recursive: true });
    const { snapshots, stats } = await collectSnapshots([dir]);
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]!.source).toBe(`${dir}/proc/net/sockstat:1`);
    expect(snapshots[0]!.values.sockets_used).toBe(259);
    expect(stats.inputProblems).toContainEqual({ source: `${dir}/proc/282492/net`, reason: `same content as ${dir}/proc/net: the host's network namespace, read once`, severity: 'warning' });
  });

  it("another process's different copy is that process's namespace, never added to the host's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockscope-procnet-'));
    cpSync(join(HOTSOS, 'vault'), dir, { recursive: true });
    cpSync(join(HOTSOS, 'vault/proc/282492/net'), join(dir, 'proc/net'), { recursive: true });
    cpSync(join(HOTSOS, 'rabbitmq/proc/123803'), join(dir, 'proc/123803'), { recursive: true });
    const { snapshots } = await collectSnapshots([dir]);
    const byNs = Object.fromEntries(snapshots.map((s) => [s.namespace ?? 'host', [s.time, s.values.sockets_used, s.values.tcp6_inuse]]));
    expect(byNs).toEqual({
      host: ['2022-02-10T09:51:32Z', 259, 5],
      'pid 123803': ['2022-02-10T09:51:32Z', 332, 163],
    });
  });

  it('a tree holding only proc/<pid>/net (hotsos rabbitmq) is one snapshot', async () => {
    const { snapshots } = await collectSnapshots([join(HOTSOS, 'rabbitmq')]);
    expect(snapshots.map((s) => s.formats.join('+'))).toEqual(['sockstat+sockstat6+snmp+netstat']);
    expect(snapshots[0]!.values).toMatchObject({ sockets_used: 332, tcp4_inuse: 10, tcp6_inuse: 163, tcp_estab: 166 });
    // No date file: the time is a guess, and the snapshot says where it came from.
    expect(snapshots[0]!.diagnostics.map((d) => d.message)).toContainEqual(
      `capture time taken from the file's mtime (${join(HOTSOS, 'rabbitmq/proc/123803/net/sockstat')}): the sosreport has no manifest or date file`,
    );
  });

  it('in an archive, a big capture under proc/<pid>/net is read; other big files there are passed over', () => {
    const big = 9 << 20;
    expect([sosreportSkips('proc/3255/net/sockstat', big), sosreportSkips('proc/3255/net/tcp6', big), sosreportSkips('proc/3255/net/unix', big)]).toEqual([false, false, true]);
  });
});
