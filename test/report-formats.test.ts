import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnalysisReport } from '../src/analyze.js';
import { ROOT } from './helpers.js';

// What each report format says, checked on the real samples.
const BIN = join(ROOT, 'dist/cli/main.js');
const LEAK = 'samples/kernel-6.18/unconnected-leak/timeline-date.log';
const tmp = mkdtempSync(join(tmpdir(), 'sockscope-formats-'));

function run(args: string[]): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT, maxBuffer: 1 << 28 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}
const analyze = (...args: string[]) => run(['analyze', '-q', ...args]).stdout;

describe('a critical finding says when the critical level was first crossed', () => {
  // unconnected-leak: unhashed passes 100 (warning) at 00:55:50 and 1000 (critical) at 00:56:09 (line 485).
  it('json: escalated, and an evidence row at the crossing', () => {
    const r = JSON.parse(analyze('--format', 'json', LEAK)) as AnalysisReport;
    const f = r.findings.find((x) => x.rule === 'tcp-unhashed-sockets')!;
    expect(f.severity).toBe('critical');
    expect(f.first_seen).toBe('2026-11-25T00:55:50Z');
    expect(f.escalated).toEqual({ severity: 'critical', time: '2026-11-25T00:56:09Z', source: `${LEAK}:485` });
    expect(f.evidence.map((e) => [e.label, e.time, e.values.tcp_unhashed])).toEqual([
      ['first', '2026-11-25T00:55:50Z', 100],
      ['critical since', '2026-11-25T00:56:09Z', 1000],
      ['peak', '2026-11-25T00:56:18Z', 1500],
      ['last', '2026-11-25T00:56:22Z', 1500],
    ]);
    // A warning that never escalated has none.
    expect(r.findings.find((x) => x.rule === 'tcp-unhashed-growth')!.escalated).toBeUndefined();
  });

  it('text, markdown and html show "critical since" next to the start', () => {
    expect(analyze(LEAK)).toContain('2026-11-25T00:55:50Z → 2026-11-25T00:56:22Z, critical since 2026-11-25T00:56:09Z, 32 snapshot(s)');
    const md = analyze('--format', 'markdown', LEAK);
    expect(md).toContain('| critical | `tcp-unhashed-sockets` | (unnamed host: samples/kernel-6.18/unconnected-leak) | 2026-11-25T00:55:50Z → 2026-11-25T00:56:22Z, critical since 2026-11-25T00:56:09Z | 32 |');
    expect(md).toContain(`| critical since | 2026-11-25T00:56:09Z | \`${LEAK}:485\` | 1001 |`);
    const html = join(tmp, 'since.html');
    run(['analyze', '-q', '--format', 'html', '-o', html, LEAK]);
    expect(readFileSync(html, 'utf8')).toContain(
      '<p class="when">2026-11-25T00:55:50Z → 2026-11-25T00:56:22Z, <span class="since sev-critical">critical since 2026-11-25T00:56:09Z</span>, 32 snapshot(s)</p>',
    );
  });
});
