import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Line } from '../src/parse/types.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SAMPLES = join(ROOT, 'samples');

export function sample(rel: string): string {
  return readFileSync(join(SAMPLES, rel), 'utf8');
}

export function samplePath(rel: string): string {
  return join(SAMPLES, rel);
}

/** Text → numbered lines (1-based), CR stripped. */
export function toLines(text: string, from = 1): Line[] {
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts.map((t, i) => ({ no: from + i, text: t.replace(/\r$/, '') }));
}

/** Lines [from, to] (1-based, inclusive) of a text. */
export function slice(text: string, from: number, to: number): Line[] {
  return toLines(text).filter((l) => l.no >= from && l.no <= to);
}

export const SCENARIOS = ['idle', 'unconnected-leak', 'timewait-storm', 'udp-and-raw', 'orphans'] as const;

export interface Truth {
  observed_in_combined: {
    'combined.txt': {
      TCP: { inuse: number; orphan: number; tw: number; alloc: number; mem: number };
      'TCP6.inuse': number;
      'sockets.used': number;
      ss_s_tcp_line: { tcp: number; estab: number; closed: number; orphaned: number; timewait: number };
      closed_minus_timewait: number;
    };
  };
  observed_in_timeline_date: Record<string, { first: number; max: number; last: number } | number | string>;
  race_check: { 'timeline-date.log': { blocks: number; tcp_raced_blocks: number; total_vs_used_differs: number } };
  expected_findings: { must_raise: string[]; may_raise: string[]; must_not_raise: string[] };
}

export function truth(scenario: string): Truth {
  return JSON.parse(sample(`kernel-6.18/${scenario}/truth.json`)) as Truth;
}
