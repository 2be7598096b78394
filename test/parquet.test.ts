import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_FIELDS, COLUMNS } from '../src/normalize/fields.js';
import { isoMicros } from '../src/report/parquet.js';
import { FINDING_COLUMNS } from '../src/report/fleet.js';
import { cli } from './cli-run.js';
import { ROOT, samplePath } from './helpers.js';

// Real captures: a `date; cat sockstat; ss -s` loop, and sar data where sar gives no value
// for several counters (tcp_alloc, tcp_orphan... are absent, not 0).
const INPUTS = [samplePath('kernel-6.18/unconnected-leak/timeline-date.log'), samplePath('captures/sar/sadf-d.txt')];

let db: DuckDBInstance;
const dir = mkdtempSync(join(tmpdir(), 'sockscope-parquet-'));

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const c = await db.connect();
  try {
    return (await c.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    c.closeSync();
  }
}

const csvRows = (path: string): Record<string, string>[] =>
  Papa.parse<Record<string, string>>(readFileSync(path, 'utf8'), { header: true, skipEmptyLines: true }).data;

/** Parquet rows as DuckDB reads them: every cell as text (null stays null), `time` as epoch µs. */
const parquetRows = (path: string, from = `read_parquet('${path}')`, order = '') =>
  query(`SELECT ${COLUMNS.filter((c) => c !== 'time').map((c) => `"${c}"::VARCHAR AS "${c}"`).join(', ')}, epoch_us(time)::VARCHAR AS time_us FROM ${from} ${order}`);

/** Each CSV cell equals DuckDB's Parquet value: an empty cell is null there, never 0. */
function expectSameAsCsv(pq: Record<string, unknown>[], csv: Record<string, string>[]): void {
  expect(pq.length).toBe(csv.length);
  for (let i = 0; i < csv.length; i++) {
    const c = csv[i]!;
    const p = pq[i]!;
    for (const col of COLUMNS) {
      if (col === 'time') {
        expect(p.time_us, `row ${i} time`).toBe(c.time === '' ? null : String(BigInt(Date.parse(c.time!)) * 1000n));
      } else {
        expect(p[col], `row ${i} ${col}`).toBe(c[col] === '' ? null : c[col]);
      }
    }
  }
}

beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:');
});
afterAll(() => db?.closeSync());

describe('export --format parquet, read back by DuckDB', () => {
  const csv = join(dir, 'rows.csv');
  const pq = join(dir, 'rows.parquet');

  beforeAll(async () => {
    expect((await cli(['export', ...INPUTS, '-o', csv, '-q', '-j', '1'])).code).toBe(0);
    // Chosen by the extension; small row groups so the file has several.
    expect((await cli(['export', ...INPUTS, '-o', pq, '-q', '--row-group-rows', '20'])).code).toBe(0);
  });

  it('is a Parquet file (PAR1 at both ends), snappy-compressed, in row groups of 20 rows', async () => {
    const b = readFileSync(pq);
    expect(b.subarray(0, 4).toString()).toBe('PAR1');
    expect(b.subarray(-4).toString()).toBe('PAR1');
    const rows = csvRows(csv).length;
    expect(rows).toBeGreaterThan(40);
    const meta = await query(`SELECT count(DISTINCT row_group_id)::INT AS groups, min(compression) AS lo, max(compression) AS hi FROM parquet_metadata('${pq}')`);
    expect(meta[0]).toEqual({ groups: Math.ceil(rows / 20), lo: 'SNAPPY', hi: 'SNAPPY' });
  });

  it('has typed columns: counters BIGINT, time TIMESTAMP WITH TIME ZONE (UTC), texts VARCHAR', async () => {
    const types = Object.fromEntries((await query(`DESCRIBE SELECT * FROM read_parquet('${pq}')`)).map((r) => [r.column_name, r.column_type]));
    expect(Object.keys(types)).toEqual([...COLUMNS]);
    for (const f of ALL_FIELDS) expect(types[f], f).toBe('BIGINT');
    expect(types.time).toBe('TIMESTAMP WITH TIME ZONE');
    for (const c of ['host', 'source', 'formats', 'namespace', 'other_keys', 'diagnostics']) expect(types[c], c).toBe('VARCHAR');
    const utc = await query(`SELECT logical_type FROM parquet_schema('${pq}') WHERE name = 'time'`);
    expect(String(utc[0]!.logical_type)).toContain('isAdjustedToUTC=1');
  });

  it('gives the same values as the CSV, absent as null (sar has no tcp_alloc: null, not 0)', async () => {
    const c = csvRows(csv);
    expectSameAsCsv(await parquetRows(pq), c);
    const sar = await query(`SELECT count(*)::INT AS n, count(tcp_alloc)::INT AS alloc, count(tcp_tw)::INT AS tw FROM read_parquet('${pq}') WHERE formats LIKE 'sar%'`);
    expect(sar[0]!.n).toBeGreaterThan(0);
    expect(sar[0]!.alloc).toBe(0);
    expect(sar[0]!.tw).toBe(sar[0]!.n);
  });

  it('--format parquet writes Parquet to stdout too; without it, -o x.csv stays CSV', async () => {
    const r = await cli(['export', ...INPUTS, '--format', 'parquet', '-q']);
    expect(r.code).toBe(0);
    expect(r.out.startsWith('PAR1')).toBe(true);
    expect(readFileSync(csv, 'utf8').startsWith('host,time,')).toBe(true);
  });
});

