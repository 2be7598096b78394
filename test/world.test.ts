/**
 * Real captures made by other people (test/fixtures/world/, provenance in
 * SOURCES.md): each entry of expected.json names a file (or a bundle directory),
 * the values its source asserts or that the file visibly prints, and — where
 * sockscope gets it wrong today — `known_wrong`, a precise note of what comes out
 * wrong. Those entries run as `it.fails`: once a parser is fixed the test fails
 * until its `known_wrong` is removed, so the list stays true.
 *
 * Keys of `values`:
 * - `moments`: how many snapshots (distinct moments) the input gives;
 * - `formats`: formats that must feed the snapshot(s) (each must appear in one);
 * - `time`: ISO time of the (single) snapshot;
 * - canonical numeric fields (`sockets_used`, `tcp_tw`, `tcp_estab`...): the
 *   value of the single snapshot (every snapshot must agree when there are more);
 * - `at`: `{ "<ISO time>": { field: value } }`, the snapshot of that moment;
 * - `listing_states`: TCP states counted in the socket listing(s), e.g. `{ "ESTAB": 7 }`;
 * - `processes`: `{ "<pid>": "<name as printed>" }`, owners the listing names (a name may hold spaces);
 * - `lsof_unconnected_tcp`: `sock ... protocol: TCP`/`TCPv6` rows of lsof, once per (PID, FD);
 * - `other_keys`: counters as `Group.Key` (`TcpExt.ListenOverflows`), looked up under their
 *   nstat name (`TcpExtListenOverflows`: a column or the snapshot's `counters`), else in `otherKeys`;
 * - `kernel_events`: kernel log messages that matter (count per kind): the lines the
 *   built-in rule reading that kind matched (analyze; KERNEL_EVENT_RULE).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../src/normalize/types.js';
import { collectSnapshots } from '../src/pipeline.js';
import { analyze } from '../src/analyze.js';
import { ROOT } from './helpers.js';

const WORLD = join(ROOT, 'test/fixtures/world');

interface Entry {
  file: string;
  format: string;
  asserted_by: string;
  values: Record<string, unknown>;
  known_wrong?: string;
}

const ENTRIES = JSON.parse(readFileSync(join(WORLD, 'expected.json'), 'utf8')) as Entry[];

const SPECIAL = new Set(['moments', 'formats', 'time', 'at', 'listing_states', 'processes', 'lsof_unconnected_tcp', 'other_keys', 'kernel_events']);

function fieldsOf(s: Snapshot, want: Record<string, number>): Record<string, number | undefined> {
  const got: Record<string, number | undefined> = {};
  for (const k of Object.keys(want)) got[k] = (s.values as Record<string, number | undefined>)[k];
  return got;
}

function sumStates(snaps: Snapshot[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of snaps) for (const [k, v] of Object.entries(s.listing?.states ?? {})) out[k] = (out[k] ?? 0) + (v ?? 0);
  return out;
}

async function check(e: Entry): Promise<void> {
  if (e.values.kernel_events !== undefined) return checkKernelEvents(e);
  const { snapshots } = await collectSnapshots([join(WORLD, e.file)]);
  const v = e.values;
  if (v.moments !== undefined) expect(snapshots.length, 'moments').toBe(v.moments);
  expect(snapshots.length, 'at least one snapshot').toBeGreaterThan(0);
  if (v.formats !== undefined) {
    const seen = new Set(snapshots.flatMap((s) => s.formats));
    for (const f of v.formats as string[]) expect(seen.has(f), `format ${f} read (saw ${[...seen].join(',')})`).toBe(true);
  }
  if (v.time !== undefined) expect(snapshots.map((s) => s.time)).toEqual([v.time]);
  const plain: Record<string, number> = {};
  for (const [k, x] of Object.entries(v)) if (!SPECIAL.has(k)) plain[k] = x as number;
  if (Object.keys(plain).length > 0) for (const s of snapshots) expect(fieldsOf(s, plain), s.source).toEqual(plain);
  if (v.at !== undefined) {
    for (const [time, want] of Object.entries(v.at as Record<string, Record<string, number>>)) {
      const s = snapshots.find((x) => x.time === time);
      expect(s, `snapshot at ${time}`).toBeDefined();
      expect(fieldsOf(s!, want), time).toEqual(want);
    }
  }
  if (v.listing_states !== undefined) {
    const want = v.listing_states as Record<string, number>;
    const got = sumStates(snapshots);
    // Every state the source lists, and no TCP state it does not.
    expect(got).toEqual(want);
  }
  if (v.processes !== undefined) {
    const want = v.processes as Record<string, string>;
    const got: Record<string, string | undefined> = {};
    for (const pid of Object.keys(want)) {
      got[pid] = snapshots.flatMap((s) => s.listing?.processes ?? []).find((p) => p.pid === Number(pid))?.name;
    }
    expect(got, 'process names by pid').toEqual(want);
  }
  if (v.lsof_unconnected_tcp !== undefined) {
    const got = snapshots.reduce((n, s) => n + (s.listing?.lsofUnhashed ?? 0), 0);
    expect(got, 'lsof unconnected TCP sockets').toBe(v.lsof_unconnected_tcp);
  }
  if (v.other_keys !== undefined) {
    const want = v.other_keys as Record<string, number>;
    const got: Record<string, number | undefined> = {};
    // Protocol counters are kept under their nstat names (`TcpExt.TW` → `TcpExtTW`): a column or Snapshot.counters.
    const counter = (s: Snapshot, k: string): number | undefined => {
      const n = k.replace('.', '');
      return s.counters?.[n] ?? (s.values as Record<string, number | undefined>)[n] ?? s.otherKeys[k];
    };
    for (const k of Object.keys(want)) got[k] = snapshots.map((s) => counter(s, k)).find((x) => x !== undefined);
    expect(got).toEqual(want);
  }
}

/** Kernel log messages: the rule whose log pattern reads each kind, and its pattern. */
const KERNEL_EVENT_RULE: Record<string, [string, string]> = { nf_conntrack_table_full: ['conntrack-table-full', 'table_full'] };

/** kernel_events: the lines analyze matched, as the finding of the rule reading them counts them. */
async function checkKernelEvents(e: Entry): Promise<void> {
  const want = e.values.kernel_events as Record<string, number>;
  const r = await analyze([join(WORLD, e.file)]);
  const got: Record<string, number> = {};
  for (const k of Object.keys(want)) {
    const [rule] = KERNEL_EVENT_RULE[k]!;
    const m = r.findings.filter((f) => f.rule === rule).map((f) => /logged (\d+) lines?\b/.exec(f.message)?.[1]);
    got[k] = m.reduce((n, x) => n + Number(x ?? 0), 0);
  }
  expect(got).toEqual(want);
}

describe('real captures from outside (test/fixtures/world)', () => {
  it('every entry names a file that exists, once', () => {
    const files = ENTRIES.map((e) => e.file);
    expect(new Set(files).size).toBe(files.length);
    for (const f of files) expect(() => readFileSync(join(WORLD, f)), f).not.toThrow(/ENOENT/);
  });

  for (const e of ENTRIES) {
    const name = `${e.format}: ${e.file}`;
    if (e.known_wrong) it.fails(`${name} — known wrong: ${e.known_wrong}`, () => check(e));
    else it(name, () => check(e));
  }
});
