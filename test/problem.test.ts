/**
 * Every failure has one shape, {source, reason, severity} (src/parse/problem.ts), from a
 * parser's line to an input that could not be read (issue 15, move 3).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../src/analyze.js';
import { normalizeBlock } from '../src/normalize/normalize.js';
import { compileRule } from '../src/rules/load.js';
import { parseSockstat } from '../src/parse/sockstat.js';
import { limitValues } from '../src/parse/sysctl.js';
import { parseTimestampLine } from '../src/parse/time.js';
import { collectSnapshots } from '../src/pipeline.js';
import { segmentText } from '../src/segment/segmenter.js';
import { sample, samplePath } from './helpers.js';

const KEYS = ['reason', 'severity', 'source'];
const keys = (o: object) => Object.keys(o).sort();

describe('one problem type', () => {
  it('a parser names the line; normalize places it in its file and makes the block a skip', () => {
    const p = parseSockstat([{ no: 7, text: 'TCP: inuse 3 orphan' }]);
    expect(p.issues).toEqual([{ source: '7', reason: expect.stringMatching(/truncated/), severity: 'error' }]);
    const { blocks } = segmentText('Wed Nov 25 00:44:45 UTC 2026\nsockets: used 3\nTCP: inuse 3 orphan\n', 'cut.log');
    const r = normalizeBlock(blocks[0]!);
    expect('skip' in r && r.skip).toEqual({ source: 'cut.log:3', reason: expect.stringMatching(/^sockstat: TCP: line is truncated/), severity: 'error' });
  });

  it('a rule file that does not lint: a Problem at file:line', () => {
    const r = compileRule('id: x\ntitle: [\n', 'x.yaml');
    expect(r.issues.map(keys)).toEqual([KEYS]);
    expect(r.issues[0]).toMatchObject({ source: expect.stringMatching(/^x\.yaml:\d+$/), reason: expect.stringMatching(/^YAML: /), severity: 'error' });
  });

  it('a timestamp or a limit that cannot be read is a Problem whose source the caller names', () => {
    const t = parseTimestampLine('Mon Feb 30 10:00:00 UTC 2026');
    expect(t).toEqual({ source: '', reason: 'no such date: "Mon Feb 30 10:00:00 UTC 2026"', severity: 'error' });
    expect(keys(limitValues('somaxconn', 'x') as object)).toEqual(KEYS);
  });

  it('inputs: an unreadable one is an error, a note on a read one a warning; the JSON report writes them in that shape', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'problem-'));
    const nul = join(dir, 'nul.log');
    writeFileSync(nul, sample('kernel-6.18/idle/timeline-date.log').replace('\n', '\n\u0000\u0000\n'));
    const r = await collectSnapshots([join(dir, 'nope.log'), nul]);
    expect(r.stats.inputProblems.map((p) => [p.severity, p.reason.slice(0, 12)])).toEqual([
      ['error', 'cannot read:'],
      ['warning', '2 NUL byte(s'],
    ]);
    const report = await analyze([join(dir, 'nope.log'), samplePath('kernel-6.18/idle/timeline-date.log')]);
    expect(report.inputs.failed.map(keys)).toEqual([KEYS]);
    expect(Object.keys(report.inputs.failed[0]!)).toEqual(['source', 'reason', 'severity']);
  });
});