describe('export --output-dir DIR --partition host date: a Hive-partitioned dataset', () => {
  const fleet = [samplePath('fleet'), samplePath('kernel-6.18/unconnected-leak/timeline-date.log')];
  const csv = join(dir, 'fleet.csv');
  const ds = join(dir, 'dataset');

  beforeAll(async () => {
    expect((await cli(['export', ...fleet, '-o', csv, '-q', '-j', '1'])).code).toBe(0);
    const r = await cli(['export', ...fleet, '--output-dir', ds, '--partition', 'host', 'date', '-q']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('has one folder per host and UTC day, host absent as Hive\'s null partition', () => {
    const hosts = readdirSync(ds).sort();
    expect(hosts).toEqual(['host=__HIVE_DEFAULT_PARTITION__', 'host=node2', 'host=node3', 'host=vm']);
    expect(readdirSync(join(ds, 'host=vm'))).toEqual(['date=2026-11-25']);
    expect(readdirSync(join(ds, 'host=vm', 'date=2026-11-25'))).toEqual(['part-0.parquet']);
  });

  it('DuckDB reads it as one table with the same rows and values as the CSV', async () => {
    const from = `read_parquet('${ds}/**/*.parquet', hive_partitioning = true)`;
    const c = csvRows(csv).sort((x, y) => (x.source! < y.source! ? -1 : x.source! > y.source! ? 1 : x.time! < y.time! ? -1 : 1));
    expectSameAsCsv(await parquetRows('', from, 'ORDER BY source, time'), c);
    // The partition columns: host is not repeated in the files; date is the UTC day of time.
    const bad = await query(`SELECT count(*)::INT AS n FROM ${from} WHERE date IS DISTINCT FROM CAST(timezone('UTC', time) AS DATE)`);
    expect(bad[0]!.n).toBe(0);
    const inFile = await query(`SELECT count(*)::INT AS n FROM parquet_schema('${ds}/host=vm/date=2026-11-25/part-0.parquet') WHERE name = 'host'`);
    expect(inFile[0]!.n).toBe(0);
  });

  it('refuses a DIR that is not empty, and --partition without --output-dir', async () => {
    const again = await cli(['export', ...fleet, '--output-dir', ds, '--partition', 'host', '-q']);
    expect(again.code).not.toBe(0);
    expect(again.err).toContain('not empty');
    const noDir = await cli(['export', ...fleet, '--partition', 'host', '-q']);
    expect(noDir.code).not.toBe(0);
    expect(noDir.err).toContain('--partition needs --output-dir');
  });
});

describe('the DuckDB queries of docs/fleet.md, on what sockscope exported from samples/', () => {
  const out = join(dir, 'out');
  const bundles = ['fleet/sosreport-vm-2026-11-25-corpus.tar.xz', 'fleet/sosreport-node3-2026-11-25.tar.gz', 'fleet/scc_node2_261125_0412.txz', 'fleet/sar-vm-sadf-j.json'];
  const sql = [...readFileSync(join(ROOT, 'docs/fleet.md'), 'utf8').matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!.replaceAll("'out/", `'${out}/`));

  beforeAll(async () => {
    // The map step, one bundle after another here.
    mkdirSync(join(out, 'snapshots'), { recursive: true });
    mkdirSync(join(out, 'findings'), { recursive: true });
    for (const b of bundles) {
      const n = b.split('/').pop()!;
      expect((await cli(['export', samplePath(b), '-q', '-j', '1', '-o', join(out, 'snapshots', `${n}.parquet`)])).code).toBe(0);
      await cli(['analyze', samplePath(b), '-q', '-o', join(out, 'findings', `${n}.parquet`)]);
    }
  });

  it('the setup and three queries run, and give the hosts, the first firing and the trend', async () => {
    expect(sql.length).toBe(4);
    const c = await db.connect();
    try {
      await c.run(sql[0]!);
      const read = async (q: string) => (await c.runAndReadAll(q)).getRowObjectsJson() as Record<string, unknown>[];
      const worst = await read(sql[1]!);
      expect(worst.map((r) => r.host)).toEqual(['vm', 'node2', 'node3']);
      expect(worst[0]).toMatchObject({ host: 'vm', peak_unhashed: '1500' });
      const first = await read(sql[2]!);
      expect(first).toContainEqual({ host: 'vm', rule: 'tcp-unhashed-sockets', severity: 'critical', first_fired: '2026-11-25 00:56:24+00' });
      const trend = await read(sql[3]!);
      expect(trend.length).toBeGreaterThan(0);
      expect(trend[0]!.worst).toBe('1500');
    } finally {
      c.closeSync();
    }
  });
});

describe('analyze --format parquet: the findings, read back by DuckDB', () => {
  // Bundles of three hosts, sar data and a capture loop: findings of every severity, some without a critical_since.
  const inputs = [samplePath('fleet'), samplePath('kernel-6.18/unconnected-leak/timeline-date.log')];
  const csv = join(dir, 'findings.csv');
  const pq = join(dir, 'findings.parquet');
  const TIMES = ['first_seen', 'last_seen', 'critical_since', 'peak_time'];

  beforeAll(async () => {
    await cli(['analyze', ...inputs, '-q', '-o', csv]);
    // Chosen by the extension.
    await cli(['analyze', ...inputs, '-q', '-o', pq]);
  });

  it('is a Parquet file with typed columns: times TIMESTAMP WITH TIME ZONE, snapshots BIGINT, peak_value DOUBLE, texts VARCHAR', async () => {
    const b = readFileSync(pq);
    expect(b.subarray(0, 4).toString()).toBe('PAR1');
    expect(b.subarray(-4).toString()).toBe('PAR1');
    const types = Object.fromEntries((await query(`DESCRIBE SELECT * FROM read_parquet('${pq}')`)).map((r) => [r.column_name, r.column_type]));
    expect(Object.keys(types)).toEqual([...FINDING_COLUMNS]);
    for (const t of TIMES) expect(types[t], t).toBe('TIMESTAMP WITH TIME ZONE');
    expect(types.snapshots).toBe('BIGINT');
    expect(types.peak_value).toBe('DOUBLE');
    for (const c of ['host', 'series', 'rule', 'severity', 'peak_source', 'evidence_source', 'title', 'message']) expect(types[c], c).toBe('VARCHAR');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('one row per finding with the same values as analyze --format csv, absent as null', async () => {
    const c = csvRows(csv);
    expect(c.length).toBeGreaterThan(5);
    const sel = FINDING_COLUMNS.map((k) => (TIMES.includes(k) ? `epoch_us("${k}")::VARCHAR AS "${k}"` : `"${k}"::VARCHAR AS "${k}"`)).join(', ');
    const p = await query(`SELECT ${sel} FROM read_parquet('${pq}')`);
    expect(p.length).toBe(c.length);
    for (let i = 0; i < c.length; i++) {
      for (const k of FINDING_COLUMNS) {
        const want = c[i]![k]!;
        const got = p[i]![k];
        if (want === '') expect(got, `row ${i} ${k}`).toBe(null);
        else if (TIMES.includes(k)) expect(got, `row ${i} ${k}`).toBe(String(BigInt(Date.parse(want)) * 1000n));
        else if (k === 'peak_value') expect(Number(got), `row ${i} ${k}`).toBe(Number(want));
        else expect(got, `row ${i} ${k}`).toBe(want.replace(/^'(?=[=+\-@\t\r])/, ''));
      }
    }
    // Both kinds of absent are there: a finding not escalated has no critical_since.
    const nulls = await query(`SELECT count(*)::INT AS n, count(critical_since)::INT AS since, count(DISTINCT host)::INT AS hosts FROM read_parquet('${pq}')`);
    expect(nulls[0]!.since).toBeLessThan(nulls[0]!.n as number);
    expect(nulls[0]!.hosts).toBe(3);
  });

  it('--format parquet writes to stdout too', async () => {
    const r = await cli(['analyze', ...inputs, '-q', '--format', 'parquet']);
    expect(r.out.startsWith('PAR1')).toBe(true);
  });
});

describe('isoMicros', () => {
  it('keeps microseconds and cuts finer digits', () => {
    expect(isoMicros('2026-11-25T00:35:57Z')).toBe(1795566957000000n);
    expect(isoMicros('2026-11-25T00:35:57.123456789Z')).toBe(1795566957123456n);
    expect(isoMicros('not a time')).toBe(null);
  });
});
