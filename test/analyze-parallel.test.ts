import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeWithSeries } from '../src/analyze.js';
import { parallelReader } from '../src/cli/parallel/analyze.js';
import { renderJson } from '../src/report/findings.js';
import { ROOT, samplePath } from './helpers.js';

// The workers are the built ones (the global setup builds dist/).
const WORKER = join(ROOT, 'dist/cli/parallel/analyze-worker.js');
const BIN = join(ROOT, 'dist/cli/main.js');

// Bundles of three hosts (xz, gz, supportconfig), sar JSON, capture loops, folders of per-file
// captures, listings and kernel logs: no two of them hold the same moment of a host.
const MANY = [
  ...['sosreport-vm-2026-11-25-corpus.tar.xz', 'sosreport-node3-2026-11-25.tar.gz', 'scc_node2_261125_0412.txz', 'sar-vm-sadf-j.json'].map((f) => samplePath(`fleet/${f}`)),
  ...['unconnected-leak', 'timewait-storm', 'orphans'].map((s) => samplePath(`kernel-6.18/${s}/timeline-date.log`)),
  ...['capture-gap', 'counters', 'leak-closewait', 'listing-sos', 'mixed-sysctl', 'per-minute-files', 'tcp-syn-flood', 'unix-leak'].map((c) => samplePath(`captures/${c}/`)),
];

async function both(inputs: string[]) {
  const one = await analyzeWithSeries(inputs, {});
  let again: [string, string] | undefined;
  const par = await analyzeWithSeries(inputs, { read: parallelReader({ jobs: 3, workerScript: WORKER, rules: {}, onReadAgain: (a, b) => (again = [a, b]) }) });
  return { one: renderJson(one.report), par: renderJson(par.report), again, findings: one.report.findings.length };
}

function run(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    c.stdout.on('data', (b: Buffer) => chunks.push(b));
    c.on('close', (code) => resolve({ code, out: Buffer.concat(chunks).toString() }));
  });
}

describe('analyze -j N: each input read by a worker process, the report the same as one reading', () => {
  it('15 inputs of every kind on 3 workers: the JSON report is identical to -j 1', async () => {
    const r = await both(MANY);
    expect(r.again).toBeUndefined();
    expect(r.findings).toBeGreaterThan(10);
    expect(r.par).toBe(r.one);
  }, 120_000);

  it('two inputs holding the same moment of a host (sar JSON and its sadf -d twin): read again as one, still identical', async () => {
    const r = await both([samplePath('fleet/sar-vm-sadf-j.json'), samplePath('captures/sar/'), samplePath('fleet/sosreport-node3-2026-11-25.tar.gz')]);
    expect(r.again).toEqual([samplePath('fleet/sar-vm-sadf-j.json'), samplePath('captures/sar/')]);
    expect(r.par).toBe(r.one);
  }, 120_000);

  it('the CLI: analyze -j 2 --format csv over the bundles gives the bytes of -j 1', async () => {
    const args = ['analyze', ...MANY.slice(0, 7), '--format', 'csv', '-q'];
    const [a, b] = await Promise.all([run([...args, '-j', '1']), run([...args, '-j', '2'])]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(a.out.split('\n').length).toBeGreaterThan(5);
    expect(b.out).toBe(a.out);
  }, 120_000);

  it('-j 0 is a usage error', async () => {
    const r = await run(['analyze', samplePath('fleet/sar-vm-sadf-j.json'), '-j', '0', '-q']);
    expect(r.code).toBe(2);
  }, 60_000);
});
