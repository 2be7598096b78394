import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportRows, type ExportOptions } from '../src/export.js';
import { exportSnapshots } from '../src/index.js';
import { EXPORT_OPTIONS, READ_OPTIONS, valuedFlags } from '../src/options.js';
import { preforkCount } from '../src/cli/parallel/prefork.js';
import { emptyStats, mergeStats, type RunStats } from '../src/pipeline.js';
import { cli } from './cli-run.js';
import { samplePath } from './helpers.js';

/** exportRows into memory. */
async function rows(inputs: string[], opts: ExportOptions): Promise<{ bytes: Buffer; stats: RunStats }> {
  const parts: Buffer[] = [];
  const stats = await exportRows(inputs, opts, { lend: (b) => (parts.push(Buffer.from(b)), true), ready: () => undefined });
  return { bytes: Buffer.concat(parts), stats };
}

describe('one export function (issue 15.2)', () => {
  const inputs = [samplePath('kernel-6.18/unconnected-leak'), samplePath('captures/sar')];

  it('the CLI, the library and exportRows write the same bytes, CSV and JSON Lines', async () => {
    for (const format of ['csv', 'jsonl'] as const) {
      const lib: string[] = [];
      await exportSnapshots(inputs, { format }, (t) => void lib.push(t));
      const cliRun = await cli(['export', '-q', '-j', '1', '--format', format, ...inputs]);
      const direct = await rows(inputs, { format });
      expect(cliRun.code).toBe(0);
      expect(direct.bytes.toString('utf8')).toBe(cliRun.out);
      expect(lib.join('')).toBe(cliRun.out);
      expect(cliRun.out.split('\n').length).toBeGreaterThan(50);
    }
  });

  it('a unit of a parallel export leaves the CSV header out; Parquet is the CLI file, byte for byte', async () => {
    const whole = (await rows(inputs, {})).bytes.toString('utf8');
    const unit = (await rows(inputs, { header: false })).bytes.toString('utf8');
    expect(whole.startsWith('host,time,')).toBe(true);
    expect(whole.slice(whole.indexOf('\n') + 1)).toBe(unit);
    const out = join(mkdtempSync(join(tmpdir(), 'export-')), 'x.parquet');
    expect((await cli(['export', '-q', ...inputs, '-o', out])).code).toBe(0);
    const pq = (await rows(inputs, { format: 'parquet' })).bytes;
    expect(pq.subarray(0, 4).toString()).toBe('PAR1');
    expect(pq.equals(readFileSync(out))).toBe(true);
  });

  it('mergeStats adds every count of the accounting, duplicates included (the parallel export dropped them)', () => {
    const part = emptyStats();
    const counts = Object.keys(part).filter((k) => typeof part[k as keyof RunStats] === 'number') as (keyof RunStats)[];
    expect(counts).toContain('duplicates');
    counts.forEach((k, i) => ((part as unknown as Record<string, number>)[k] = i + 1));
    part.skipped.push({ source: 'a:1', reason: 'r' });
    part.inputProblems.push({ source: 'a', reason: 'p' });
    part.failedInputs.push({ source: 'b', reason: 'q' });
    const total = mergeStats(mergeStats(emptyStats(), part), part);
    for (const [i, k] of counts.entries()) expect([k, total[k]]).toEqual([k, 2 * (i + 1)]);
    expect(total.skipped).toHaveLength(2);
    expect(total.inputProblems).toHaveLength(2);
    expect(total.failedInputs).toHaveLength(2);
  });

  it('prefork knows which options take a value from the table yargs reads (--partition, --output-dir, --row-group-rows too)', () => {
    expect([...valuedFlags(READ_OPTIONS, EXPORT_OPTIONS)].sort()).toEqual(
      ['--format', '--host', '--jobs', '--jobs-min-bytes', '--output', '--output-dir', '--partition', '--row-group-rows', '--since', '--tz', '--until', '-j', '-o'].sort(),
    );
    const a = samplePath('kernel-6.18/orphans/timeline-date.log');
    // The value of --row-group-rows is not an input: two files, one worker.
    expect(preforkCount(['export', '-j', '2', '--jobs-min-bytes', '1', '--row-group-rows', '100', a, a])).toBe(1);
    expect(preforkCount(['export', '-j', '2', '--jobs-min-bytes', '1', '--output-dir', a, a])).toBe(0);
  });
});
